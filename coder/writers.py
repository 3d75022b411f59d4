"""Event and reject writers. The output file's extension picks the format.

- ``.jsonl``: one event per line with named fields (:class:`coder.records.Event`), ``doc_id`` = input ``id``.
- ``.csv``: the same named fields as columns.
- ``.tsv``: GDELT 2.0 event table, 61 columns in GDELT's order, no header, codes as strings with leading zeros.
- ``.parquet``: the named fields, typed (codes stay strings).

GDELT columns the coder does not fill are left blank: ethnic and religion codes, ``AvgTone`` and all
geography columns. ``NumMentions``/``NumSources``/``NumArticles`` are 1 per coded mention here (aggregation
over duplicate reports is the store's export). ``DATEADDED`` is the document date at 000000, so the same input
always gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import fields
from pathlib import Path
from typing import IO

from coder.errors import InputError
from coder.records import Event, Reject

EVENT_FIELDS = [f.name for f in fields(Event)]

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
        blocks = [code[i : i + 3] for i in range(0, len(code), 3)]
        country = blocks[0] if blocks and blocks[0] in self.codebook.countries else ""
        group = next((b for b in blocks if b in self.codebook.groups), "")
        types = [b for b in blocks if b in self.codebook.roles][:3]
        if group and self.codebook.group_types.get(group) and not types:
            types = [self.codebook.group_types[group]]
        return country, group, types + [""] * (3 - len(types))


def gdelt_row(e: Event, parts: ActorParts) -> list[str]:
    """One event as GDELT 2.0's 61 columns (strings)."""
    day = e.date.replace("-", "")
    if day:
        y, m, d = int(day[:4]), int(day[4:6]), int(day[6:8])
        doy = dt.date(y, m, d).timetuple().tm_yday
        date_cols = [day, day[:6], day[:4], f"{y + doy / 365:.4f}"]
    else:
        date_cols = ["", "", "", ""]
    gid = str(int(e.event_id[:15], 16))

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
        "1",
        "1",
        "1",
        "",
    ]
    row += [""] * 24
    row += [day + "000000" if day else "", e.url]
    assert len(row) == len(GDELT2_COLUMNS)
    return row


class EventWriter:
    """Writes events to one file in the format its extension names. Use as a context manager."""

    def __init__(self, path: Path, codebook):
        self.path = path
        self.format = format_for(path)
        self.parts = ActorParts(codebook)
        self.count = 0
        self._fh: IO[str] | None = None
        self._rows: list[dict] = []
        self._csv: csv.writer | None = None

    def __enter__(self) -> EventWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.format != "parquet":
            self._fh = open(self.path, "w", encoding="utf-8", newline="")
            if self.format == "csv":
                self._csv = csv.writer(self._fh, lineterminator="\n")
                self._csv.writerow(EVENT_FIELDS)
            elif self.format == "tsv":
                self._csv = csv.writer(
                    self._fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\"
                )
        return self

    def write(self, event: Event) -> None:
        self.count += 1
        if self.format == "jsonl":
            self._fh.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
        elif self.format == "csv":
            d = event.to_dict()
            d["evidence"] = ";".join(d["evidence"])
            self._csv.writerow([d[k] for k in EVENT_FIELDS])
        elif self.format == "tsv":
            self._csv.writerow([v.replace("\t", " ").replace("\n", " ") for v in gdelt_row(event, self.parts)])
        else:
            self._rows.append(event.to_dict())

    def __exit__(self, *exc) -> None:
        if self.format == "parquet":
            write_parquet(self.path, self._rows)
        elif self._fh is not None:
            self._fh.close()


def write_parquet(path: Path, rows: list[dict]) -> None:
    """Events as a typed Parquet table (codes as strings, evidence as a list of strings)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, _arrow_type(name)) for name in EVENT_FIELDS])
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, path)


def _arrow_type(name: str):
    import pyarrow as pa

    if name in (
        "sentence_index",
        "sentence_start",
        "sentence_end",
        "source_start",
        "source_end",
        "target_start",
        "target_end",
        "quad_class",
        "penta_class",
    ):
        return pa.int32()
    if name in ("goldstein", "confidence"):
        return pa.float64()
    if name in ("negated", "hypothetical"):
        return pa.bool_()
    if name == "evidence":
        return pa.list_(pa.string())
    return pa.string()


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
