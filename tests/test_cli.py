"""The command-line contract: formats, errors and counts (marker: model for the coding runs)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from coder.cli import build_parser, main

REPO = Path(__file__).resolve().parent.parent


def test_every_command_is_documented_in_readme():
    readme = (REPO / "README.md").read_text()
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name in sub.choices:
        assert f"eventcoder {name}" in readme, f"README does not document 'eventcoder {name}'"


def test_python_m_coder_works():
    out = subprocess.run([sys.executable, "-m", "coder", "--version"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0 and "eventcoder" in out.stdout


def test_unknown_extension_is_one_line_error(tmp_path, capsys):
    bad = tmp_path / "in.xml"
    bad.write_text("<a/>")
    assert main(["code", str(bad), "-o", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "in.xml" in err[0]


def test_bad_output_extension_fails_before_loading(tmp_path, capsys):
    assert main(["code", "examples/articles.jsonl", "-o", str(tmp_path / "o.xlsx")]) == 2


@pytest.mark.model
def test_sample_batch_to_gdelt_tsv(tmp_path, pipeline):
    out = tmp_path / "out.tsv"
    assert main(["code", str(REPO / "examples" / "articles.jsonl"), "-o", str(out)]) == 0
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    assert len(rows) >= 20
    for r in rows:
        assert len(r) == 61
        assert r[26].isdigit() and len(r[26]) in (2, 3, 4) and r[28] == r[26][:2]


@pytest.mark.model
def test_partly_bad_input_gives_rejects_and_counts(tmp_path, capsys, pipeline):
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "Kenyan police arrested six opposition activists in Nairobi."}),
                "{broken",
                json.dumps({"id": "b"}),
                json.dumps({"id": "c", "text": "It rained all day in the capital."}),
            ]
        )
        + "\n"
    )
    out = tmp_path / "ev.jsonl"
    assert main(["code", str(src), "-o", str(out)]) == 0
    rejects = [json.loads(x) for x in (tmp_path / "ev.rejects.jsonl").read_text().splitlines()]
    assert {r["line"] for r in rejects} == {2, 3}
    err = capsys.readouterr().err
    assert "read 4 documents" in err and "2 rejected" in err
    assert all(json.loads(x)["doc_id"] == "a" for x in out.read_text().splitlines())


@pytest.mark.model
def test_all_bad_input_exits_nonzero(tmp_path, pipeline):
    src = tmp_path / "in.jsonl"
    src.write_text("{broken\n{also broken\n")
    assert main(["code", str(src), "-o", str(tmp_path / "ev.jsonl")]) == 2
