"""Figures of an evaluation as PNG files: the confusion matrix and the reliability diagram.

matplotlib is imported inside the functions and drives its Agg canvas directly (no pyplot, no global backend
switch), so importing this module costs nothing and plotting works on a machine without a display.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def confusion_png(labels: Sequence[str], matrix: Sequence[Sequence[int]], path: Path, title: str = "") -> Path:
    """Gold rows against predicted columns; cells shaded by the share of their row, labelled with counts.

    Meant for 21 labels or fewer (20 CAMEO roots and NONE); a full-code matrix would not be readable.
    """
    import numpy as np

    m = np.asarray(matrix, dtype=float)
    rows = m.sum(axis=1, keepdims=True)
    share = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    n = len(labels)
    size = max(4.0, 0.42 * n + 2.0)
    fig = _figure(size, size)
    ax = fig.add_subplot()
    im = ax.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(n), labels=list(labels), rotation=90)
    ax.set_yticks(range(n), labels=list(labels))
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    font = 7 if n > 10 else 9
    for i in range(n):
        for j in range(n):
            if m[i, j]:
                colour = "white" if share[i, j] > 0.6 else "black"
                ax.text(j, i, str(int(m[i, j])), ha="center", va="center", fontsize=font, color=colour)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="share of gold row")
    ax.set_title(title or f"confusion matrix ({int(m.sum())} items)")
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path


def reliability_png(bins: Sequence[dict], path: Path, title: str = "", ece: float | None = None) -> Path:
    """Accuracy against mean confidence per confidence bin (bars) over the diagonal of perfect calibration,
    with the number of items per bin underneath. ``bins`` are :func:`coder.metrics.reliability_bins` rows."""
    fig = _figure(5.5, 6.0)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    centres = [(b["low"] + b["high"]) / 2 for b in bins]
    width = (bins[0]["high"] - bins[0]["low"]) if bins else 0.1
    filled = [b for b in bins if b["count"]]
    top.bar(
        [(b["low"] + b["high"]) / 2 for b in filled],
        [b["accuracy"] for b in filled],
        width=width * 0.9,
        color="tab:blue",
        edgecolor="black",
        label="accuracy",
    )
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    top.plot(
        [b["confidence"] for b in filled],
        [b["accuracy"] for b in filled],
        "o",
        color="tab:orange",
        label="mean confidence",
    )
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.set_ylabel("accuracy")
    top.legend(loc="upper left")
    top.set_title(title or ("reliability" + (f" (ECE {ece:.3f})" if ece is not None else "")))
    bottom.bar(centres, [b["count"] for b in bins], width=width * 0.9, color="grey")
    bottom.set_xlabel("confidence")
    bottom.set_ylabel("items")
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path
