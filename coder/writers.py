"""Event and reject writers. The output file's extension picks the format.

- ``.jsonl``: one event per line with named fields (:class:`coder.records.Event`), ``doc_id`` = input ``id``.
- ``.csv``: the same named fields as columns.
- ``.tsv``: GDELT 2.0 event table, 61 columns in GDELT's order, no header, codes as strings with leading zeros.
- ``.parquet``: the named fields, typed (codes stay strings).

GDELT columns the coder does not fill are left blank: ethnic and religion codes, ``AvgTone`` and all
geography columns. ``NumMentions``/``NumSources``/``NumArticles`` are 1 per coded mention unless the writer is
given an :class:`Aggregate` (the store's GDELT-style export, :mod:`coder.export`), whose counts then also appear as
``num_mentions``/``num_sources``/``num_articles`` in the named-field formats. ``DATEADDED`` is the document date at
000000, so the same input always gives the same bytes.

:class:`MentionWriter` writes the per-mention table: ``.tsv`` in GDELT 2.0's 16 mentions columns, the other
formats with the named fields of :class:`coder.records.Mention`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO

from coder.codebook import code_blocks
from coder.errors import InputError
from coder.records import Event, Mention, Reject, field_kinds

EVENT_FIELDS = [f.name for f in fields(Event)]
AGGREGATE_FIELDS = ["num_mentions", "num_sources", "num_articles"]
MENTION_FIELDS = [f.name for f in fields(Mention)]
GDELT2_MENTION_COLUMNS = [
    "GLOBALEVENTID",
    "EventTimeDate",
    "MentionTimeDate",
    "MentionType",
    "MentionSourceName",
    "MentionIdentifier",
    "SentenceID",
    "Actor1CharOffset",
    "Actor2CharOffset",
    "ActionCharOffset",
    "InRawText",
    "Confidence",
    "MentionDocLen",
    "MentionDocTone",
    "MentionDocTranslationInfo",
    "Extras",
]

GDELT2_COLUMNS = [
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor1KnownGroupCode",
    "Actor1EthnicCode",
    "Actor1Religion1Code",
    "Actor1Religion2Code",
    "Actor1Type1Code",
    "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "Actor2KnownGroupCode",
    "Actor2EthnicCode",
    "Actor2Religion1Code",
    "Actor2Religion2Code",
    "Actor2Type1Code",
    "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    "Actor1Geo_Type",
    "Actor1Geo_FullName",
    "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat",
    "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type",
    "Actor2Geo_FullName",
    "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat",
    "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "DATEADDED",
    "SOURCEURL",
]
FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet"}


def format_for(path: Path) -> str:
    """The output format named by a path's extension; raises :class:`InputError` for an unknown one."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown output extension; expected one of {', '.join(FORMATS)}")
    return fmt


class ActorParts:
    """Splits actor codes into GDELT's country / known group / type columns using the codebook."""

    def __init__(self, codebook):
        self.codebook = codebook

    def split(self, code: str) -> tuple[str, str, list[str]]:
        blocks = code_blocks(code)
        country = blocks[0] if blocks and blocks[0] in self.codebook.countries else ""
        group = next((b for b in blocks if b in self.codebook.groups), "")
        types = [b for b in blocks if b in self.codebook.roles][:3]
        if group and self.codebook.group_types.get(group) and not types:
            types = [self.codebook.group_types[group]]
        return country, group, types + [""] * (3 - len(types))


@dataclass(frozen=True)
class Aggregate:
    """GDELT's counts over the reports of one event (see :mod:`coder.export` for the rule)."""

    num_mentions: int = 1
    num_sources: int = 1
    num_articles: int = 1


def global_event_id(event_id: str) -> str:
    """GLOBALEVENTID: the first 15 hex digits of a (stable) event id as a decimal integer."""
    return str(int(event_id[:15], 16))


def gdelt_row(e: Event, parts: ActorParts, agg: Aggregate | None = None) -> list[str]:
    """One event as GDELT 2.0's 61 columns (strings)."""
    agg = agg or Aggregate()
    day = e.date.replace("-", "")
    if day:
        y, m, d = int(day[:4]), int(day[4:6]), int(day[6:8])
        doy = dt.date(y, m, d).timetuple().tm_yday
        date_cols = [day, day[:6], day[:4], f"{y + doy / 365:.4f}"]
    else:
        date_cols = ["", "", "", ""]
    gid = global_event_id(e.event_id)

    def actor(code: str, text: str) -> list[str]:
        if not code and not text:
            return [""] * 10
        country, group, types = parts.split(code) if code else ("", "", ["", "", ""])
        return [code, text.upper(), country, group, "", "", "", *types]

    row = [gid, *date_cols]
    row += actor(e.source_code, e.source_text)
    row += actor(e.target_code, e.target_text)
    row += [
        "1" if e.sentence_index == 0 else "0",
        e.event_code,
        e.base_code,
        e.root_code,
        str(e.quad_class),
        f"{e.goldstein:g}",
        str(agg.num_mentions),
        str(agg.num_sources),
        str(agg.num_articles),
        "",
    ]
    row += [""] * 24
    row += [day + "000000" if day else "", e.url]
    assert len(row) == len(GDELT2_COLUMNS)
    return row


class EventWriter:
    """Writes events to one file in the format its extension names. Use as a context manager.

    With ``aggregated`` every event comes with its :class:`Aggregate` and the named-field formats gain
    ``num_mentions``, ``num_sources`` and ``num_articles`` after the event fields.
    """

    def __init__(self, path: Path, codebook, aggregated: bool = False):
        self.path = path
        self.aggregated = aggregated
        self.columns = EVENT_FIELDS + (AGGREGATE_FIELDS if aggregated else [])
        self.format = format_for(path)
        self.parts = ActorParts(codebook)
        self.count = 0
        self._fh: IO[str] | None = None
        self._rows: list[dict] = []
        self._csv: csv.writer | None = None

    def __enter__(self) -> EventWriter:
        self._fh, self._csv = _open_rows(self.path, self.format, self.columns)
        return self

    def write(self, event: Event, agg: Aggregate | None = None) -> None:
        self.count += 1
        if self.format == "tsv":
            self._csv.writerow(_tsv_cells(gdelt_row(event, self.parts, agg)))
            return
        d = event.to_dict()
        if self.aggregated:
            agg = agg or Aggregate()
            d.update(num_mentions=agg.num_mentions, num_sources=agg.num_sources, num_articles=agg.num_articles)
        if self.format == "jsonl":
            self._fh.write(json.dumps(d, ensure_ascii=False) + "\n")
        elif self.format == "csv":
            d["evidence"] = ";".join(d["evidence"])
            self._csv.writerow([d[k] for k in self.columns])
        else:
            self._rows.append(d)

    def __exit__(self, *exc) -> None:
        if self.format == "parquet":
            write_parquet(self.path, self._rows, self.columns)
        elif self._fh is not None:
            self._fh.close()


def _open_rows(path: Path, fmt: str, header: list[str]):
    """File handle and row writer for a text format (CSV gets ``header``; GDELT TSV has none); none for Parquet,
    which is written whole at the end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        return None, None
    fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 -- the writer closes it in __exit__
    if fmt == "csv":
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        return fh, writer
    return fh, _tsv_writer(fh) if fmt == "tsv" else None


def _tsv_writer(fh: IO[str]):
    return csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")


def _tsv_cells(row: list[str]) -> list[str]:
    return [v.replace("\t", " ").replace("\n", " ") for v in row]


def write_parquet(path: Path, rows: list[dict], columns: list[str] | None = None) -> None:
    """Events (or mentions) as a typed Parquet table (codes as strings, evidence as a list of strings)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, _arrow_type(name)) for name in columns or EVENT_FIELDS])
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, path)


# Aggregated event rows carry GDELT's counts beside the Event fields.
_COLUMN_KINDS = {**field_kinds(Event, Mention), "num_mentions": "int", "num_sources": "int", "num_articles": "int"}


def _arrow_type(name: str):
    import pyarrow as pa

    kind = _COLUMN_KINDS.get(name, "str")
    if kind == "int":
        return pa.int32()
    if kind == "float":
        return pa.float64()
    if kind == "bool":
        return pa.bool_()
    if kind.startswith("tuple[str"):
        return pa.list_(pa.string())
    return pa.string()


def gdelt_mention_row(m: Mention) -> list[str]:
    """One mention as GDELT 2.0's 16 mentions columns (strings).

    Times are the document date at 000000 (the coder knows no crawl time); ``MentionType`` is 1 (web) when the
    document has a URL, else blank; ``MentionIdentifier`` is the URL, or the document id without one;
    ``SentenceID`` is 1-based; ``ActionCharOffset`` is -1 (no action span is kept); ``Confidence`` is the event
    confidence in percent; tone and translation are blank; ``Extras`` holds the mention's own event id.
    """
    when = m.date.replace("-", "") + "000000" if m.date else ""
    return [
        global_event_id(m.event_id),
        when,
        when,
        "1" if m.url else "",
        m.source_name,
        m.url or m.doc_id,
        str(m.sentence_index + 1),
        str(m.source_start),
        str(m.target_start),
        "-1",
        "1",
        str(round(m.confidence * 100)),
        str(m.doc_length),
        "",
        "",
        m.mention_id,
    ]


class MentionWriter:
    """Writes the per-mention table in the format its extension names. Use as a context manager."""

    def __init__(self, path: Path):
        self.path = path
        self.format = format_for(path)
        self.count = 0
        self._fh: IO[str] | None = None
        self._csv = None
        self._rows: list[dict] = []

    def __enter__(self) -> MentionWriter:
        self._fh, self._csv = _open_rows(self.path, self.format, MENTION_FIELDS)
        return self

    def write(self, m: Mention) -> None:
        self.count += 1
        if self.format == "tsv":
            self._csv.writerow(_tsv_cells(gdelt_mention_row(m)))
            return
        d = asdict(m)
        if self.format == "jsonl":
            self._fh.write(json.dumps(d, ensure_ascii=False) + "\n")
        elif self.format == "csv":
            self._csv.writerow([d[k] for k in MENTION_FIELDS])
        else:
            self._rows.append(d)

    def __exit__(self, *exc) -> None:
        if self.format == "parquet":
            write_parquet(self.path, self._rows, MENTION_FIELDS)
        elif self._fh is not None:
            self._fh.close()


class RejectWriter:
    """Writes rejected input records as JSONL (origin, line, doc_id, reason); the file is made on first use."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self._fh: IO[str] | None = None

    def write(self, r: Reject) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - stays open across writes, closed in close()
        self.count += 1
        self._fh.write(
            json.dumps({"origin": r.origin, "line": r.line, "doc_id": r.doc_id, "reason": r.reason}, ensure_ascii=False)
            + "\n"
        )

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
