"""Progress of a long coding run: a bar on stderr (documents/s, sentences/s, events so far) when stderr is a
terminal, nothing otherwise; the end-of-run summary line is printed by the CLI either way."""

from __future__ import annotations

import sys
import time
from typing import IO


class Progress:
    """Counts documents, sentences and events as partitions are stored; draws a tqdm bar only on a terminal.

    ``enabled=None`` decides from ``stream.isatty()``, so logs and CI output stay free of bar redraws.
    """

    def __init__(self, stream: IO[str] | None = None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.documents = self.sentences = self.events = 0
        self.started = 0.0
        self._bar = None

    def __enter__(self) -> Progress:
        self.started = time.perf_counter()
        enabled = self.enabled if self.enabled is not None else bool(getattr(self.stream, "isatty", bool)())
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(file=self.stream, unit="doc", desc="coding", dynamic_ncols=True, smoothing=0.1)
        return self

    def restart(self) -> None:
        """Start the clock again (after a model load), so rates measure coding only."""
        self.started = time.perf_counter()
        if self._bar is not None:
            self._bar.reset()

    def update(self, documents: int, sentences: int, events: int) -> None:
        self.documents += documents
        self.sentences += sentences
        self.events += events
        if self._bar is not None:
            self._bar.set_postfix_str(
                f"{self.sentences / max(self.elapsed, 1e-9):.0f} sentences/s, {self.events} events", refresh=False
            )
            self._bar.update(documents)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started if self.started else 0.0

    def rates(self) -> str:
        """``12.3 documents/s, 45.6 sentences/s`` over what this run coded (skipped documents excluded)."""
        t = max(self.elapsed, 1e-9)
        return f"{self.documents / t:.1f} documents/s, {self.sentences / t:.1f} sentences/s"

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
