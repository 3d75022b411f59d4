"""Evaluation figures, tables, plots and the error report (unit tier on hand-made items; marker model for runs)."""

import json
from pathlib import Path

import numpy as np
import pytest

from coder.evaluate import QUADCLASS_NOTE, Assessment, Scored, assess, flatten
from coder.metrics import confusion, expected_calibration_error, per_label_table, reliability_bins
from coder.report import (
    compare_per_code,
    confused_pairs,
    errors_markdown,
    per_code_diff_lines,
    per_code_rows,
    side_by_side,
    write_report,
)

REPO = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Fictional items in the spirit of PETRARCH's Arnor/Gondor gold records.
ITEMS = (
    Scored("a1", "<< Arnor >> shelled [[ Gondor ]].", "190", "190", 0.95),
    Scored("a2", "<< Arnor >> bombed [[ Gondor ]].", "195", "190", 0.80),
    Scored("a3", "<< Rohan >> bombed [[ Gondor ]] again.", "195", "190", 0.90),
    Scored("a4", "<< Arnor >> met [[ Rohan ]].", "040", "NONE", 0.60),
    Scored("a5", "<< Arnor >> and [[ Rohan ]] talked.", "NONE", "NONE", 0.99),
    Scored("a6", "<< Rohan >> praised [[ Arnor ]].", "051", "051", 0.70),
    Scored("a7", "<< Gondor >> hosted [[ Rohan ]] fans.", "NONE", "040", 0.55),
)


def _assessment(items=ITEMS) -> Assessment:
    gold = [it.gold for it in items]
    pred = [it.predicted for it in items]
    roots = ["04", "05", "19", "NONE"]

    def root(c):
        return c if c == "NONE" else c[:2]

    conf = np.array([it.confidence for it in items])
    correct = np.array([g == p for g, p in zip(gold, pred, strict=True)])
    figures = {
        "format": "labels",
        "sentences": 6,
        "candidate_level": {"n": len(items), "ece": round(expected_calibration_error(conf, correct), 4)},
        "tables": {
            "per_code": per_label_table(gold, pred),
            "confusion": {
                "level": "root",
                "labels": roots,
                "matrix": confusion(map(root, gold), map(root, pred), roots),
            },
            "reliability": reliability_bins(conf, correct),
        },
    }
    return Assessment(figures, tuple(items), "code")


def test_per_label_table_counts_add_up():
    gold = [it.gold for it in ITEMS]
    pred = [it.predicted for it in ITEMS]
    table = per_label_table(gold, pred)
    assert sum(r["support"] for r in table.values()) == len(ITEMS)
    assert sum(r["predicted"] for r in table.values()) == len(ITEMS)
    assert table["195"] == {"support": 2, "predicted": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    # 190: 1 right of 3 predicted, 1 of 1 gold -> P 1/3, R 1
    assert table["190"]["precision"] == pytest.approx(0.3333) and table["190"]["recall"] == 1.0


def test_confusion_counts_sum_to_items_and_rows_to_support():
    gold = [it.gold for it in ITEMS]
    pred = [it.predicted for it in ITEMS]
    labels = sorted(set(gold) | set(pred))
    m = confusion(gold, pred, labels)
    assert sum(map(sum, m)) == len(ITEMS)
    table = per_label_table(gold, pred)
    for i, lab in enumerate(labels):
        assert sum(m[i]) == table[lab]["support"]
        assert m[i][i] == round(table[lab]["recall"] * table[lab]["support"])
    with pytest.raises(KeyError):
        confusion(["040"], ["999"], ["040"])


def test_reliability_bins_agree_with_ece():
    rng = np.random.default_rng(0)
    conf = rng.uniform(0, 1, 500)
    correct = rng.uniform(0, 1, 500) < conf
    bins = reliability_bins(conf, correct)
    assert len(bins) == 15 and sum(b["count"] for b in bins) == 500
    ece = sum(b["count"] / 500 * abs(b["accuracy"] - b["confidence"]) for b in bins)
    assert ece == pytest.approx(expected_calibration_error(conf, correct), abs=1e-3)


def test_worst_confusion_comes_first_with_most_confident_example():
    pairs = confused_pairs(ITEMS, top=10, examples=3)
    assert [(p.gold, p.predicted, p.count) for p in pairs] == [
        ("195", "190", 2),
        ("040", "NONE", 1),
        ("NONE", "040", 1),
    ]
    assert [e.item_id for e in pairs[0].examples] == ["a3", "a2"]  # confidence 0.90 before 0.80
    assert confused_pairs(tuple(reversed(ITEMS))) == pairs  # order of the input does not matter


def test_errors_markdown_lists_the_worst_pair_first(taxonomy):
    md = errors_markdown(_assessment(), taxonomy)
    sections = [line for line in md.splitlines() if line.startswith("## ")]
    assert sections[0].startswith("## 1. 195 (") and sections[0].endswith(
        "-> 190 (Use conventional military force, not specified below): 2"
    )
    assert "4 of 7 candidates are wrong" in md
    assert md.index("`a3`") < md.index("`a2`")


def test_per_code_rows_are_sorted_and_named(taxonomy):
    rows = per_code_rows(_assessment(), taxonomy)
    supports = [r["support"] for r in rows]
    assert supports == sorted(supports, reverse=True)
    assert {r["code"]: r["name"] for r in rows}["051"] == taxonomy["051"].name


def test_side_by_side_shows_differences_and_skips_tables():
    a = _assessment().figures
    b = json.loads(json.dumps(a))
    b["candidate_level"]["ece"] = a["candidate_level"]["ece"] + 0.25
    lines = side_by_side(a, b)
    assert lines[0].split() == ["figure", "model", "compare", "diff"]
    ece_line = next(line for line in lines if line.startswith("candidate_level.ece"))
    assert ece_line.split()[-1] == "+0.2500"
    assert not any(line.startswith("tables.") for line in lines)
    assert any(k.startswith("tables.per_code") for k in flatten(a))  # the tables are there, just not printed


def test_compare_per_code_covers_both_models():
    a = _assessment().figures
    b = _assessment(ITEMS[:1] + (Scored("b1", "<< Rohan >> fought [[ Arnor ]].", "195", "195", 0.9),)).figures
    diff = compare_per_code(a, b)
    assert set(diff) == set(a["tables"]["per_code"]) | set(b["tables"]["per_code"])
    assert diff["195"]["f1_model"] == 0.0 and diff["195"]["f1_compare"] == 1.0 and diff["195"]["f1_diff"] == 1.0
    lines = per_code_diff_lines(diff, top=3)
    changes = [abs(float(line.split()[-1])) for line in lines[1:]]
    assert len(lines) == 4 and changes == sorted(changes, reverse=True) and changes[0] == 1.0


def test_report_folder_is_complete_and_readable(tmp_path, taxonomy):
    a = _assessment()
    written = write_report(a, tmp_path / "rep", taxonomy, "fictional")
    names = {p.name for p in written}
    assert names == {"figures.json", "per_code.csv", "per_code.md", "errors.md", "confusion.png", "reliability.png"}
    for png in ("confusion.png", "reliability.png"):
        data = (tmp_path / "rep" / png).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5000
    assert json.loads((tmp_path / "rep" / "figures.json").read_text()) == json.loads(json.dumps(a.figures))
    csv_lines = (tmp_path / "rep" / "per_code.csv").read_text().splitlines()
    assert csv_lines[0] == "code,name,support,predicted,precision,recall,f1"
    assert sum(int(line.rsplit(",", 5)[1]) for line in csv_lines[1:]) == len(ITEMS)


# --- with the shipped model -------------------------------------------------------------------------------------


def _label_gold(tmp_path: Path, n: int = 12) -> Path:
    lines = []
    for name in ("root19.jsonl", "root04.jsonl", "noevent1.jsonl"):
        lines += (REPO / "labels" / "corpus" / "handwritten" / name).read_text().splitlines()[:n]
    out = tmp_path / "gold.jsonl"
    out.write_text("\n".join(lines) + "\n")
    return out


@pytest.mark.model
def test_label_gold_tables_are_consistent(pipeline, tmp_path):
    a = assess(pipeline, _label_gold(tmp_path))
    c = a.figures["candidate_level"]
    t = a.figures["tables"]
    assert a.level == "code" and len(a.items) == c["n"]
    assert sum(r["support"] for r in t["per_code"].values()) == c["n"]
    assert sum(r["support"] for code, r in t["per_code"].items() if code != "NONE") == c["n_events"]
    assert sum(map(sum, t["confusion"]["matrix"])) == c["n"]
    assert len(t["confusion"]["labels"]) == 21 and t["confusion"]["labels"][-1] == "NONE"
    assert sum(b["count"] for b in t["reliability"]) == c["n"]
    for key in ("quad_class_macro_f1", "penta_class_macro_f1", "code_accuracy", "root_macro_f1", "ece"):
        assert 0.0 <= c[key] <= 1.0, key


def _pentaclass_gold(tmp_path: Path) -> Path:
    rows = [
        {
            "id": 1,
            "text": "Iran attacked Iraq on Monday.",
            "pentaclass": 4,
            "source_spans": ["Iran"],
            "target_spans": ["Iraq"],
        },
        {
            "id": 2,
            "text": "Kenya met Uganda in Nairobi.",
            "pentaclass": 1,
            "source_spans": ["Kenya"],
            "target_spans": ["Uganda"],
        },
        {"id": 3, "text": "The weather was mild in Lima.", "pentaclass": 0, "source_spans": [], "target_spans": []},
    ]
    out = tmp_path / "penta.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return out


@pytest.mark.model
def test_pentaclass_gold_reports_confusion_and_why_quadclass_is_absent(pipeline, tmp_path):
    a = assess(pipeline, _pentaclass_gold(tmp_path))
    f = a.figures
    assert a.level == "pentaclass" and [it.gold for it in a.items] == ["4", "1", "0"]
    assert f["tables"]["confusion"]["labels"] == ["0", "1", "2", "3", "4", "NONE"]
    assert sum(map(sum, f["tables"]["confusion"]["matrix"])) == 3
    assert QUADCLASS_NOTE in f["notes"] and "quad_class_macro_f1" not in flatten(f)
    assert a.items[0].predicted == "4"  # "attacked" is material conflict
    assert "span_best_dyad" in f and 0.0 <= f["ece_events"] <= 1.0


@pytest.mark.model
def test_cli_evaluate_compare_and_report_dir(tmp_path, capsys):
    from coder.cli import main
    from coder.resources import default_model_dir

    gold = _label_gold(tmp_path, 6)
    rep = tmp_path / "rep"
    args = ["evaluate", str(gold), "--compare", str(default_model_dir()), "--report-dir", str(rep)]
    assert main([*args, "--json", str(tmp_path / "f.json"), "--runtime", "torch"]) == 0
    out = capsys.readouterr().out
    assert "diff" in out.splitlines()[0] and "per-code F1, largest changes" in out
    ece_line = next(line for line in out.splitlines() if line.startswith("candidate_level.ece"))
    assert ece_line.split()[-1] in ("+0.0000", "-0.0000")  # the same model twice
    figures = json.loads((tmp_path / "f.json").read_text())
    assert set(figures) == {"model", "compare", "per_code_diff"}
    assert all(d["f1_diff"] == 0 for d in figures["per_code_diff"].values())
    for folder in (rep, rep / "compare"):
        assert (folder / "confusion.png").read_bytes().startswith(PNG_MAGIC)
        assert (folder / "errors.md").read_text().startswith("# Error analysis")
    assert (rep / "per_code_compare.json").exists()


@pytest.mark.model
def test_external_pentaclass_benchmark_report(pipeline, tmp_path):
    from tests.conftest import shared_path

    gold = shared_path("eval", "dev", "conflibert_cameo_train.jsonl")
    a = assess(pipeline, gold, limit=40)
    written = write_report(a, tmp_path / "ext", pipeline.taxonomy)  # tmp only: the text is not ours to publish
    assert len(a.items) == 40 and sum(map(sum, a.figures["tables"]["confusion"]["matrix"])) == 40
    assert {p.name for p in written} >= {"errors.md", "confusion.png"}
