"""Dataset output from the event store: GDELT-style aggregated events, or one row per mention, plus a mentions
table that links every event to the sentences that report it.

Aggregation rule (GDELT 2.0 style). Event mentions are one event when they share

- the day (``date``; an undated document's mentions are only merged within that document),
- ``source_code`` and ``target_code`` (Actor1Code, Actor2Code; a blank target is its own value),
- ``event_code`` (the full CAMEO code, so ``0312`` and ``031`` stay apart),
- the ``negated`` and ``hypothetical`` flags (a threat that "could" happen is not merged with one that did).

For each such event: ``NumMentions`` = every mention (several in one article count separately, as in GDELT),
``NumArticles`` = distinct documents, ``NumSources`` = distinct sources, a source being the document's
``source`` field (case-insensitive) or, where that is blank, the host of its URL; mentions with neither add no
source, and ``NumSources`` is at least 1. The row shows the fields of its representative mention: the highest
confidence, ties going to the earliest in store order. The aggregated ``event_id`` is derived from the key above
(SHA-1, 16 hex digits) and GLOBALEVENTID from it, so an event keeps its id when later batches add reports.
Rows come in the store order of each event's first mention.

With ``aggregate=False`` every mention is its own row (``NumMentions`` etc. are 1) and keeps its own id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from coder.records import Mention
from coder.store import EVENT_COLUMNS, EventStore, event_from_row
from coder.writers import Aggregate, EventWriter, MentionWriter


@dataclass(frozen=True)
class ExportCounts:
    """What an export wrote: aggregated events, the mentions behind them, and the mentions file rows."""

    events: int
    mentions: int


def aggregate_id(date: str, doc_id: str, source: str, target: str, code: str, negated: int, hypo: int) -> str:
    """The stable id of an aggregated event (see the module docstring for the key)."""
    day = date or f"undated:{doc_id}"
    key = "\x1f".join([day, source, target, code, str(int(negated)), str(int(hypo))])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def source_key(source_name: str, url: str) -> str:
    """The source a mention counts for in ``NumSources``: its source name, else its URL's host, else ``""``."""
    name = (source_name or "").strip().lower()
    if name:
        return name
    try:
        return (urlsplit(url).hostname or "").lower() if url else ""
    except ValueError:
        return ""


_PREPARE = """
DROP TABLE IF EXISTS temp.m;
CREATE TEMP TABLE m AS
SELECT e.event_id, e.doc_ordinal, e.seq, e.doc_id, e.confidence,
       {group} AS agg_id, ec_source_key(e.source_name, e.url) AS src
FROM events e;
DROP TABLE IF EXISTS temp.g;
CREATE TEMP TABLE g AS
SELECT agg_id,
       count(*) AS n_mentions,
       max(1, count(DISTINCT nullif(src, ''))) AS n_sources,
       count(DISTINCT doc_id) AS n_articles,
       min(doc_ordinal * 4294967296 + seq) AS first_pos
FROM m GROUP BY agg_id;
DROP TABLE IF EXISTS temp.r;
CREATE TEMP TABLE r AS
SELECT agg_id, event_id,
       row_number() OVER (PARTITION BY agg_id ORDER BY confidence DESC, doc_ordinal, seq) = 1 AS is_rep
FROM m;
"""


def export(
    store: EventStore,
    output: Path,
    codebook,
    aggregate: bool = True,
    mentions: Path | None = None,
) -> ExportCounts:
    """Write the store's events to ``output`` (format from the extension) and, optionally, the mentions table.

    Example::

        with EventStore.open(Path("events.db"), create=False) as store:
            export(store, Path("events.tsv"), ActorCodebook.load(), mentions=Path("mentions.tsv"))
    """
    db = store.db
    db.create_function("ec_aggregate_id", 7, aggregate_id, deterministic=True)
    db.create_function("ec_source_key", 2, source_key, deterministic=True)
    group = (
        "ec_aggregate_id(e.date, e.doc_id, e.source_code, e.target_code, e.event_code, e.negated, e.hypothetical)"
        if aggregate
        else "e.event_id"
    )
    db.executescript(_PREPARE.format(group=group))
    cols = ", ".join(f"e.{c}" for c in EVENT_COLUMNS)
    n_events = 0
    rows = db.execute(
        f"""SELECT g.agg_id, g.n_mentions, g.n_sources, g.n_articles, {cols}
            FROM g JOIN r ON r.agg_id = g.agg_id AND r.is_rep JOIN events e ON e.event_id = r.event_id
            ORDER BY g.first_pos"""
    )
    with EventWriter(output, codebook, aggregated=aggregate) as writer:
        for row in rows:
            event = event_from_row(row[4:])
            if aggregate:
                event = replace(event, event_id=row[0])
            writer.write(event, Aggregate(row[1], row[2], row[3]))
            n_events += 1
    n_mentions = db.execute("SELECT count(*) FROM m").fetchone()[0]
    if mentions is not None:
        _write_mentions(store, mentions)
    db.executescript("DROP TABLE IF EXISTS temp.m; DROP TABLE IF EXISTS temp.g; DROP TABLE IF EXISTS temp.r;")
    return ExportCounts(n_events, n_mentions)


def _write_mentions(store: EventStore, path: Path) -> None:
    rows = store.db.execute(
        """SELECT m.agg_id, e.event_id, e.doc_id, e.date, e.source_name, e.url, e.sentence_index, e.sentence_start,
                  e.sentence_end, e.source_start, e.source_end, e.target_start, e.target_end, e.confidence,
                  d.text_length, r.is_rep
           FROM m JOIN events e ON e.event_id = m.event_id JOIN r ON r.event_id = m.event_id
                  JOIN g ON g.agg_id = m.agg_id JOIN documents d ON d.ordinal = e.doc_ordinal
           ORDER BY g.first_pos, e.doc_ordinal, e.seq"""
    )
    with MentionWriter(path) as writer:
        for row in rows:
            writer.write(Mention(*row[:15], bool(row[15])))
