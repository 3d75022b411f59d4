"""Shared helpers of the benchmark scripts: one output format, peak memory, the sentences they run on."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def report(name: str, value: float, unit: str, note: str = "") -> None:
    """Every benchmark prints lines of the same shape: ``name<TAB>value<TAB>unit<TAB>note``."""
    print(f"{name}\t{value:.4g}\t{unit}\t{note}", flush=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus_sentences(n: int) -> list[str]:
    """News-style sentences written by the project (hand-written corpus, test split first), cycled to n."""
    from coder.codebook import ActorCodebook
    from coder.labelset import check_files, split_of
    from coder.taxonomy import CameoTaxonomy

    rep = check_files([REPO / "labels" / "corpus" / "handwritten"], CameoTaxonomy.load(), ActorCodebook.load())
    recs = sorted(rep.records, key=lambda r: (split_of(r) != "test", r.id))
    texts = [r.text for r in recs]
    return [texts[i % len(texts)] for i in range(n)]


def sample_documents() -> list[dict]:
    return [json.loads(x) for x in (REPO / "examples" / "articles.jsonl").read_text().splitlines() if x.strip()]


def bare_encoder_rate(sentences: list[str]) -> float:
    """Sentences/s of the bare MiniLM encoder (fp32, 2 threads, batch 64, shortest first, forward pass only):
    the floor any transformer coder pays for reading these sentences."""
    import time

    import torch
    from transformers import AutoModel, AutoTokenizer

    from coder.model import base_encoder_dir

    torch.set_num_threads(2)
    tok = AutoTokenizer.from_pretrained(str(base_encoder_dir()))
    enc = AutoModel.from_pretrained(str(base_encoder_dir())).eval()
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    t0 = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(order), 64):
            texts = [sentences[j] for j in order[i : i + 64]]
            enc(**tok(texts, padding=True, truncation=True, max_length=96, return_tensors="pt"))
    return len(sentences) / (time.perf_counter() - t0)
