"""Evaluation reports: the per-code table, the worst-confused pairs with examples, side-by-side comparison of
two models, and a report folder holding all of it (JSON, CSV, Markdown, PNG).

Everything here works on :class:`coder.evaluate.Assessment` records and plain figure dicts; nothing codes
or loads a model.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from coder.evaluate import Assessment, Scored, flatten
from coder.model import NONE
from coder.taxonomy import CameoTaxonomy

TABLE_COLUMNS = ["code", "name", "support", "predicted", "precision", "recall", "f1"]
PENTACLASS_NAMES = {
    "0": "statement (roots 01-02)",
    "1": "verbal cooperation (03-05)",
    "2": "material cooperation (06-08)",
    "3": "verbal conflict (09-13, 16)",
    "4": "material conflict (14, 15, 17-20)",
    NONE: "no event",
}


@dataclass(frozen=True)
class ConfusedPair:
    """A gold class the model mistook for another, how often, and a few of the items (most confident first)."""

    gold: str
    predicted: str
    count: int
    examples: tuple[Scored, ...]


def label_name(label: str, level: str, taxonomy: CameoTaxonomy | None) -> str:
    """A readable name for a table label: the CAMEO name of a code, or the meaning of a PentaClass."""
    if level == "pentaclass":
        return PENTACLASS_NAMES.get(label, "")
    if label == NONE:
        return "no event"
    if taxonomy is not None and label in taxonomy:
        return taxonomy[label].name
    return ""


def per_code_rows(assessment: Assessment, taxonomy: CameoTaxonomy | None = None) -> list[dict]:
    """The per-code table as rows, largest support first (ties by code), each with the code's name."""
    table = assessment.figures["tables"]["per_code"]
    rows = [{"code": code, "name": label_name(code, assessment.level, taxonomy), **row} for code, row in table.items()]
    return sorted(rows, key=lambda r: (-r["support"], r["code"]))


def per_code_csv(rows: Sequence[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=TABLE_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: r[k] for k in TABLE_COLUMNS})
    return buf.getvalue()


def per_code_markdown(rows: Sequence[dict]) -> str:
    lines = ["| " + " | ".join(TABLE_COLUMNS) + " |", "|" + "---|" * len(TABLE_COLUMNS)]
    for r in rows:
        cells = [r["code"], r["name"], str(r["support"]), str(r["predicted"])]
        cells += [f"{r[k]:.3f}" for k in ("precision", "recall", "f1")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def confused_pairs(items: Sequence[Scored], top: int = 10, examples: int = 3) -> list[ConfusedPair]:
    """The ``top`` most frequent gold -> predicted mistakes, most frequent first (ties by gold, then predicted).

    Missed events (gold code, predicted NONE) and false alarms (gold NONE) count as confusions too. Examples are
    the most confident mistakes of the pair (ties by item id and text), so the order never depends on the run.
    """
    counts = Counter((it.gold, it.predicted) for it in items if it.gold != it.predicted)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))[:top]
    out = []
    for (g, p), n in ranked:
        wrong = sorted(
            (it for it in items if it.gold == g and it.predicted == p),
            key=lambda it: (-it.confidence, it.item_id, it.text),
        )
        out.append(ConfusedPair(g, p, n, tuple(wrong[:examples])))
    return out


def errors_markdown(
    assessment: Assessment,
    taxonomy: CameoTaxonomy | None = None,
    top: int = 10,
    examples: int = 3,
    title: str = "Error analysis",
) -> str:
    """The worst-confused pairs as Markdown: one section per pair with its count and example sentences."""
    items = assessment.items
    wrong = sum(it.gold != it.predicted for it in items)
    unit = "candidates" if assessment.level == "code" else "sentences"
    what = (
        "CAMEO class codes of classifier candidates (marked `<< source >>` and `[[ target ]]`)"
        if assessment.level == "code"
        else "PentaClass of each sentence's most confident event"
    )
    lines = [
        f"# {title}",
        "",
        f"Compared: {what}. {wrong} of {len(items)} {unit} are wrong; the {top} most frequent gold -> predicted "
        f"confusions follow, most frequent first, each with up to {examples} of its most confident mistakes.",
        "",
    ]
    pairs = confused_pairs(items, top, examples)
    if not pairs:
        lines.append("No confusions: every item was predicted correctly.")
    for rank, pair in enumerate(pairs, start=1):
        g_name = label_name(pair.gold, assessment.level, taxonomy)
        p_name = label_name(pair.predicted, assessment.level, taxonomy)
        lines += [f"## {rank}. {pair.gold} ({g_name}) -> {pair.predicted} ({p_name}): {pair.count}", ""]
        for ex in pair.examples:
            text = " ".join(ex.text.split()).replace("|", "\\|")
            lines.append(f"- `{ex.item_id}` (confidence {ex.confidence:.2f}): {text}")
        lines.append("")
    return "\n".join(lines)


def headline(figures: dict) -> dict[str, float]:
    """The flat figures without the tables (what is printed and compared line by line)."""
    return flatten({k: v for k, v in figures.items() if k != "tables"})


def side_by_side(a: dict, b: dict | None = None) -> list[str]:
    """Lines of ``figure  model [compare  diff]`` for two figure dicts (diff = compare - model)."""
    fa = headline(a)
    fb = headline(b) if b else {}
    lines = [f"{'figure':<48}{'model':>10}" + (f"{'compare':>10}{'diff':>10}" if b else "")]
    for k, v in fa.items():
        line = f"{k:<48}{v:>10.4f}"
        if b and k in fb:
            line += f"{fb[k]:>10.4f}{fb[k] - v:>+10.4f}"
        lines.append(line)
    return lines


def compare_per_code(a: dict, b: dict) -> dict[str, dict]:
    """Per-code F1 and support of both models and the F1 difference (compare - model), for every code in either."""
    ta, tb = a["tables"]["per_code"], b["tables"]["per_code"]
    out = {}
    for code in sorted(set(ta) | set(tb)):
        fa = ta.get(code, {}).get("f1", 0.0)
        fb = tb.get(code, {}).get("f1", 0.0)
        support = ta.get(code, tb.get(code, {})).get("support", 0)
        out[code] = {"support": support, "f1_model": fa, "f1_compare": fb, "f1_diff": round(fb - fa, 4)}
    return out


def per_code_diff_lines(diff: dict[str, dict], top: int = 10) -> list[str]:
    """The ``top`` codes whose F1 moved most between the two models (largest absolute change first)."""
    ranked = sorted(diff.items(), key=lambda kv: (-abs(kv[1]["f1_diff"]), kv[0]))[:top]
    lines = [f"{'per-code F1, largest changes':<30}{'support':>8}{'model':>10}{'compare':>10}{'diff':>10}"]
    for code, d in ranked:
        lines.append(f"{code:<30}{d['support']:>8}{d['f1_model']:>10.4f}{d['f1_compare']:>10.4f}{d['f1_diff']:>+10.4f}")
    return lines


def write_report(
    assessment: Assessment, out_dir: Path, taxonomy: CameoTaxonomy | None = None, title: str = ""
) -> list[Path]:
    """Write figures.json, per_code.csv, per_code.md, errors.md, confusion.png and reliability.png to ``out_dir``.

    Returns the paths written. Example sentences in errors.md come from the gold file: do not publish a report
    built from data you may not redistribute.
    """
    from coder.plots import confusion_png, reliability_png

    out_dir.mkdir(parents=True, exist_ok=True)
    figures = assessment.figures
    tables = figures["tables"]
    rows = per_code_rows(assessment, taxonomy)
    written = []

    def put(name: str, text: str) -> None:
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)

    put("figures.json", json.dumps(figures, indent=2) + "\n")
    put("per_code.csv", per_code_csv(rows))
    put("per_code.md", per_code_markdown(rows))
    put("errors.md", errors_markdown(assessment, taxonomy, title=f"Error analysis{': ' + title if title else ''}"))
    conf = tables["confusion"]
    level = "CAMEO root" if conf["level"] == "root" else "PentaClass"
    written.append(
        confusion_png(
            conf["labels"],
            conf["matrix"],
            out_dir / "confusion.png",
            f"{title + ': ' if title else ''}{level} confusion ({sum(map(sum, conf['matrix']))} items)",
        )
    )
    ece = figures.get("candidate_level", {}).get("ece", figures.get("ece_events"))
    written.append(
        reliability_png(
            tables["reliability"],
            out_dir / "reliability.png",
            f"{title + ': ' if title else ''}reliability (ECE {ece:.3f})" if ece is not None else title,
        )
    )
    return written
