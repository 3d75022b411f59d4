"""The event store, resumable batches and the export's aggregation rule, with a stub pipeline (no model)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from coder.batch import code_to_store
from coder.engines import LocalEngine
from coder.errors import StoreError
from coder.export import aggregate_id, export, source_key
from coder.pipeline import DocumentResult, event_id
from coder.records import Document, Event
from coder.store import EventStore
from coder.writers import GDELT2_COLUMNS, GDELT2_MENTION_COLUMNS

SETTINGS = {"model_dir": "stub", "threshold": 0.5}


class StubPipeline:
    """One event per line 'SRC TGT CODE CONF' of a document (sentence = line)."""

    def __init__(self, fail_after: int | None = None):
        self.fail_after = fail_after
        self.coded = 0

    def code(self, documents):
        for doc in documents:
            if self.fail_after is not None and self.coded >= self.fail_after:
                raise KeyboardInterrupt("stub killed")
            self.coded += 1
            events, pos = [], 0
            for i, line in enumerate(doc.text.split("\n")):
                parts = line.split()
                if len(parts) == 4:
                    src, tgt, code, conf = parts
                    tgt = "" if tgt == "-" else tgt
                    events.append(_event(doc, i, pos, pos + len(line), src, tgt, code, float(conf)))
                pos += len(line) + 1
            yield DocumentResult(doc, sentences=len(doc.text.split("\n")), events=events)


def _event(doc: Document, i: int, start: int, end: int, src: str, tgt: str, code: str, conf: float) -> Event:
    return Event(
        event_id=event_id(doc.id, i, start, start + 4 if tgt else -1, code),
        doc_id=doc.id,
        sentence_index=i,
        sentence=doc.text[start:end],
        sentence_start=start,
        sentence_end=end,
        date=doc.date,
        source_code=src,
        source_text=src.lower(),
        source_start=start,
        source_end=start + 3,
        target_code=tgt,
        target_text=tgt.lower(),
        target_start=start + 4 if tgt else -1,
        target_end=start + 7 if tgt else -1,
        event_code=code,
        base_code=code[:3],
        root_code=code[:2],
        code_name="stub",
        quad_class=1,
        penta_class=1,
        goldstein=1.0,
        confidence=conf,
        negated=False,
        hypothetical=False,
        evidence=("stub",),
        model_version="stub",
        url=doc.url,
        source_name=doc.source,
    )


def _jsonl(path: Path, records: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def _docs(n: int, prefix: str = "d") -> list[dict]:
    return [
        {"id": f"{prefix}{i}", "date": f"2026-03-{1 + i % 3:02d}", "source": f"wire{i % 2}", "text": text}
        for i in range(n)
        for text in [f"USA CHN 0{30 + i % 4} 0.{50 + i:02d}\nno event here\nRUS - 010 0.7"]
    ]


def _run(store_path: Path, inputs: list[str], pipeline=None, partition_size: int = 4, settings=SETTINGS):
    with EventStore.open(store_path) as store:
        return code_to_store(
            LocalEngine(pipeline or StubPipeline()),
            inputs,
            store,
            store_path.with_suffix(".rejects.jsonl"),
            settings,
            partition_size,
        )


def _export_bytes(store_path: Path, codebook, ext: str = ".tsv", aggregate: bool = True) -> bytes:
    out = store_path.with_name(f"export{'' if aggregate else '-raw'}{ext}")
    with EventStore.open(store_path, create=False) as store:
        export(store, out, codebook, aggregate=aggregate, mentions=out.with_name(f"mentions{ext}"))
    return out.read_bytes()


def test_rerun_adds_nothing_and_reports_the_same_counts(tmp_path, codebook):
    src = _jsonl(tmp_path / "in.jsonl", _docs(10) + [{"id": "empty", "text": "nothing"}])
    first = _run(tmp_path / "s.db", [src])
    assert (first.read, first.coded, first.no_event, first.rejected) == (11, 10, 1, 0)
    assert first.events == first.new_events == 20 and first.already_coded == 0
    before = _export_bytes(tmp_path / "s.db", codebook)
    again = _run(tmp_path / "s.db", [src])
    assert (again.read, again.coded, again.no_event, again.events) == (11, 10, 1, 20)
    assert again.already_coded == 11 and again.new_events == 0 and again.consistent()
    assert _export_bytes(tmp_path / "s.db", codebook) == before
    with EventStore.open(tmp_path / "s.db") as store:
        s = store.summary()
    assert (s["documents"], s["events"], s["runs"]) == (11, 20, 2)


def test_interrupted_run_resumes_to_the_uninterrupted_result(tmp_path, codebook):
    src = _jsonl(tmp_path / "in.jsonl", _docs(23))
    _run(tmp_path / "whole.db", [src])
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path / "cut.db", [src], StubPipeline(fail_after=10))  # dies inside the third partition of 4
    with EventStore.open(tmp_path / "cut.db") as store:
        assert store.summary()["documents"] == 8  # whole partitions only: the third was never committed
    resumed = _run(tmp_path / "cut.db", [src])
    assert resumed.already_coded == 8 and resumed.read == 23 and resumed.events == 46
    for aggregate in (True, False):
        for ext in (".tsv", ".jsonl"):
            whole = _export_bytes(tmp_path / "whole.db", codebook, ext, aggregate)
            assert _export_bytes(tmp_path / "cut.db", codebook, ext, aggregate) == whole


def test_same_id_with_other_text_in_a_later_batch_is_rejected(tmp_path):
    a = _jsonl(tmp_path / "a.jsonl", _docs(3))
    _run(tmp_path / "s.db", [a])
    changed = _docs(3)
    changed[1]["text"] = "USA IRN 042 0.9"
    b = _jsonl(tmp_path / "b.jsonl", changed + _docs(2, prefix="new"))
    counts = _run(tmp_path / "s.db", [b])
    assert (counts.read, counts.rejected, counts.already_coded) == (5, 1, 2)
    assert counts.coded == 4 and counts.consistent()
    [rej] = [json.loads(x) for x in (tmp_path / "s.rejects.jsonl").read_text().splitlines()]
    assert rej["doc_id"] == "d1" and rej["line"] == 2 and "already in the store with different text" in rej["reason"]
    assert "a.jsonl:2" in rej["reason"]
    with EventStore.open(tmp_path / "s.db") as store:
        assert [r.doc_id for r in store.rejects()] == ["d1"]


def test_store_refuses_other_settings_and_non_stores(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", _docs(2))
    _run(tmp_path / "s.db", [src])
    with pytest.raises(StoreError, match="threshold: store 0.5, now 0.7"):
        _run(tmp_path / "s.db", [src], settings={**SETTINGS, "threshold": 0.7})
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.commit()
    with pytest.raises(StoreError, match="not an eventcoder store"):
        EventStore.open(other)
    (tmp_path / "junk.db").write_text("not sqlite at all, just text " * 100)
    with pytest.raises(StoreError, match="not a usable event store"):
        EventStore.open(tmp_path / "junk.db")
    with pytest.raises(StoreError, match="no such event store"):
        EventStore.open(tmp_path / "missing.db", create=False)


def test_aggregation_counts_mentions_sources_articles(tmp_path, codebook):
    docs = [
        # Same day, same dyad and code: one event with 3 mentions in 2 articles from 1 source (same wire).
        {"id": "a", "date": "2026-03-01", "source": "Wire", "text": "USA CHN 042 0.8\nUSA CHN 042 0.9"},
        {"id": "b", "date": "2026-03-01", "source": "wire", "text": "USA CHN 042 0.7"},
        # Another source via URL host: NumSources grows.
        {"id": "c", "date": "2026-03-01", "url": "https://news.example.org/x", "text": "USA CHN 042 0.6"},
        # Other day, other code, reversed dyad: separate events.
        {
            "id": "d",
            "date": "2026-03-02",
            "source": "wire",
            "text": "USA CHN 042 0.6\nCHN USA 042 0.6\nUSA CHN 043 0.6",
        },
        # Undated documents are never merged with each other.
        {"id": "e", "text": "USA CHN 042 0.6"},
        {"id": "f", "text": "USA CHN 042 0.6"},
    ]
    src = _jsonl(tmp_path / "in.jsonl", docs)
    _run(tmp_path / "s.db", [src])
    out = tmp_path / "agg.jsonl"
    with EventStore.open(tmp_path / "s.db", create=False) as store:
        n = export(store, out, codebook, mentions=tmp_path / "m.jsonl")
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert (n.events, n.mentions) == (6, 9) and len(rows) == 6
    first = rows[0]
    assert (first["num_mentions"], first["num_articles"], first["num_sources"]) == (4, 3, 2)
    assert first["doc_id"] == "a" and first["confidence"] == 0.9 and first["sentence_index"] == 1  # representative
    assert first["event_id"] == aggregate_id("2026-03-01", "a", "USA", "CHN", "042", 0, 0)
    assert [r["num_mentions"] for r in rows[1:]] == [1, 1, 1, 1, 1]
    assert [r["doc_id"] for r in rows] == ["a", "d", "d", "d", "e", "f"]
    mentions = [json.loads(x) for x in (tmp_path / "m.jsonl").read_text().splitlines()]
    assert len(mentions) == 9 and {m["event_id"] for m in mentions} == {r["event_id"] for r in rows}
    of_first = [m for m in mentions if m["event_id"] == first["event_id"]]
    assert [(m["doc_id"], m["sentence_index"], m["is_representative"]) for m in of_first] == [
        ("a", 0, False),
        ("a", 1, True),
        ("b", 0, False),
        ("c", 0, False),
    ]
    # A later batch adds a report: the event keeps its id, its counts grow.
    later = _jsonl(
        tmp_path / "later.jsonl", [{"id": "g", "date": "2026-03-01", "source": "AP", "text": "USA CHN 042 0.95"}]
    )
    _run(tmp_path / "s.db", [later])
    with EventStore.open(tmp_path / "s.db", create=False) as store:
        export(store, out, codebook)
    again = json.loads(out.read_text().splitlines()[0])
    assert again["event_id"] == first["event_id"] and again["num_mentions"] == 5 and again["num_sources"] == 3
    assert again["doc_id"] == "g"  # the new, more confident report is now the representative


def test_gdelt_tsv_and_mentions_tsv_link_up(tmp_path, codebook):
    src = _jsonl(tmp_path / "in.jsonl", _docs(6))
    _run(tmp_path / "s.db", [src])
    _export_bytes(tmp_path / "s.db", codebook)
    events = [r.split("\t") for r in (tmp_path / "export.tsv").read_text().splitlines()]
    mentions = [r.split("\t") for r in (tmp_path / "mentions.tsv").read_text().splitlines()]
    assert all(len(r) == len(GDELT2_COLUMNS) for r in events)
    assert all(len(r) == len(GDELT2_MENTION_COLUMNS) for r in mentions)
    col = {name: i for i, name in enumerate(GDELT2_COLUMNS)}
    by_id = {r[0]: r for r in events}
    assert {m[0] for m in mentions} == set(by_id)
    for gid, row in by_id.items():
        n = sum(1 for m in mentions if m[0] == gid)
        assert row[col["NumMentions"]] == str(n)
    assert all(m[6] in ("1", "3") and m[1].endswith("000000") for m in mentions)  # 1-based SentenceID
    assert {row[col["EventCode"]] for row in events} >= {"030", "031", "032", "033", "010"}


def test_mentions_and_events_in_every_format(tmp_path, codebook):
    import pyarrow.parquet as pq

    src = _jsonl(tmp_path / "in.jsonl", _docs(4))
    _run(tmp_path / "s.db", [src])
    _export_bytes(tmp_path / "s.db", codebook, ".parquet")
    table = pq.read_table(tmp_path / "export.parquet")
    assert table.schema.field("event_code").type == "string" and table.schema.field("num_mentions").type == "int32"
    assert pq.read_table(tmp_path / "mentions.parquet").num_rows == 8
    _export_bytes(tmp_path / "s.db", codebook, ".csv")
    header = (tmp_path / "export.csv").read_text().splitlines()[0].split(",")
    assert header[-3:] == ["num_mentions", "num_sources", "num_articles"]


def test_source_key():
    assert source_key(" Reuters ", "http://a.com/x") == "reuters"
    assert source_key("", "https://News.Example.org/x?y=1") == "news.example.org"
    assert source_key("", "") == ""


def test_progress_bar_only_on_a_terminal():
    import io

    from coder.progress import Progress

    quiet = io.StringIO()
    with Progress(stream=quiet) as p:  # a StringIO is not a terminal
        p.update(10, 25, 4)
    assert quiet.getvalue() == "" and (p.documents, p.sentences, p.events) == (10, 25, 4)
    shown = io.StringIO()
    with Progress(stream=shown, enabled=True) as p:
        p.update(10, 25, 4)
    assert "sentences/s, 4 events" in shown.getvalue() and "doc" in shown.getvalue()
