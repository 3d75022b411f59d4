"""Evaluating a model on gold data: the project's label format, or PentaClass-with-spans files.

Two gold formats are read:

- the project's label format (``coder.labelset``): candidate-level figures (as in the model card) and
  end-to-end event figures from the full pipeline: event detection, dyad+root and exact dyad+code
  precision/recall/F1 (actors compared on their country block, as the seed story's check does);
- PentaClass files (``id``, ``text``, ``pentaclass``, ``source_spans``, ``target_spans``), such as the
  ConfliBERT CAMEO benchmark: the pipeline's most confident event per sentence gives the PentaClass (no event
  counts as wrong), scored by accuracy and macro-F1, and its source/target mentions are matched to the
  annotators' spans (token-overlap F1).

:func:`assess` returns the figures together with every scored item (a candidate, or a sentence of a PentaClass
file, with its gold and predicted class, confidence and text); ``coder.report`` turns those into the per-code
table, confusion matrix, reliability diagram and error analysis. :func:`evaluate` returns the figures alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coder.errors import InputError
from coder.examples import build_examples
from coder.labelset import check_files
from coder.metrics import (
    classification_metrics,
    confusion,
    expected_calibration_error,
    macro_f1,
    per_label_table,
    prf,
    reliability_bins,
)
from coder.model import NONE, softmax
from coder.pipeline import DocumentResult, Pipeline
from coder.records import Document
from coder.taxonomy import CameoTaxonomy, penta_class_of_root, quad_class_of_root

QUADCLASS_NOTE = (
    "QuadClass macro-F1 is not reported for PentaClass gold: PentaClass 3 holds roots 09-13 and 16 and PentaClass "
    "4 holds 14, 15 and 17-20, so each spans two QuadClasses (2/3/4 and 3/4) and the gold QuadClass is unknown."
)


@dataclass(frozen=True)
class Scored:
    """One scored item: a classifier candidate (label format) or a sentence's top event (PentaClass file).

    ``gold``/``predicted`` are class codes (``"0312"``, ``NONE``) or PentaClasses (``"3"``, ``NONE``);
    ``text`` is the marked candidate text or the sentence; ``confidence`` is the prediction's probability
    (0.0 when a PentaClass sentence got no event).
    """

    item_id: str
    text: str
    gold: str
    predicted: str
    confidence: float


@dataclass(frozen=True)
class Assessment:
    """Figures (JSON-ready; tables under ``figures["tables"]``) and the scored items behind them.

    ``level`` names what ``gold``/``predicted`` of the items are: ``code`` (CAMEO class codes) or ``pentaclass``.
    """

    figures: dict
    items: tuple[Scored, ...]
    level: str


def gold_format(path: Path) -> str:
    """``labels`` or ``pentaclass``, from the first record of the file."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                if "pentaclass" in obj:
                    return "pentaclass"
                if "events" in obj:
                    return "labels"
                break
    raise InputError(f"{path}: neither the label format (events) nor a PentaClass file (pentaclass)")


def evaluate(pipeline: Pipeline, gold: Path, limit: int | None = None) -> dict:
    """All figures for one model on one gold file."""
    return assess(pipeline, gold, limit).figures


def assess(pipeline: Pipeline, gold: Path, limit: int | None = None) -> Assessment:
    """Figures, tables and scored items for one model on one gold file (either format)."""
    fmt = gold_format(gold)
    return assess_pentaclass(pipeline, gold, limit) if fmt == "pentaclass" else assess_labels(pipeline, gold, limit)


def evaluate_labels(pipeline: Pipeline, gold: Path, limit: int | None = None) -> dict:
    """Candidate-level and end-to-end figures on a file in the project's label format."""
    return assess_labels(pipeline, gold, limit).figures


def _class_of(code: str, taxonomy: CameoTaxonomy, kind: str) -> str:
    if code == NONE:
        return NONE
    root = taxonomy[code].root
    return str(quad_class_of_root(root) if kind == "quad" else penta_class_of_root(root))


def _root_labels(taxonomy: CameoTaxonomy) -> list[str]:
    return [*taxonomy.roots(), NONE]


def assess_labels(pipeline: Pipeline, gold: Path, limit: int | None = None) -> Assessment:
    """:func:`evaluate_labels` with the per-code table, root confusion matrix, reliability bins and items."""
    report = check_files([gold], pipeline.taxonomy, pipeline.codebook)
    if report.problems:
        raise InputError(f"{report.problems[0]} ({len(report.problems)} problems; run 'eventcoder labels check')")
    records = report.records[:limit] if limit else report.records
    tax = pipeline.taxonomy
    clf = pipeline.classifier
    exs = build_examples(records, tax, pipeline.nlp, pipeline.recognizer, pipeline.dyads, 3)
    index = {c: i for i, c in enumerate(clf.classes_)}
    logits, _ = clf.logits([e.text for e in exs])
    y = np.array([index[e.label] for e in exs])
    probs = softmax(logits / clf.temperature_)
    candidate = classification_metrics(probs, y, clf.classes_, tax)
    pred = probs.argmax(axis=1) if len(exs) else np.zeros(0, dtype=int)
    conf = probs.max(axis=1) if len(exs) else np.zeros(0)
    gold_codes = [e.label for e in exs]
    pred_codes = [clf.classes_[i] for i in pred]
    gold_ev = [(g, p) for g, p in zip(gold_codes, pred_codes, strict=True) if g != NONE]
    for kind in ("quad", "penta"):
        g_cls = [_class_of(g, tax, kind) for g, _ in gold_ev]
        p_cls = [_class_of(p, tax, kind) for _, p in gold_ev]
        candidate[f"{kind}_class_macro_f1"] = round(macro_f1(g_cls, p_cls, sorted(set(g_cls))), 4)
    roots = _root_labels(tax)
    out = {
        "format": "labels",
        "sentences": len(records),
        "candidate_level": candidate,
    }
    docs = [Document(id=r.id, text=r.text) for r in records]
    predicted = {res.document.id: res.events for res in pipeline.code(docs)}
    cb = pipeline.codebook
    tp = fp = fn = 0
    tp_code = fp_code = fn_code = 0
    det_tp = det_fp = det_fn = 0
    for r in records:
        gold_root = {
            (cb.country_of(e.source) or e.source[:3], cb.country_of(e.target) or e.target[:3], e.code[:2])
            for e in r.events
            if not e.negated
        }
        gold_code = {(e.source, e.target, tax.class_code(e.code)) for e in r.events if not e.negated}
        evs = predicted.get(r.id, [])
        pred_root = {
            (
                cb.country_of(e.source_code) or e.source_code[:3],
                cb.country_of(e.target_code) or e.target_code[:3],
                e.root_code,
            )
            for e in evs
        }
        pred_code = {(e.source_code, e.target_code, tax.class_code(e.event_code)) for e in evs}
        tp += len(gold_root & pred_root)
        fp += len(pred_root - gold_root)
        fn += len(gold_root - pred_root)
        tp_code += len(gold_code & pred_code)
        fp_code += len(pred_code - gold_code)
        fn_code += len(gold_code - pred_code)
        det_tp += bool(gold_root) and bool(evs)
        det_fp += (not gold_root) and bool(evs)
        det_fn += bool(gold_root) and not evs
    out["end_to_end"] = {
        "sentence_detection": prf(det_tp, det_fp, det_fn),
        "dyad_root": prf(tp, fp, fn),
        "dyad_code_exact": prf(tp_code, fp_code, fn_code),
    }
    out["tables"] = {
        "per_code": per_label_table(gold_codes, pred_codes),
        "confusion": {
            "level": "root",
            "labels": roots,
            "matrix": confusion(
                [g[:2] if g != NONE else NONE for g in gold_codes],
                [p[:2] if p != NONE else NONE for p in pred_codes],
                roots,
            ),
        },
        "reliability": reliability_bins(conf, pred == y),
    }
    items = tuple(
        Scored(e.record_id, e.text, g, p, round(float(c), 4))
        for e, g, p, c in zip(exs, gold_codes, pred_codes, conf, strict=True)
    )
    return Assessment(out, items, "code")


def _tokens(s: str) -> set[str]:
    return {t for t in re.findall(r"\w+", s.lower()) if t not in {"the", "a", "an", "of", "'s", "s"}}


def span_match(pred: str, gold: Sequence[str], strict: bool = False) -> bool:
    """Whether a predicted mention matches one of the gold spans.

    Lenient (default): the two share a content word (``Iran's defence minister`` ~ ``the defence minister``).
    Strict: their content words overlap with a Dice coefficient of at least 0.5 (half the words in common).
    """
    pt = _tokens(pred)
    if not pt:
        return False
    for g in gold:
        gt = _tokens(g)
        common = len(pt & gt)
        if common and (not strict or 2 * common / (len(pt) + len(gt)) >= 0.5):
            return True
    return False


class SpanScore:
    """Source/target span counts: a predicted mention matching a gold span of its role is a true positive, any
    other predicted mention a false positive, every role with gold spans and no matching prediction a miss."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.tp = self.fp = self.fn = 0

    def add(self, pred: str, gold: Sequence[str]) -> None:
        if not pred:
            self.fn += bool(gold)
        elif span_match(pred, gold, self.strict):
            self.tp += 1
        else:
            self.fp += 1
            self.fn += bool(gold)

    def figures(self) -> dict:
        return {**prf(self.tp, self.fp, self.fn), "tp": self.tp, "fp": self.fp, "fn": self.fn}


def span_figures(rows: list[dict], choices: dict[str, tuple[str, str]]) -> dict:
    """Span P/R/F1 of chosen (source text, target text) per sentence id against the gold spans.

    ``all``: every sentence; ``annotated``: only sentences where the annotators marked at least one span (in
    the ConfliBERT file a third of the sentences mark none although each holds an event, so any mention found
    there counts as a false positive in ``all``). ``lenient`` and ``strict`` as in :func:`span_match`.
    """
    out: dict = {}
    for subset in ("all", "annotated"):
        for strict in (False, True):
            score = SpanScore(strict)
            for r in rows:
                gold_src = list(r.get("source_spans", [])) + list(r.get("reciprocal_spans", []))
                gold_tgt = list(r.get("target_spans", [])) + list(r.get("reciprocal_spans", []))
                if subset == "annotated" and not (gold_src or gold_tgt):
                    continue
                src, tgt = choices.get(str(r["id"]), ("", ""))
                score.add(src, gold_src)
                score.add(tgt, gold_tgt)
            out[f"{subset}_{'strict' if strict else 'lenient'}"] = score.figures()
    return out


def evaluate_pentaclass(pipeline: Pipeline, gold: Path, limit: int | None = None) -> dict:
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[:limit] if limit else rows
    docs = [Document(id=str(r["id"]), text=r["text"]) for r in rows]
    results = {res.document.id: res for res in pipeline.code(docs)}
    gold_cls, pred_cls = [], []
    top_event: dict[str, tuple[str, str]] = {}
    best_dyad: dict[str, tuple[str, str]] = {}
    for r in rows:
        res = results.get(str(r["id"]))
        evs = sorted(res.events if res else [], key=lambda e: -e.confidence)
        gold_cls.append(str(r["pentaclass"]))
        pred_cls.append(str(evs[0].penta_class) if evs else NONE)
        if evs:
            top_event[str(r["id"])] = (evs[0].source_text, evs[0].target_text)
        if res and res.scored:
            cand = max(res.scored, key=lambda cs: cs[1])[0]
            tgt = cand.target or cand.uncoded_object
            best_dyad[str(r["id"])] = (cand.source.text, tgt.text if tgt else "")
    labels = sorted(set(gold_cls))
    acc = float(np.mean([g == p for g, p in zip(gold_cls, pred_cls, strict=False)])) if rows else 0.0
    return {
        "format": "pentaclass",
        "sentences": len(rows),
        "pentaclass_accuracy": round(acc, 4),
        "pentaclass_macro_f1": round(macro_f1(gold_cls, pred_cls, labels), 4),
        "no_event_rate": round(pred_cls.count(NONE) / len(rows), 4) if rows else 0.0,
        # The rule layer's figure: source/target of the dyad the coder finds most likely to hold the event (every
        # sentence of such a file holds one), whatever the threshold; then those of the emitted top event.
        "span_best_dyad": span_figures(rows, best_dyad),
        "span_top_event": span_figures(rows, top_event),
        "per_class": {lab: {"gold": gold_cls.count(lab), "predicted": pred_cls.count(lab)} for lab in labels},
    }


class _RecordingPipeline:
    """Codes through a real pipeline and keeps each document's events, so one coding pass feeds both
    :func:`evaluate_pentaclass` and the tables built from its events."""

    def __init__(self, pipeline: Pipeline):
        self._pipeline = pipeline
        self.events: dict[str, list] = {}

    def code(self, documents: Iterable[Document], batch_size: int = 32) -> Iterator[DocumentResult]:
        for res in self._pipeline.code(documents, batch_size):
            self.events[res.document.id] = res.events
            yield res

    def __getattr__(self, name: str):
        return getattr(self._pipeline, name)


def assess_pentaclass(pipeline: Pipeline, gold: Path, limit: int | None = None) -> Assessment:
    """:func:`evaluate_pentaclass` with the per-PentaClass table, confusion matrix, ECE, reliability and items.

    Each sentence is scored by its most confident event (as in :func:`evaluate_pentaclass`); a sentence with
    no event is predicted ``NONE``. ECE and reliability cover the sentences that got an event: the question is
    whether an event's confidence matches how often its PentaClass is right.
    """
    recorder = _RecordingPipeline(pipeline)
    figures = evaluate_pentaclass(recorder, gold, limit)  # type: ignore[arg-type]
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[:limit] if limit else rows
    items = []
    for r in rows:
        evs = sorted(recorder.events.get(str(r["id"]), []), key=lambda e: -e.confidence)
        top = evs[0] if evs else None
        items.append(
            Scored(
                str(r["id"]),
                r["text"],
                str(r["pentaclass"]),
                str(top.penta_class) if top else NONE,
                round(float(top.confidence), 4) if top else 0.0,
            )
        )
    with_event = [it for it in items if it.predicted != NONE]
    conf = np.array([it.confidence for it in with_event])
    correct = np.array([it.gold == it.predicted for it in with_event])
    figures["ece_events"] = round(expected_calibration_error(conf, correct), 4)
    labels = [*[str(i) for i in range(5)], NONE]
    gold_cls = [it.gold for it in items]
    pred_cls = [it.predicted for it in items]
    figures["notes"] = [QUADCLASS_NOTE]
    figures["tables"] = {
        "per_code": per_label_table(gold_cls, pred_cls),
        "confusion": {"level": "pentaclass", "labels": labels, "matrix": confusion(gold_cls, pred_cls, labels)},
        "reliability": reliability_bins(conf, correct),
    }
    return Assessment(figures, tuple(items), "pentaclass")


def flatten(figures: dict, prefix: str = "") -> dict[str, float]:
    """Numeric figures of a nested result dict as ``a.b.c -> value`` (for side-by-side printing)."""
    out: dict[str, float] = {}
    for k, v in figures.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[key] = float(v)
    return out
