"""The ``eventcoder`` command. Each command is a few lines calling the library; typed errors become exit codes.

Exit status: 0 success; 1 unexpected coder error; 2 unusable input (nothing could be coded); 3 bad data file
(taxonomy, actors, labels); 4 model problem; 5 bad configuration.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from coder import __version__
from coder.errors import CoderError, InputError

log = logging.getLogger("coder")
DEFAULT_RUNTIME = "onnx"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not hasattr(args, "func"):
        parser.print_help()
        return 1
    try:
        return args.func(args) or 0
    except CoderError as e:
        print(f"eventcoder: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("eventcoder: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="eventcoder", description="Code news text into CAMEO dyadic events.")
    p.add_argument("--version", action="version", version=f"eventcoder {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(title="commands")

    c = sub.add_parser(
        "code",
        help="code documents into events",
        description="Code JSONL/CSV/.txt-folder/stdin documents into an event file "
        "(.jsonl, .csv, .tsv in GDELT 2.0 order, .parquet).",
    )
    c.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="JSONL (.gz), CSV, a folder of .txt files, or - for stdin"
    )
    c.add_argument("-o", "--output", required=True, type=Path, help="event file; its extension picks the format")
    c.add_argument("--model", type=Path, default=None, help="model folder (default: the shipped model)")
    c.add_argument("--threshold", type=float, default=0.5, help="minimum event confidence (default 0.5)")
    c.add_argument("--keep-negated", action="store_true", help="also write events flagged negated")
    c.add_argument("--drop-hypothetical", action="store_true", help="leave out events flagged hypothetical")
    c.add_argument(
        "--blank-targets",
        action="store_true",
        help="also code events whose target no dictionary codes (blank target): more recall, less precision",
    )
    c.add_argument("--actors", type=Path, default=None, help="user actor dictionary (YAML) added to the built-in one")
    c.add_argument("--rejects", type=Path, default=None, help="rejects file (default: OUTPUT stem + .rejects.jsonl)")
    c.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="where the classifier runs")
    c.add_argument(
        "--runtime",
        default=DEFAULT_RUNTIME,
        choices=["torch", "onnx"],
        help=f"eager PyTorch or int8 ONNX Runtime (default {DEFAULT_RUNTIME})",
    )
    c.set_defaults(func=cmd_code)

    lab = sub.add_parser("labels", help="validate the taxonomy, actor dictionaries and label files")
    lsub = lab.add_subparsers(title="labels commands")
    chk = lsub.add_parser("check", help="validate label files and print the coverage table")
    chk.add_argument("paths", nargs="*", type=Path, help="label files or folders (default: the project's labels/)")
    chk.add_argument("--actors", type=Path, default=None, help="user actor dictionary used to validate codes")
    chk.add_argument(
        "--minimums",
        action="store_true",
        help="also require the project corpus minimums (on by default for the project's labels/)",
    )
    chk.set_defaults(func=cmd_labels_check)
    lab.set_defaults(func=lambda a: (lab.print_help(), 1)[1])

    t = sub.add_parser(
        "train",
        help="train a model from a config (and optionally your own labels)",
        description="Fine-tune the event classifier; the config is the single source of truth.",
    )
    t.add_argument("--config", type=Path, default=Path("training/configs/default.toml"), help="training config (TOML)")
    t.add_argument("--out", type=Path, required=True, help="output model folder")
    t.add_argument(
        "--data",
        type=Path,
        nargs="+",
        default=None,
        help="label files/folders to train on instead of the config's label_paths",
    )
    t.add_argument("--with-corpus", action="store_true", help="with --data: add your labels to the config's corpus")
    t.add_argument("--version", dest="model_version", default="", help="version string stored in the model")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="score a model on gold data (label format or PentaClass file)")
    e.add_argument("gold", type=Path, help="gold file: the project's label format, or a PentaClass JSONL file")
    e.add_argument("--model", type=Path, default=None, help="model folder (default: the shipped model)")
    e.add_argument("--compare", type=Path, default=None, help="second model folder, shown side by side")
    e.add_argument("--limit", type=int, default=None, help="only the first N records")
    e.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    e.add_argument("--runtime", default=DEFAULT_RUNTIME, choices=["torch", "onnx"], help="inference runtime")
    e.add_argument(
        "--report-dir",
        type=Path,
        default=None,
        help="write figures.json, per_code.csv/.md, errors.md, confusion.png, reliability.png here "
        "(the --compare model's in DIR/compare)",
    )
    e.set_defaults(func=cmd_evaluate)

    return p


def cmd_code(args: argparse.Namespace) -> int:
    from coder.batch import code_to_file
    from coder.ingest import check_inputs
    from coder.pipeline import build_pipeline
    from coder.writers import format_for

    format_for(args.output)  # fail on a bad output extension or unreadable input before loading anything
    check_inputs(args.inputs)
    if not 0.0 <= args.threshold <= 1.0:
        raise InputError(f"--threshold {args.threshold} is outside [0, 1]")
    pipeline = build_pipeline(
        args.model,
        args.actors,
        args.device,
        args.threshold,
        args.keep_negated,
        args.drop_hypothetical,
        args.runtime,
        blank_targets=args.blank_targets,
    )
    rejects = args.rejects or args.output.with_name(args.output.name.split(".")[0] + ".rejects.jsonl")
    counts = code_to_file(pipeline, args.inputs, args.output, rejects)
    print(
        f"read {counts.read} documents: {counts.coded} with events, {counts.no_event} without, "
        f"{counts.rejected} rejected; {counts.sentences} sentences, {counts.events} events -> {args.output}"
        + (f" (rejects: {rejects})" if counts.rejected else ""),
        file=sys.stderr,
    )
    if counts.read and counts.rejected == counts.read:
        raise InputError(f"nothing could be coded: all {counts.read} records rejected (see {rejects})")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from coder.config import load_config
    from coder.trainer import train

    config = load_config(args.config)
    if args.data:
        paths = [str(p) for p in args.data]
        config = config.with_label_paths(list(config.data.label_paths) + paths if args.with_corpus else paths)
    metrics = train(config, args.out, args.model_version)
    dev, test = metrics["dev"], metrics["test"]
    print(
        f"trained in {metrics['timing_s']['total_training']} s -> {args.out}\n"
        f"dev: root accuracy {dev['root_accuracy']:.3f}, code macro-F1 {dev['code_macro_f1']:.3f}, "
        f"event F1 {dev['event_f1']:.3f}, ECE {dev['ece']:.3f}\n"
        f"test: root accuracy {test['root_accuracy']:.3f}, code macro-F1 {test['code_macro_f1']:.3f}, "
        f"event F1 {test['event_f1']:.3f}, ECE {test['ece']:.3f}"
    )
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from coder.evaluate import assess
    from coder.pipeline import build_pipeline
    from coder.report import compare_per_code, per_code_diff_lines, per_code_rows, side_by_side, write_report

    pipe = build_pipeline(args.model, runtime=args.runtime)
    model = assess(pipe, args.gold, args.limit)
    results = {"model": model.figures}
    other = assess(build_pipeline(args.compare, runtime=args.runtime), args.gold, args.limit) if args.compare else None
    if other:
        results["compare"] = other.figures
        results["per_code_diff"] = compare_per_code(model.figures, other.figures)
    print("\n".join(side_by_side(model.figures, other.figures if other else None)))
    print(f"\n{'per-code table, largest support first':<40}{'support':>8}{'prec':>8}{'recall':>8}{'F1':>8}")
    for row in per_code_rows(model, pipe.taxonomy)[:15]:
        print(f"{row['code']:<40}{row['support']:>8}{row['precision']:>8.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}")
    if other:
        print("\n" + "\n".join(per_code_diff_lines(results["per_code_diff"])))
    for note in model.figures.get("notes", []):
        print(f"\nnote: {note}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.report_dir:
        write_report(model, args.report_dir, pipe.taxonomy, str(args.model or "shipped model"))
        if other:
            write_report(other, args.report_dir / "compare", pipe.taxonomy, str(args.compare))
            (args.report_dir / "per_code_compare.json").write_text(
                json.dumps(results["per_code_diff"], indent=2) + "\n", encoding="utf-8"
            )
        print(f"\nreport: {args.report_dir}", file=sys.stderr)
    return 0


def cmd_labels_check(args: argparse.Namespace) -> int:
    from coder.labelcheck import run_check

    ok = run_check(args.paths, args.actors, args.minimums, out=sys.stdout)
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main())
