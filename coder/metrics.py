"""Metrics shared by training, evaluation and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from coder.model import NONE


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 15) -> float:
    """Top-label ECE: the confidence-weighted gap between confidence and accuracy over equal-width bins."""
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=False):
        sel = (confidence > lo) & (confidence <= hi)
        if sel.any():
            ece += sel.mean() * abs(float(correct[sel].mean()) - float(confidence[sel].mean()))
    return float(ece)


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    """Macro-averaged F1 over ``labels`` (each label's F1 counts equally)."""
    scores = []
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred, strict=False))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred, strict=False))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred, strict=False))
        scores.append(prf(tp, fp, fn)["f1"])
    return float(np.mean(scores)) if scores else 0.0


def classification_metrics(probs: np.ndarray, y: np.ndarray, classes: Sequence[str], taxonomy) -> dict:
    """Candidate-level figures: event detection, root/code accuracy and macro-F1 over events, ECE."""
    pred = probs.argmax(axis=1)
    gold_codes = [classes[i] for i in y]
    pred_codes = [classes[i] for i in pred]
    is_event = np.array([c != NONE for c in gold_codes])
    pred_event = np.array([c != NONE for c in pred_codes])
    tp = int((is_event & pred_event).sum())
    fp = int((~is_event & pred_event).sum())
    fn = int((is_event & ~pred_event).sum())
    ev = prf(tp, fp, fn)
    gold_ev = [c for c, e in zip(gold_codes, is_event, strict=False) if e]
    pred_ev = [c for c, e in zip(pred_codes, is_event, strict=False) if e]
    root = [g[:2] == p[:2] and p != NONE for g, p in zip(gold_ev, pred_ev, strict=False)]
    code = [g == p for g, p in zip(gold_ev, pred_ev, strict=False)]
    labels = sorted(set(gold_ev))
    conf = probs.max(axis=1)
    return {
        "n": int(len(y)),
        "n_events": int(is_event.sum()),
        "event_precision": ev["precision"],
        "event_recall": ev["recall"],
        "event_f1": ev["f1"],
        "root_accuracy": round(float(np.mean(root)) if root else 0.0, 4),
        "code_accuracy": round(float(np.mean(code)) if code else 0.0, 4),
        "code_macro_f1": round(macro_f1(gold_ev, pred_ev, labels), 4),
        "root_macro_f1": round(
            macro_f1([g[:2] for g in gold_ev], [p[:2] for p in pred_ev], sorted({g[:2] for g in gold_ev})), 4
        ),
        "ece": round(expected_calibration_error(conf, pred == y), 4),
    }


def per_label_table(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] | None = None) -> dict[str, dict]:
    """Support, predicted count, precision, recall and F1 for every label, keyed by label in sorted order.

    ``labels`` defaults to every label seen in gold or predictions, so a label only ever predicted (a false
    alarm class) still gets its row. The supports add up to ``len(gold)``.
    """
    labels = sorted(set(gold) | set(pred)) if labels is None else list(labels)
    out: dict[str, dict] = {}
    for lab in labels:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred, strict=True))
        n_gold = sum(g == lab for g in gold)
        n_pred = sum(p == lab for p in pred)
        out[lab] = {"support": n_gold, "predicted": n_pred, **prf(tp, n_pred - tp, n_gold - tp)}
    return out


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Counts with gold labels as rows and predicted labels as columns, in the order of ``labels``.

    Every pair must use a label from ``labels``, so the counts add up to the number of pairs.
    """
    index = {lab: i for i, lab in enumerate(labels)}
    m = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred, strict=True):
        m[index[g]][index[p]] += 1
    return m


def reliability_bins(confidence: np.ndarray, correct: np.ndarray, bins: int = 15) -> list[dict]:
    """Per equal-width confidence bin (the bins of :func:`expected_calibration_error`): count, mean confidence
    and accuracy; empty bins are kept with ``count`` 0 so the diagram's x axis is stable."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=False):
        sel = (confidence > lo) & (confidence <= hi)
        n = int(sel.sum())
        out.append(
            {
                "low": round(float(lo), 4),
                "high": round(float(hi), 4),
                "count": n,
                "confidence": round(float(confidence[sel].mean()), 4) if n else 0.0,
                "accuracy": round(float(correct[sel].mean()), 4) if n else 0.0,
            }
        )
    return out
