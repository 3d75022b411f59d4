"""Source/target span F1 of the rule layer on the external ConfliBERT CAMEO sentences (issue 5's figure).

    python benchmarks/span_f1.py [--model DIR] [--runtime onnx|torch] [--limit N] [--gold FILE]

For every sentence the coder's actor mentions of the dyad it finds most likely to hold the event
(``span_best_dyad``) and of its emitted top event (``span_top_event``) are matched to the annotators' source and
target spans (``coder.evaluate.span_figures``: lenient = a shared content word, strict = Dice >= 0.5 of content
words; ``all`` sentences, or only those where the annotators marked a span). The file is read from
``../shared/eval/dev/`` and is not shipped; the script says so and exits 0 when it is absent.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common import REPO, report

EVAL_DEV = REPO.parent / "shared" / "eval" / "dev" / "conflibert_cameo_train.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--runtime", default="onnx", choices=["onnx", "torch"])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--blank-targets", default="model", choices=["model", "on", "off"], help="as eventcoder code")
    ap.add_argument("--gold", type=Path, default=EVAL_DEV)
    args = ap.parse_args()
    if not args.gold.exists():
        print(f"# {args.gold} absent: span F1 not measured", flush=True)
        return 0
    from coder.evaluate import evaluate_pentaclass
    from coder.pipeline import BLANK_TARGETS, build_pipeline

    pipe = build_pipeline(args.model, runtime=args.runtime, blank_targets=BLANK_TARGETS[args.blank_targets])
    figures = evaluate_pentaclass(pipe, args.gold, args.limit)
    note = f"{args.gold.name}, {figures['sentences']} sentences, {args.runtime}"
    for which in ("span_best_dyad", "span_top_event"):
        for subset, prf in figures[which].items():
            for k in ("precision", "recall", "f1"):
                report(f"{which}_{subset}_{k}", prf[k], "", note)
    report("pentaclass_macro_f1", figures["pentaclass_macro_f1"], "", note)
    report("no_event_rate", figures["no_event_rate"], "", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
