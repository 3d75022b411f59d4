"""Reading input documents: JSONL (also ``.gz``), CSV, folders of ``.txt`` files, or ``-`` for stdin (JSONL).

Every record ends as a :class:`Document` or a :class:`Reject` with its reason; nothing is dropped silently.
Common field names are mapped: ``id``; ``text``/``body``/``content``; ``date``/``published``; ``url``;
``source``/``publisher``; ``title``. A problem with the input as a whole (missing file, unknown extension,
binary or empty file) raises :class:`InputError` naming the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from coder.errors import InputError
from coder.records import Document, Reject

TEXT_KEYS = ("text", "body", "content")
DATE_KEYS = ("date", "published", "published_at", "pubdate")
SOURCE_KEYS = ("source", "publisher")
MAX_TEXT_CHARS = 1_000_000
SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".ndjson", ".csv", ".csv.gz", ".txt")


def read_inputs(inputs: list[str], stdin: io.TextIOBase | None = None) -> Iterator[Document | Reject]:
    """Documents and rejects from every input, in order. Duplicate ids with different text are rejected."""
    seen: dict[str, str] = {}
    for item in inputs:
        for rec in _read_one(item, stdin):
            if isinstance(rec, Document):
                h = hashlib.sha1(rec.text.encode("utf-8")).hexdigest()
                if rec.id in seen:
                    if seen[rec.id] == h:
                        yield Reject(rec.origin, rec.line, f"duplicate of document id {rec.id!r} (same text)", rec.id)
                    else:
                        yield Reject(rec.origin, rec.line, f"duplicate id {rec.id!r} with different text", rec.id)
                    continue
                seen[rec.id] = h
            yield rec


def check_inputs(inputs: list[str]) -> None:
    """Fail fast, before any model is loaded, on inputs that cannot be read at all."""
    for item in inputs:
        if item != "-":
            _raw_input(Path(item))


def _raw_input(path: Path) -> bytes | None:
    """The bytes of an input file (None for a folder), or :class:`InputError` for an unusable one."""
    if path.is_dir():
        if not any(path.glob("*.txt")):
            raise InputError(f"{path}: folder holds no .txt files")
        return None
    if not path.exists():
        raise InputError(f"{path}: no such file")
    name = path.name.lower()
    if not name.endswith(SUFFIXES):
        raise InputError(f"{path}: unknown input extension; expected one of {', '.join(SUFFIXES)} or a folder")
    raw = path.read_bytes()
    if name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise InputError(f"{path}: not a readable gzip file ({e})") from None
    if not raw.strip():
        raise InputError(f"{path}: empty file, nothing to code")
    if b"\x00" in raw[:8192]:
        raise InputError(f"{path}:1: binary data (NUL bytes), not a text file")
    return raw


def _read_one(item: str, stdin: io.TextIOBase | None) -> Iterator[Document | Reject]:
    if item == "-":
        yield from _jsonl(stdin or sys.stdin, "<stdin>")
        return
    path = Path(item)
    raw = _raw_input(path)
    if raw is None:
        for f in sorted(path.glob("*.txt")):
            yield from _txt(f)
        return
    name = path.name.lower()
    text, bad_lines = _decode(raw)
    origin = str(path)
    if name.endswith(".txt"):
        yield from _txt(path, text)
    elif name.endswith((".csv", ".csv.gz")):
        yield from _csv(io.StringIO(text, newline=""), origin)
    else:
        yield from _jsonl(io.StringIO(text), origin, bad_lines)


def _decode(raw: bytes) -> tuple[str, set[int]]:
    """UTF-8 text; lines with undecodable bytes are remembered so their records can be rejected."""
    try:
        return raw.decode("utf-8-sig"), set()
    except UnicodeDecodeError:
        pass
    lines = raw.split(b"\n")
    out, bad = [], set()
    for i, line in enumerate(lines, 1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            bad.add(i)
            out.append("")
    return "\n".join(out), bad


def _jsonl(stream, origin: str, bad_lines: set[int] | None = None) -> Iterator[Document | Reject]:
    bad_lines = bad_lines or set()
    for lineno, line in enumerate(stream, 1):
        if lineno in bad_lines:
            yield Reject(origin, lineno, "undecodable bytes (not UTF-8)")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield Reject(origin, lineno, f"malformed JSON: {e.msg} at column {e.colno}")
            continue
        if not isinstance(obj, dict):
            yield Reject(origin, lineno, f"expected a JSON object, found {type(obj).__name__}")
            continue
        yield _record(obj, origin, lineno)


def _csv(stream, origin: str) -> Iterator[Document | Reject]:
    try:
        reader = csv.DictReader(stream)
        if not reader.fieldnames or not any(k in reader.fieldnames for k in TEXT_KEYS):
            raise InputError(f"{origin}:1: CSV header has no text column (one of {', '.join(TEXT_KEYS)})")
        for row in reader:
            lineno = reader.line_num
            if None in row:
                yield Reject(origin, lineno, "more cells than header columns")
                continue
            yield _record(row, origin, lineno)
    except csv.Error as e:
        raise InputError(f"{origin}: unreadable CSV: {e}") from None


def _txt(path: Path, text: str | None = None) -> Iterator[Document | Reject]:
    if text is None:
        raw = path.read_bytes()
        if b"\x00" in raw[:8192]:
            yield Reject(str(path), 1, "binary data (NUL bytes), not a text file", path.stem)
            return
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            yield Reject(str(path), 1, "undecodable bytes (not UTF-8)", path.stem)
            return
    yield _record({"id": path.stem, "text": text}, str(path), 1)


def _first(obj: dict, keys: tuple[str, ...]) -> object:
    for k in keys:
        v = obj.get(k)
        if v not in (None, ""):
            return v
    return None


def normalize_date(value: object) -> str:
    """``YYYY-MM-DD`` from ISO dates/datetimes or ``YYYYMMDD``; raises ValueError otherwise."""
    s = str(value).strip()
    if len(s) == 8 and s.isdigit():
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:])).isoformat()
    if len(s) >= 10:
        return dt.date.fromisoformat(s[:10]).isoformat()
    raise ValueError(s)


def _record(obj: dict, origin: str, lineno: int) -> Document | Reject:
    doc_id = str(obj.get("id") or "").strip() or f"{Path(origin).name}:{lineno}"
    text = _first(obj, TEXT_KEYS)
    if text is None:
        return Reject(origin, lineno, f"no text (expected a non-empty field: {', '.join(TEXT_KEYS)})", doc_id)
    if not isinstance(text, str):
        return Reject(origin, lineno, f"text is a {type(text).__name__}, expected a string", doc_id)
    if not text.strip():
        return Reject(origin, lineno, "text is blank", doc_id)
    if len(text) > MAX_TEXT_CHARS:
        return Reject(origin, lineno, f"text of {len(text)} characters exceeds the limit of {MAX_TEXT_CHARS}", doc_id)
    date = ""
    raw_date = _first(obj, DATE_KEYS)
    if raw_date is not None:
        try:
            date = normalize_date(raw_date)
        except ValueError:
            return Reject(origin, lineno, f"bad date {raw_date!r} (expected YYYY-MM-DD or YYYYMMDD)", doc_id)
    return Document(
        id=doc_id,
        text=text,
        date=date,
        url=str(obj.get("url") or ""),
        source=str(_first(obj, SOURCE_KEYS) or ""),
        title=str(obj.get("title") or ""),
        origin=origin,
        line=lineno,
    )
