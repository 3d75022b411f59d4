"""Accuracy figures of the shipped (or a given) model: the corpus dev split, fp32 vs int8, and the external
PentaClass benchmark in ../shared/eval/dev when it is present (it is not shipped with the project).

    python benchmarks/eval_models.py [--model DIR] [--runtime torch onnx] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from common import REPO, report

EVAL_DEV = REPO.parent / "shared" / "eval" / "dev" / "conflibert_cameo_train.jsonl"


def dev_split_file(config_path: Path, out: Path) -> int:
    from coder.codebook import ActorCodebook
    from coder.config import load_config
    from coder.labelset import record_to_json
    from coder.taxonomy import CameoTaxonomy
    from coder.trainer import load_records, split_records

    cfg = load_config(config_path)
    recs = split_records(load_records(cfg, CameoTaxonomy.load(), ActorCodebook.load()), cfg).dev
    out.write_text("".join(json.dumps(record_to_json(r)) + "\n" for r in recs), encoding="utf-8")
    return len(recs)


def main() -> int:
    import torch

    torch.set_num_threads(2)
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--config", type=Path, default=REPO / "training" / "configs" / "default.toml")
    ap.add_argument("--runtime", nargs="+", default=["torch", "onnx"])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--blank-targets", default="model", choices=["model", "on", "off"], help="as eventcoder code")
    ap.add_argument("--skip-dev", action="store_true")
    args = ap.parse_args()
    from coder.evaluate import assess_pentaclass, evaluate_labels
    from coder.pipeline import BLANK_TARGETS, build_pipeline

    with tempfile.TemporaryDirectory() as tmp:
        dev = Path(tmp) / "dev.jsonl"
        n = dev_split_file(args.config, dev)
        for runtime in args.runtime:
            pipe = build_pipeline(args.model, runtime=runtime, blank_targets=BLANK_TARGETS[args.blank_targets])
            if not args.skip_dev:
                m = evaluate_labels(pipe, dev, args.limit)
                c, e = m["candidate_level"], m["end_to_end"]
                note = f"corpus dev split, {n} sentences"
                report(f"dev_root_accuracy_{runtime}", c["root_accuracy"], "", note)
                report(f"dev_code_macro_f1_{runtime}", c["code_macro_f1"], "", note)
                report(f"dev_event_f1_{runtime}", c["event_f1"], "", note)
                report(f"dev_ece_{runtime}", c["ece"], "", note)
                report(f"dev_quad_class_macro_f1_{runtime}", c["quad_class_macro_f1"], "", note)
                report(f"dev_penta_class_macro_f1_{runtime}", c["penta_class_macro_f1"], "", note)
                report(f"dev_e2e_dyad_root_f1_{runtime}", e["dyad_root"]["f1"], "", note + ", full pipeline")
                report(f"dev_e2e_dyad_code_f1_{runtime}", e["dyad_code_exact"]["f1"], "", note + ", full pipeline")
            if EVAL_DEV.exists():
                p = assess_pentaclass(pipe, EVAL_DEV, args.limit).figures
                note = f"{EVAL_DEV.name}, {p['sentences']} sentences"
                report(f"eval_pentaclass_macro_f1_{runtime}", p["pentaclass_macro_f1"], "", note)
                report(f"eval_pentaclass_accuracy_{runtime}", p["pentaclass_accuracy"], "", note)
                report(f"eval_no_event_rate_{runtime}", p["no_event_rate"], "", note)
                report(f"eval_span_f1_best_dyad_{runtime}", p["span_best_dyad"]["all_lenient"]["f1"], "", note)
                report(f"eval_ece_events_{runtime}", p["ece_events"], "", note + ", sentences with an event")
            else:
                print(f"# {EVAL_DEV} absent: external benchmark skipped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
