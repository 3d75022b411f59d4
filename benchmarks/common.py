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
