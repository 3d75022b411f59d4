"""Coding a batch of inputs into the event store, resumable, with rejects and counts that add up.

Documents are read in order and grouped into partitions of ``partition_size`` new documents; an engine codes
each partition and the store commits it in one transaction. A document the store already holds with the same
text is skipped (counted by its stored state and in ``already_coded``); one it holds with a different text is
rejected, as is every bad input record (see :mod:`coder.ingest`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from coder.errors import InputError
from coder.ingest import read_inputs
from coder.progress import Progress
from coder.records import Document, Reject, RunCounts
from coder.store import EventStore, text_hash
from coder.writers import RejectWriter

log = logging.getLogger(__name__)

PARTITION_SIZE = 64


def code_to_store(
    engine,
    inputs: list[str],
    store: EventStore,
    rejects_path: Path,
    settings: dict,
    partition_size: int = PARTITION_SIZE,
    progress: Progress | None = None,
    stdin=None,
) -> RunCounts:
    """Code every input record into ``store`` with ``engine``; rejected records go to ``rejects_path`` too.

    ``settings`` is the coding identity the store checks (:meth:`EventStore.check_settings`). Returns counts with
    ``read == coded + no_event + rejected``.
    """
    if partition_size < 1:
        raise InputError(f"partition size {partition_size} must be at least 1")
    store.check_settings(settings)
    run_id = store.start_run(inputs, settings)
    progress = progress or Progress(enabled=False)
    rejects = RejectWriter(rejects_path)
    c = dict(read=0, coded=0, no_event=0, rejected=0, sentences=0, events=0, already_coded=0, new_events=0)
    pending_rejects: list[Reject] = []

    def reject(rec: Reject) -> None:
        c["rejected"] += 1
        log.warning("rejected %s:%d: %s", rec.origin, rec.line, rec.reason)
        rejects.write(rec)
        pending_rejects.append(rec)

    prepared = False

    def emit(part: list[Document]) -> list[Document]:
        # Load the model only once there is something to code, and start the clock after loading.
        nonlocal prepared
        if not prepared:
            engine.prepare()
            progress.restart()
            prepared = True
        return part

    def partitions() -> Iterator[list[Document]]:
        part: list[Document] = []
        for rec in read_inputs(inputs, stdin):
            c["read"] += 1
            if isinstance(rec, Reject):
                reject(rec)
                continue
            stored = store.lookup(rec.id)
            if stored is not None:
                if stored.text_hash != text_hash(rec.text):
                    reject(
                        Reject(
                            rec.origin,
                            rec.line,
                            f"document id {rec.id!r} is already in the store with different text "
                            f"(from {stored.origin}:{stored.line})",
                            rec.id,
                        )
                    )
                    continue
                c["already_coded"] += 1
                c["coded" if stored.state == "coded" else "no_event"] += 1
                c["sentences"] += stored.sentences
                c["events"] += stored.events
                continue
            part.append(rec)
            if len(part) >= partition_size:
                yield emit(part)
                part = []
        if part:
            yield emit(part)

    try:
        with progress:
            for results in engine.code_partitions(partitions()):
                added = store.add_results(run_id, results)
                store.add_rejects(run_id, pending_rejects)
                pending_rejects.clear()
                n_sent = sum(r.sentences for r in results)
                n_ev = sum(len(r.events) for r in results)
                coded = sum(1 for r in results if r.events)
                c["coded"] += coded
                c["no_event"] += len(results) - coded
                c["sentences"] += n_sent
                c["events"] += n_ev
                c["new_events"] += added
                progress.update(len(results), n_sent, n_ev)
        store.add_rejects(run_id, pending_rejects)
    finally:
        rejects.close()
    if c["read"] == 0:
        raise InputError(f"no records found in {', '.join(inputs)}")
    counts = RunCounts(**c)
    assert counts.consistent(), counts
    store.finish_run(run_id, counts)
    return counts
