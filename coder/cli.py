"""The ``eventcoder`` command. Each command is a few lines calling the library; typed errors become exit codes.

Exit status: 0 success; 1 unexpected coder error; 2 unusable input (nothing could be coded); 3 bad data file
(taxonomy, actors, labels); 4 model problem; 5 bad configuration; 6 unusable event store.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from coder import __version__
from coder.errors import CoderError, ConfigError, InputError
from coder.resources import DEFAULT_THRESHOLD

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
        help="code documents into the event store (and an event file)",
        description="Code JSONL/CSV/.txt-folder/stdin documents into the event store (resumable: a re-run skips "
        "documents already coded) and, with -o, export the store to an event file "
        "(.jsonl, .csv, .tsv in GDELT 2.0 order, .parquet).",
    )
    c.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="JSONL (.gz), CSV, a folder of .txt files, or - for stdin"
    )
    c.add_argument(
        "-o", "--output", type=Path, default=None, help="event file exported at the end; its extension picks the format"
    )
    c.add_argument(
        "--store", type=Path, default=None, help="event store (SQLite) to code into (default: OUTPUT stem + .db)"
    )
    c.add_argument("--mentions", type=Path, default=None, help="with -o: also write the per-mention table here")
    c.add_argument(
        "--no-aggregate", action="store_true", help="with -o: one row per mention instead of GDELT-style events"
    )
    c.add_argument(
        "--engine", default="local", choices=["local", "dask"], help="code in this process or on Dask workers"
    )
    c.add_argument("--workers", type=int, default=None, help="--engine dask: start a local cluster of N workers")
    c.add_argument("--scheduler", default=None, help="--engine dask: address of a running Dask scheduler")
    c.add_argument(
        "--partition-size",
        type=int,
        default=64,
        help="documents per partition: one store transaction, one Dask task (default 64)",
    )
    c.add_argument("--model", type=Path, default=None, help="model folder (default: the shipped model)")
    c.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"minimum event confidence (default {DEFAULT_THRESHOLD}, chosen on the corpus dev split)",
    )
    c.add_argument("--keep-negated", action="store_true", help="also write events flagged negated")
    c.add_argument("--drop-hypothetical", action="store_true", help="leave out events flagged hypothetical")
    c.add_argument(
        "--blank-targets",
        default="model",
        choices=["model", "on", "off"],
        help="code events whose object no dictionary codes (blank target code) where no two coded actors are "
        "linked: 'model' (default) does so when the model was trained on such candidates",
    )
    c.add_argument("--actors", type=Path, default=None, help="user actor dictionary (YAML) added to the built-in one")
    c.add_argument(
        "--rejects", type=Path, default=None, help="rejects file (default: OUTPUT or STORE stem + .rejects.jsonl)"
    )
    c.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="where the classifier runs")
    c.add_argument(
        "--runtime",
        default=DEFAULT_RUNTIME,
        choices=["torch", "onnx"],
        help=f"eager PyTorch or int8 ONNX Runtime (default {DEFAULT_RUNTIME})",
    )
    c.set_defaults(func=cmd_code)

    x = sub.add_parser(
        "export",
        help="write the event store as a dataset file",
        description="Export an event store to .tsv (GDELT 2.0), .csv, .jsonl or .parquet, GDELT-style aggregated "
        "unless --no-aggregate, with an optional per-mention table.",
    )
    x.add_argument("store", type=Path, metavar="STORE", help="event store made by 'eventcoder code'")
    x.add_argument("-o", "--output", type=Path, required=True, help="event file; its extension picks the format")
    x.add_argument("--mentions", type=Path, default=None, help="also write the per-mention table here")
    x.add_argument("--no-aggregate", action="store_true", help="one row per mention instead of GDELT-style events")
    x.add_argument("--actors", type=Path, default=None, help="user actor dictionary used when coding (actor columns)")
    x.set_defaults(func=cmd_export)

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
    from coder.batch import code_to_store
    from coder.engines import CodingSettings, DaskEngine, LocalEngine
    from coder.ingest import check_inputs
    from coder.pipeline import BLANK_TARGETS
    from coder.progress import Progress
    from coder.store import EventStore
    from coder.writers import format_for

    if args.output is None and args.store is None:
        raise InputError("give -o OUTPUT (an event file), --store STORE (the event store), or both")
    for path in (args.output, args.mentions):
        if path is not None:
            format_for(path)  # fail on a bad output extension or unreadable input before loading anything
    check_inputs(args.inputs)
    if not 0.0 <= args.threshold <= 1.0:
        raise InputError(f"--threshold {args.threshold} is outside [0, 1]")
    if args.engine == "local" and (args.workers or args.scheduler):
        raise ConfigError("--workers and --scheduler need --engine dask")
    store_path = args.store or args.output.with_name(args.output.name.split(".")[0] + ".db")
    named = args.output or store_path
    rejects = args.rejects or named.with_name(named.name.split(".")[0] + ".rejects.jsonl")
    settings = CodingSettings(
        str(args.model) if args.model else None,
        str(args.actors) if args.actors else None,
        args.device,
        args.threshold,
        args.keep_negated,
        args.drop_hypothetical,
        args.runtime,
        BLANK_TARGETS[args.blank_targets],
    )
    with EventStore.open(store_path) as store:
        identity = settings.identity()
        store.check_settings(identity)  # refuse a store made with other settings before loading the model
        if args.engine == "dask":
            engine = DaskEngine(settings, scheduler=args.scheduler, workers=args.workers)
        else:
            engine = LocalEngine(settings=settings)
        progress = Progress()  # code_to_store enters it: a bar on a terminal only
        with engine:
            counts = code_to_store(
                engine, args.inputs, store, rejects, identity, args.partition_size, progress=progress
            )
        print(
            f"read {counts.read} documents: {counts.coded} with events, {counts.no_event} without, "
            f"{counts.rejected} rejected; {counts.sentences} sentences, {counts.events} events"
            + (f" ({counts.already_coded} already in the store)" if counts.already_coded else "")
            + (
                f"; {counts.new_events} new events in {progress.elapsed:.1f} s ({progress.rates()})"
                if progress.documents
                else "; nothing new to code"
            )
            + f" -> {store_path}"
            + (f" (rejects: {rejects})" if counts.rejected else ""),
            file=sys.stderr,
        )
        if counts.read and counts.rejected == counts.read:
            raise InputError(f"nothing could be coded: all {counts.read} records rejected (see {rejects})")
        if args.output is not None:
            _export(store, args.output, args.mentions, not args.no_aggregate, args.actors)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from coder.store import EventStore
    from coder.writers import format_for

    for path in (args.output, args.mentions):
        if path is not None:
            format_for(path)
    with EventStore.open(args.store, create=False) as store:
        _export(store, args.output, args.mentions, not args.no_aggregate, args.actors)
    return 0


def _export(store, output: Path, mentions: Path | None, aggregate: bool, actors: Path | None) -> None:
    from coder.codebook import ActorCodebook
    from coder.export import export

    codebook = ActorCodebook.load()
    if actors is not None:
        codebook.add_user_dictionary(actors)
    n = export(store, output, codebook, aggregate=aggregate, mentions=mentions)
    what = f"{n.events} events from {n.mentions} mentions" if aggregate else f"{n.events} event mentions"
    print(f"exported {what} -> {output}" + (f" (mentions: {mentions})" if mentions else ""), file=sys.stderr)


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
