"""Coding a batch of inputs into one event file, with rejects and counts that add up."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from coder.errors import InputError
from coder.ingest import read_inputs
from coder.pipeline import Pipeline
from coder.records import Document, Reject, RunCounts
from coder.writers import EventWriter, RejectWriter

log = logging.getLogger(__name__)


def code_to_file(pipeline: Pipeline, inputs: list[str], output: Path, rejects_path: Path) -> RunCounts:
    """Code every input record; events go to ``output``, rejected records to ``rejects_path``.

    Returns counts with ``read == coded + no_event + rejected``.
    """
    rejects = RejectWriter(rejects_path)
    read = rejected = coded = no_event = sentences = events = 0

    def documents() -> Iterator[Document]:
        nonlocal read, rejected
        for rec in read_inputs(inputs):
            read += 1
            if isinstance(rec, Reject):
                rejected += 1
                log.warning("rejected %s:%d: %s", rec.origin, rec.line, rec.reason)
                rejects.write(rec)
            else:
                yield rec

    try:
        with EventWriter(output, pipeline.codebook) as writer:
            for result in pipeline.code(documents()):
                sentences += result.sentences
                if result.events:
                    coded += 1
                    events += len(result.events)
                    for e in result.events:
                        writer.write(e)
                else:
                    no_event += 1
    finally:
        rejects.close()
    if read == 0:
        raise InputError(f"no records found in {', '.join(inputs)}")
    counts = RunCounts(read, coded, no_event, rejected, sentences, events)
    assert counts.consistent(), counts
    return counts
