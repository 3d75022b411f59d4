"""Inference speed and memory on this machine's CPU: classifier fp32 (PyTorch) vs int8 (ONNX Runtime),
end-to-end pipeline, and the bare encoder (the floor any transformer coder pays).

    python benchmarks/bench_inference.py [--sentences 2000] [--runtime torch onnx]

Run each runtime in its own process for honest peak-memory figures (the script does that itself).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from common import REPO, bare_encoder_rate, corpus_sentences, peak_rss_mb, report


def run_one(runtime: str, n: int) -> None:
    import torch

    torch.set_num_threads(2)
    from coder.pipeline import build_pipeline
    from coder.records import Document

    texts = corpus_sentences(n)
    pipe = build_pipeline(runtime=runtime)
    pipe.classifier.batch_size = 64
    # Classifier alone on marked candidates from these sentences.
    docs = [Document(id=str(i), text=t) for i, t in enumerate(texts)]
    from coder.nlp import split_documents

    t0 = time.perf_counter()
    parsed = list(split_documents(pipe.nlp, docs))
    t_parse = time.perf_counter() - t0
    cands = [c for d, s in parsed for c, _ in pipe.candidates(d, s)]
    from coder.model import candidate_text

    marked = [candidate_text(c) for c in cands]
    pipe.classifier.logits(marked[:64])  # warm-up
    t0 = time.perf_counter()
    pipe.classifier.logits(marked)
    t_clf = time.perf_counter() - t0
    report(f"classifier_{runtime}", len(marked) / t_clf, "candidates/s", f"{len(marked)} candidates")
    report("parse_spacy", len(texts) / t_parse, "sentences/s", "sentence split + tagger + parser + lemmatizer (no NER)")
    t0 = time.perf_counter()
    n_events = sum(len(r.events) for r in pipe.code(docs))
    t_all = time.perf_counter() - t0
    report(f"pipeline_{runtime}", len(texts) / t_all, "sentences/s", f"end to end, {n_events} events")
    report(f"peak_rss_{runtime}", peak_rss_mb(), "MB", "whole process")


def run_encoder(n: int) -> None:
    rate = bare_encoder_rate(corpus_sentences(n))
    report("bare_encoder_fp32", rate, "sentences/s", "MiniLM forward only, batch 64")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--runtime", nargs="+", default=["torch", "onnx"])
    ap.add_argument("--child", default="")
    args = ap.parse_args()
    if args.child == "encoder":
        run_encoder(args.sentences)
        return 0
    if args.child:
        run_one(args.child, args.sentences)
        return 0
    for child in [*args.runtime, "encoder"]:
        subprocess.run(
            [sys.executable, __file__, "--child", child, "--sentences", str(args.sentences)], check=True, cwd=REPO
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
