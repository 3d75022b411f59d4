"""The command-line contract: formats, errors and counts (marker: model for the coding runs)."""

import json
import sqlite3
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


@pytest.mark.model
def test_every_bad_record_kind_is_counted_and_rejected(tmp_path, capsys, pipeline):
    from coder.ingest import MAX_TEXT_CHARS

    good = "Kenyan police arrested six opposition activists in Nairobi."
    lines = [
        json.dumps({"id": "good", "text": good, "date": "2026-03-01"}).encode(),
        json.dumps({"id": "quiet", "text": "It rained all day in the capital."}).encode(),
        json.dumps({"id": "notext", "title": "headline only"}).encode(),
        b'{"id": "latin1", "text": "caf\xe9 owners protested"}',
        json.dumps({"id": "baddate", "text": good, "date": "31/02/2026"}).encode(),
        json.dumps({"id": "good", "text": "Another text under the same id."}).encode(),
        json.dumps({"id": "huge", "text": "word " * (MAX_TEXT_CHARS // 5 + 1)}).encode(),
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    store = tmp_path / "ev.db"
    assert main(["code", str(src), "--store", str(store)]) == 0
    err = capsys.readouterr().err
    assert "read 7 documents: 1 with events, 1 without, 5 rejected" in err
    rejects = {r["line"]: r for r in map(json.loads, (tmp_path / "ev.rejects.jsonl").read_text().splitlines())}
    assert sorted(rejects) == [3, 4, 5, 6, 7]
    assert "no text" in rejects[3]["reason"] and rejects[3]["doc_id"] == "notext"
    assert "undecodable bytes" in rejects[4]["reason"]
    assert "bad date" in rejects[5]["reason"] and rejects[5]["doc_id"] == "baddate"
    assert "duplicate id 'good' with different text" in rejects[6]["reason"]
    assert "exceeds the limit" in rejects[7]["reason"] and rejects[7]["doc_id"] == "huge"
    # A later batch reusing a stored id for other text is rejected against the store; counts still add up.
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"id": "good", "text": "Rewritten story."}) + "\n" + lines[1].decode() + "\n")
    assert main(["code", str(later), "--store", str(store), "-o", str(tmp_path / "ev.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "read 2 documents: 0 with events, 1 without, 1 rejected" in err and "(1 already in the store)" in err
    [rej] = map(json.loads, (tmp_path / "ev.rejects.jsonl").read_text().splitlines())
    assert rej["doc_id"] == "good" and "already in the store with different text" in rej["reason"]
    events = [json.loads(x) for x in (tmp_path / "ev.jsonl").read_text().splitlines()]
    assert events and {e["doc_id"] for e in events} == {"good"}
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM rejects").fetchone()[0] == 6
        assert dict(db.execute("SELECT doc_id, state FROM documents")) == {"good": "coded", "quiet": "no_event"}


@pytest.mark.model
def test_export_command_matches_code_output(tmp_path, pipeline):
    out = tmp_path / "ev.tsv"
    assert main(["code", str(REPO / "examples" / "articles.jsonl"), "-o", str(out)]) == 0
    again = tmp_path / "again.tsv"
    assert main(["export", str(tmp_path / "ev.db"), "-o", str(again), "--mentions", str(tmp_path / "m.tsv")]) == 0
    assert again.read_bytes() == out.read_bytes()
    mentions = [r.split("\t") for r in (tmp_path / "m.tsv").read_text().splitlines()]
    assert len(mentions) >= len(out.read_text().splitlines()) and all(len(m) == 16 for m in mentions)


def test_export_of_a_missing_store_is_a_clean_error(tmp_path, capsys):
    assert main(["export", str(tmp_path / "none.db"), "-o", str(tmp_path / "o.tsv")]) == 6
    assert "no such event store" in capsys.readouterr().err


def test_code_needs_an_output_or_a_store(capsys):
    assert main(["code", "examples/articles.jsonl"]) == 2
    assert "--store" in capsys.readouterr().err
