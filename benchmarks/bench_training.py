"""Training time and memory on this machine's CPU: data preparation, caching of the frozen layers, seconds per
epoch, the whole `train` call and the process's peak RSS.

    python benchmarks/bench_training.py [--config training/configs/default.toml] [--small]

``--small`` trains on 40 sentences of each of three hand-written label files for the config's epochs (about
a minute on 2 cores with the default's 8 epochs; the scale of the notebook and the heavy test); without it the
config is used as it is (the default config takes about 16 minutes on 2 cores). The model goes to a temporary
folder and is deleted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from common import REPO, peak_rss_mb, report

SMALL_FILES = ("root04.jsonl", "root19.jsonl", "noevent1.jsonl")


def small_labels(out: Path, per_file: int = 40) -> Path:
    lines = []
    for name in SMALL_FILES:
        lines += (REPO / "labels" / "corpus" / "handwritten" / name).read_text().splitlines()[:per_file]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", type=Path, default=REPO / "training" / "configs" / "default.toml")
    ap.add_argument("--small", action="store_true", help="train on 120 hand-written sentences instead")
    args = ap.parse_args()
    from coder.config import config_from_dict
    from coder.trainer import train

    raw = tomllib.loads(args.config.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        if args.small:
            raw["data"]["label_paths"] = [str(small_labels(Path(tmp) / "small.jsonl"))]
        config = config_from_dict(raw)
        t0 = time.perf_counter()
        metrics = train(config, Path(tmp) / "model")
        wall = time.perf_counter() - t0
    sentences = sum(metrics["sentences"].values())
    note = f"{args.config.name}{' --small' if args.small else ''}, {sentences} sentences, {config.train.epochs} epochs"
    timing = metrics["timing_s"]
    epochs = [h["seconds"] for h in metrics["history"]]
    report("train_prepare", timing["prepare"], "s", note + ": parse, candidates, tokenise")
    report("train_cache_lower_layers", timing["cache_lower_layers"], "s", note + ": frozen layers run once")
    report("train_epoch_mean", sum(epochs) / len(epochs) if epochs else 0.0, "s", note)
    report("train_total", timing["total_training"], "s", note + ": timing_s.total_training in the model card")
    report("train_wall", wall, "s", note + ": with calibration, evaluation, baselines and saving")
    report(
        "train_examples_per_s",
        metrics["examples"]["train"] * len(epochs) / max(sum(epochs), 1e-9),
        "examples/s",
        note + ": training epochs only",
    )
    report("peak_rss_train", peak_rss_mb(), "MB", "whole process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
