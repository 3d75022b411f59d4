"""Event store speed: storing coded partitions (one transaction each) and exporting them, with synthetic
events so the figure is the store's alone, not the model's.

    python benchmarks/bench_store.py [--documents 20000] [--events-per-doc 3] [--partition-size 64]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import report


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=20000)
    ap.add_argument("--events-per-doc", type=int, default=3)
    ap.add_argument("--partition-size", type=int, default=64)
    args = ap.parse_args()

    from coder.codebook import ActorCodebook
    from coder.export import export
    from coder.pipeline import DocumentResult, event_id
    from coder.records import Document, Event
    from coder.store import EventStore

    def result(i: int) -> DocumentResult:
        doc = Document(id=f"doc-{i}", text=f"text {i} " * 40, date=f"2026-03-{1 + i % 28:02d}", source=f"s{i % 50}")
        events = [
            Event(
                event_id(doc.id, k, 0, 10, "042"),
                doc.id,
                k,
                "A sentence of forty characters or so.",
                0,
                40,
                doc.date,
                ["USA", "CHN", "RUS"][i % 3],
                "x",
                0,
                3,
                ["IRN", "FRA"][k % 2],
                "y",
                10,
                13,
                "042",
                "042",
                "04",
                "Make a visit",
                1,
                1,
                1.9,
                0.9,
                False,
                False,
                ("syntax:svo", "model:042=0.900"),
                "visit",
                "m",
            )
            for k in range(args.events_per_doc)
        ]
        return DocumentResult(doc, sentences=args.events_per_doc, events=events)

    parts = [
        [result(i) for i in range(s, min(s + args.partition_size, args.documents))]
        for s in range(0, args.documents, args.partition_size)
    ]
    n_events = args.documents * args.events_per_doc
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        with EventStore.open(path) as store:
            run = store.start_run([], {})
            t0 = time.perf_counter()
            for p in parts:
                store.add_results(run, p)
            dt = time.perf_counter() - t0
            report(
                "store_insert", n_events / dt, "events/s", f"{args.documents} docs, partitions of {args.partition_size}"
            )
            report("store_insert_docs", args.documents / dt, "documents/s", "one transaction per partition")
            t0 = time.perf_counter()
            hits = sum(store.lookup(f"doc-{i}") is not None for i in range(args.documents))
            report("store_lookup", hits / (time.perf_counter() - t0), "lookups/s", "resume check per input document")
            codebook = ActorCodebook.load()
            for name, agg in (("export_aggregated_tsv", True), ("export_mentions_tsv", False)):
                t0 = time.perf_counter()
                export(store, Path(tmp) / f"{name}.tsv", codebook, aggregate=agg)
                report(name, n_events / (time.perf_counter() - t0), "mentions/s", f"{n_events} mentions")
        report("store_size", path.stat().st_size / n_events, "bytes/event", "SQLite file")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
