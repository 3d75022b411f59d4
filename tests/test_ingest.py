import gzip
import io
import json
from pathlib import Path

import pytest

from coder.errors import InputError
from coder.ingest import normalize_date, read_inputs
from coder.records import Document, Reject


def _write(tmp_path: Path, name: str, content: str | bytes) -> str:
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(p)


def test_jsonl_maps_field_names(tmp_path):
    f = _write(
        tmp_path,
        "a.jsonl",
        json.dumps({"id": "d1", "body": "Text here.", "published": "20260301", "publisher": "Wire"}) + "\n",
    )
    [doc] = list(read_inputs([f]))
    assert isinstance(doc, Document)
    assert (doc.id, doc.text, doc.date, doc.source) == ("d1", "Text here.", "2026-03-01", "Wire")


def test_every_bad_record_is_rejected_with_reason(tmp_path):
    lines = [
        json.dumps({"id": "ok", "text": "Fine."}),
        "{not json",
        json.dumps({"id": "notext"}),
        json.dumps({"id": "blank", "text": "   "}),
        json.dumps({"id": "baddate", "text": "x", "date": "yesterday"}),
        json.dumps({"id": "ok", "text": "Different text."}),
        json.dumps([1, 2]),
    ]
    f = _write(tmp_path, "b.jsonl", "\n".join(lines) + "\n")
    out = list(read_inputs([f]))
    docs = [r for r in out if isinstance(r, Document)]
    rejects = [r for r in out if isinstance(r, Reject)]
    assert [d.id for d in docs] == ["ok"]
    assert len(docs) + len(rejects) == len(lines)
    reasons = {r.line: r.reason for r in rejects}
    assert "malformed JSON" in reasons[2]
    assert "no text" in reasons[3]
    assert "blank" in reasons[4]
    assert "bad date" in reasons[5]
    assert "duplicate id" in reasons[6]
    assert "JSON object" in reasons[7]


def test_undecodable_line_is_rejected_others_kept(tmp_path):
    good = json.dumps({"id": "a", "text": "Good."}).encode()
    bad = b'{"id": "b", "text": "caf\xe9"}'
    f = _write(tmp_path, "c.jsonl", good + b"\n" + bad + b"\n")
    out = list(read_inputs([f]))
    assert isinstance(out[0], Document)
    assert isinstance(out[1], Reject) and "UTF-8" in out[1].reason and out[1].line == 2


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.jsonl", "", "empty file"),
        ("bin.jsonl", b"\x00\x01\x02binary", "binary"),
        ("data.xml", "<a/>", "unknown input extension"),
    ],
)
def test_unusable_files_raise_naming_the_file(tmp_path, name, content, message):
    f = _write(tmp_path, name, content)
    with pytest.raises(InputError) as e:
        list(read_inputs([f]))
    assert message in str(e.value) and name in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(read_inputs([str(tmp_path / "nope.jsonl")]))


def test_csv_gz_txt_folder_and_stdin(tmp_path):
    csv_path = _write(tmp_path, "a.csv", 'id,text,date\nc1,"Hello, world.",2026-01-02\nc2,,2026-01-02\n')
    out = list(read_inputs([csv_path]))
    assert isinstance(out[0], Document) and out[0].text == "Hello, world."
    assert isinstance(out[1], Reject) and out[1].line == 3
    gz = tmp_path / "b.jsonl.gz"
    gz.write_bytes(gzip.compress(json.dumps({"id": "g", "text": "Zipped."}).encode()))
    assert list(read_inputs([str(gz)]))[0].text == "Zipped."
    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "one.txt").write_text("First text.")
    (folder / "two.txt").write_text("Second text.")
    assert [d.id for d in read_inputs([str(folder)])] == ["one", "two"]
    stdin = io.StringIO(json.dumps({"id": "s", "text": "From stdin."}) + "\n")
    assert list(read_inputs(["-"], stdin=stdin))[0].id == "s"


def test_dates():
    assert normalize_date("2026-02-03T10:00:00Z") == "2026-02-03"
    assert normalize_date("20260203") == "2026-02-03"
    with pytest.raises(ValueError):
        normalize_date("03/02/2026")
