"""The project's own labels: taxonomy, dictionaries, banks and corpus pass the check and meet the minimums."""

import io
import json
import subprocess
import sys
from pathlib import Path

from coder.labelcheck import run_check
from coder.labelset import Minimums, check_files, shortfalls, split_of

REPO = Path(__file__).resolve().parent.parent


def test_project_labels_pass_with_minimums():
    out = io.StringIO()
    ok = run_check([], None, True, out)
    text = out.getvalue()
    assert ok, text
    assert "labels check: passed" in text and "problems: 0" in text


def test_corpus_minimums_and_data_card_figures(taxonomy, codebook):
    rep = check_files([REPO / "labels" / "corpus"], taxonomy, codebook)
    cov = rep.coverage(taxonomy, codebook)
    assert shortfalls(cov, Minimums()) == []
    assert all(n >= 25 for n in cov["per_code"].values())
    assert all(n >= 400 for n in cov["per_root"].values())
    card = (REPO / "labels" / "README.md").read_text()
    assert f"{cov['sentences']:,}" in card and f"{cov['handwritten']:,}" in card


def test_generated_corpus_is_reproducible(tmp_path):
    out = tmp_path / "gen.jsonl"
    subprocess.run(
        [sys.executable, str(REPO / "training" / "generate_corpus.py"), "--out", str(out)],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    assert out.read_bytes() == (REPO / "labels" / "corpus" / "generated" / "generated.jsonl").read_bytes()


def test_no_group_straddles_the_split(taxonomy, codebook):
    rep = check_files([REPO / "labels" / "corpus"], taxonomy, codebook)
    side: dict[str, str] = {}
    for r in rep.records:
        s = split_of(r)
        assert side.setdefault(r.group, s) == s


def test_generated_and_handwritten_are_distinguishable():
    gen = (REPO / "labels" / "corpus" / "generated" / "generated.jsonl").read_text().splitlines()
    assert all(json.loads(x)["id"].startswith("gen-") for x in gen[:200])
    hw = (REPO / "labels" / "corpus" / "handwritten" / "root01.jsonl").read_text().splitlines()
    assert not any(json.loads(x)["id"].startswith("gen-") for x in hw)
