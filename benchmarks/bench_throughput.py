"""End-to-end throughput of the local engine, from raw text to the event store, against the bare encoder.

    python benchmarks/bench_throughput.py [--documents 300] [--per-document 10] [--runtime onnx]

The corpus is generated from the project's hand-written sentences (test split first): documents of
``--per-document`` sentences with dates spread over a month and a handful of publishers, written as a JSONL batch
to a temporary folder. The coded run is what ``eventcoder code BATCH --store S.db`` does (ingest, sentence
splitting, parsing, actor coding, dyads, rules, classification, store commits), timed after the model has
loaded; it runs in its own process so its peak RSS is its own. The bare encoder (MiniLM forward pass only, fp32,
2 threads, batch 64, the same sentences) is the floor any transformer coder pays for reading them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, bare_encoder_rate, corpus_sentences, peak_rss_mb, report


def write_batch(path: Path, n_docs: int, per_doc: int) -> int:
    texts = corpus_sentences(n_docs * per_doc)
    publishers = ["Wire A", "Wire B", "Daily C", "Radio D", "Gazette E"]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n_docs):
            body = " ".join(texts[i * per_doc : (i + 1) * per_doc])
            doc = {"id": f"bench-{i:06d}", "text": body, "date": f"2026-03-{1 + i % 28:02d}"}
            doc["source"] = publishers[i % len(publishers)]
            f.write(json.dumps(doc) + "\n")
    return n_docs * per_doc


def run_coder(batch: Path, runtime: str) -> None:
    from coder.batch import code_to_store
    from coder.engines import CodingSettings, LocalEngine
    from coder.store import EventStore

    settings = CodingSettings(runtime=runtime)
    with tempfile.TemporaryDirectory() as tmp, EventStore.open(Path(tmp) / "bench.db") as store:
        engine = LocalEngine(settings=settings)
        engine.prepare()  # model load is not part of the rate
        t0 = time.perf_counter()
        counts = code_to_store(engine, [str(batch)], store, Path(tmp) / "rejects.jsonl", settings.identity())
        dt = time.perf_counter() - t0
    note = f"{counts.read} documents, {counts.sentences} sentences, {counts.events} events, {runtime}"
    report(f"e2e_local_{runtime}", counts.sentences / dt, "sentences/s", note + ", raw text to store")
    report(f"e2e_local_{runtime}_docs", counts.read / dt, "documents/s", note)
    report(f"peak_rss_local_{runtime}", peak_rss_mb(), "MB", "whole coding process, model loaded")


def run_encoder(batch: Path) -> None:
    from coder.nlp import load_spacy, split_documents
    from coder.records import Document

    docs = [Document(id=d["id"], text=d["text"]) for d in map(json.loads, batch.read_text().splitlines())]
    sentences = [ps.sentence.text for _, sents in split_documents(load_spacy(), docs) for ps in sents]
    rate = bare_encoder_rate(sentences)
    report("bare_encoder_fp32", rate, "sentences/s", f"{len(sentences)} sentences, forward only")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=300)
    ap.add_argument("--per-document", type=int, default=10)
    ap.add_argument("--runtime", default="onnx", choices=["onnx", "torch"])
    ap.add_argument("--child", default="")
    ap.add_argument("--batch", type=Path, default=None)
    args = ap.parse_args()
    if args.child == "coder":
        run_coder(args.batch, args.runtime)
        return 0
    if args.child == "encoder":
        run_encoder(args.batch)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch.jsonl"
        write_batch(batch, args.documents, args.per_document)
        out = {}
        for child in ("coder", "encoder"):
            cmd = [sys.executable, __file__, "--child", child, "--batch", str(batch), "--runtime", args.runtime]
            res = subprocess.run(cmd, check=True, cwd=REPO, capture_output=True, text=True)
            sys.stdout.write(res.stdout)
            for line in res.stdout.splitlines():
                name, value = line.split("\t")[:2]
                out[name] = float(value)
        ratio = out[f"e2e_local_{args.runtime}"] / out["bare_encoder_fp32"]
        report("ratio_to_bare_encoder", ratio, "x", "end-to-end coder sentences/s over bare encoder sentences/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
