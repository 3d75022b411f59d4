"""The embedded event store: one SQLite file that records every document's state and every event.

Why SQLite: it is in the standard library (no extra dependency, readable by every tool a researcher uses:
``sqlite3``, pandas, DuckDB, R), a write transaction is atomic and durable against a killed process, and the
coder writes from one process only. DuckDB would export faster but adds a dependency and is slower at the small,
frequent transactions a resumable run makes.

Tables (see :data:`SCHEMA`):

- ``documents``: one row per coded document: id, SHA-1 and length of its text, ``state`` (``coded`` = has events,
  ``no_event``), sentence and event counts, where it was read (origin, line), its metadata, the run that coded
  it, and ``ordinal`` (store order; exports follow it).
- ``events``: one row per coded event mention, every :class:`Event` field, ``evidence`` as JSON; ``event_id``
  is the primary key (stable across runs: see :func:`coder.pipeline.event_id`).
- ``rejects``: every rejected input record with its reason (deduplicated on origin, line, doc id and reason,
  so a resumed or repeated run does not list a reject twice).
- ``runs``: every run with its inputs, coding settings and final counts.
- ``meta``: the schema version and the coding settings the store was made with.

Crash safety: a document's events and its ``documents`` row are written in the same transaction (one per
partition of documents, :meth:`EventStore.add_results`), so a run killed at any point, even by ``kill -9``,
leaves each document either fully coded or absent. A resumed run skips documents already present (same id and
same text hash), so it neither duplicates nor loses an event. The database runs in WAL mode with
``synchronous=NORMAL``: a killed process never loses a committed transaction; only a power cut may lose the
last ones, which a resumed run codes again.

Example::

    with EventStore.open(Path("events.db")) as store:
        store.check_settings({"threshold": 0.4})
        store.add_results(run_id, results)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from coder.errors import StoreError
from coder.records import Event, Reject, RunCounts, field_kinds

SCHEMA_VERSION = "1"
EVENT_COLUMNS = [f.name for f in fields(Event)]
# Columns whose values are not stored as text; the rest of an Event is TEXT (evidence as JSON).
_KINDS = field_kinds(Event)
_INT = {name for name, kind in _KINDS.items() if kind == "int"}
_FLOAT = {name for name, kind in _KINDS.items() if kind == "float"}
_BOOL = {name for name, kind in _KINDS.items() if kind == "bool"}


def _sql_type(name: str) -> str:
    return "INTEGER" if name in _INT or name in _BOOL else "REAL" if name in _FLOAT else "TEXT"


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    inputs TEXT NOT NULL,
    settings TEXT NOT NULL,
    counts TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    ordinal INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    text_hash TEXT NOT NULL,
    text_length INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('coded', 'no_event')),
    sentences INTEGER NOT NULL,
    events INTEGER NOT NULL,
    origin TEXT NOT NULL,
    line INTEGER NOT NULL,
    date TEXT NOT NULL,
    url TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    run_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    doc_ordinal INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    {", ".join(f"{c} {_sql_type(c)} NOT NULL" for c in EVENT_COLUMNS if c != "event_id")},
    run_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_order ON events (doc_ordinal, seq);
CREATE TABLE IF NOT EXISTS rejects (
    reject_id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    line INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    UNIQUE (origin, line, doc_id, reason)
);
"""


def text_hash(text: str) -> str:
    """The SHA-1 of a document's text, as the store and ingest compare them."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredDocument:
    """What the store knows about a coded document."""

    doc_id: str
    text_hash: str
    state: str
    sentences: int
    events: int
    origin: str
    line: int


@dataclass(frozen=True)
class StoredEvent:
    """An event read back from the store with its position in store order."""

    event: Event
    doc_ordinal: int
    seq: int


class EventStore:
    """One SQLite event store. Open with :meth:`open` (nothing is touched by the constructor)."""

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None

    @classmethod
    def open(cls, path: Path, create: bool = True) -> EventStore:
        """Open (and, with ``create``, make) the store at ``path``; raises :class:`StoreError` if unusable."""
        store = cls(path)
        if not create and not path.exists():
            raise StoreError(f"{path}: no such event store (make one with 'eventcoder code ... --store {path}')")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(path), isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            version = None
            has_meta = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
            if has_meta:
                row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                version = row[0] if row else None
            elif db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise StoreError(f"{path}: an SQLite file but not an eventcoder store (no meta table)")
            if version not in (None, SCHEMA_VERSION):
                raise StoreError(f"{path}: store schema version {version}, this coder reads {SCHEMA_VERSION}")
            if create:
                db.executescript("BEGIN;" + SCHEMA + "COMMIT;")
                db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{path}: not a usable event store ({e})") from None
        store._db = db
        return store

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError(f"{self.path}: store is not open")
        return self._db

    # --- settings and runs -------------------------------------------------------------------------------------

    def check_settings(self, settings: dict) -> None:
        """Record the coding settings on first use; refuse different ones later.

        Mixing events coded with another model or threshold in one dataset would make it inconsistent, so a
        store keeps the settings it was made with. Raises :class:`StoreError` naming the differences.
        """
        row = self.db.execute("SELECT value FROM meta WHERE key='settings'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('settings', ?)", (json.dumps(settings, sort_keys=True),))
            return
        stored = json.loads(row[0])
        keys = sorted(set(stored) | set(settings))
        diff = [
            f"{k}: store {stored.get(k)!r}, now {settings.get(k)!r}" for k in keys if stored.get(k) != settings.get(k)
        ]
        if diff:
            raise StoreError(
                f"{self.path} was coded with other settings ({'; '.join(diff)}); "
                "use the same settings or another --store file"
            )

    def settings(self) -> dict:
        row = self.db.execute("SELECT value FROM meta WHERE key='settings'").fetchone()
        return json.loads(row[0]) if row else {}

    def start_run(self, inputs: list[str], settings: dict) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started, inputs, settings) VALUES (?, ?, ?)",
            (_now(), json.dumps(inputs), json.dumps(settings, sort_keys=True)),
        )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, counts: RunCounts) -> None:
        self.db.execute(
            "UPDATE runs SET finished = ?, counts = ? WHERE run_id = ?",
            (_now(), json.dumps(counts.__dict__), run_id),
        )

    # --- documents ---------------------------------------------------------------------------------------------

    def lookup(self, doc_id: str) -> StoredDocument | None:
        """The stored state of a document id, or None when it was never coded."""
        row = self.db.execute(
            "SELECT doc_id, text_hash, state, sentences, events, origin, line FROM documents WHERE doc_id = ?",
            (doc_id,),
        ).fetchone()
        return StoredDocument(*row) if row else None

    def add_results(self, run_id: int, results: Iterable) -> int:
        """Store coded documents (:class:`coder.pipeline.DocumentResult`) and their events in one transaction.

        Returns the number of events added. Either every document of ``results`` is stored with all its events,
        or (on any error or a killed process) none is.
        """
        results = list(results)
        doc_rows, event_rows = [], []
        db = self.db
        next_ordinal = db.execute("SELECT coalesce(max(ordinal), 0) FROM documents").fetchone()[0] + 1
        for i, r in enumerate(results):
            d = r.document
            ordinal = next_ordinal + i
            doc_rows.append(
                (
                    ordinal,
                    d.id,
                    text_hash(d.text),
                    len(d.text),
                    "coded" if r.events else "no_event",
                    r.sentences,
                    len(r.events),
                    d.origin,
                    d.line,
                    d.date,
                    d.url,
                    d.source,
                    d.title,
                    run_id,
                )
            )
            for seq, e in enumerate(r.events):
                event_rows.append((ordinal, seq, *_event_values(e), run_id))
        placeholders = ", ".join("?" * (len(EVENT_COLUMNS) + 3))
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"INSERT INTO documents VALUES ({', '.join('?' * 14)})", doc_rows)
            db.executemany(
                f"INSERT INTO events (doc_ordinal, seq, {', '.join(EVENT_COLUMNS)}, run_id) VALUES ({placeholders})",
                event_rows,
            )
            db.execute("COMMIT")
        except sqlite3.IntegrityError as e:
            db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: could not store a partition of {len(results)} documents ({e})") from None
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return len(event_rows)

    def add_rejects(self, run_id: int, rejects: Iterable[Reject]) -> None:
        rows = [(r.origin, r.line, r.doc_id, r.reason, run_id) for r in rejects]
        if rows:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR IGNORE INTO rejects (origin, line, doc_id, reason, run_id) VALUES (?, ?, ?, ?, ?)", rows
            )
            self.db.execute("COMMIT")

    # --- reading -----------------------------------------------------------------------------------------------

    def events(self) -> Iterator[StoredEvent]:
        """Every stored event mention, in store order (document order, then the order coding produced)."""
        cur = self.db.execute(
            f"SELECT doc_ordinal, seq, {', '.join(EVENT_COLUMNS)} FROM events ORDER BY doc_ordinal, seq"
        )
        for row in cur:
            yield StoredEvent(event_from_row(row[2:]), row[0], row[1])

    def rejects(self) -> list[Reject]:
        rows = self.db.execute("SELECT origin, line, reason, doc_id FROM rejects ORDER BY reject_id").fetchall()
        return [Reject(*r) for r in rows]

    def summary(self) -> dict:
        """Totals of the store: documents by state, events, rejects, runs."""
        db = self.db
        by_state = dict(db.execute("SELECT state, count(*) FROM documents GROUP BY state").fetchall())
        return {
            "documents": sum(by_state.values()),
            "coded": by_state.get("coded", 0),
            "no_event": by_state.get("no_event", 0),
            "events": db.execute("SELECT count(*) FROM events").fetchone()[0],
            "rejects": db.execute("SELECT count(*) FROM rejects").fetchone()[0],
            "runs": db.execute("SELECT count(*) FROM runs").fetchone()[0],
        }


def _event_values(e: Event) -> list:
    out = []
    for name in EVENT_COLUMNS:
        v = getattr(e, name)
        if name == "evidence":
            v = json.dumps(list(v), ensure_ascii=False)
        elif name in _BOOL:
            v = int(v)
        out.append(v)
    return out


def event_from_row(row) -> Event:
    """An :class:`Event` from the store's event columns, in :data:`EVENT_COLUMNS` order."""
    kw = {}
    for name, v in zip(EVENT_COLUMNS, row, strict=True):
        if name == "evidence":
            v = tuple(json.loads(v))
        elif name in _BOOL:
            v = bool(v)
        elif name in _INT:
            v = int(v)
        elif name in _FLOAT:
            v = float(v)
        kw[name] = v
    return Event(**kw)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
