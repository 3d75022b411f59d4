"""The actor codebook: CAMEO country, group and role codes with the names news uses for them.

Read from the tab-separated files under ``labels/actors/`` (``#`` starts a comment line, ``|`` separates
multiple values) and, optionally, from a user's YAML dictionary that adds or overrides entries. Every file is
validated on load; a bad line raises :class:`DataFileError` with its file and line.

An actor code is a run of 3-letter blocks: the first a country/region, known-group or generic role code
(``IRN``, ``NAT``, ``REB``), the rest role codes (``IRNMIL``, ``USAGOV``, ``SYRREB``).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from coder.errors import DataFileError
from coder.resources import labels_dir

FILES = {
    "countries.tsv": ["code", "name", "aliases", "adjectives", "capitals"],
    "groups.tsv": ["code", "type", "name", "aliases"],
    "roles.tsv": ["code", "tier", "meaning"],
    "role_nouns.tsv": ["phrase", "code"],
    "seats.tsv": ["phrase", "code"],
    "officials.tsv": ["name", "aliases", "code", "start", "end", "office"],
}


@dataclass(frozen=True)
class Official:
    """A named office holder; ``code`` applies only between ``start`` and ``end`` (open end: still in office)."""

    name: str
    code: str
    start: dt.date | None
    end: dt.date | None
    office: str = ""

    def holds_on(self, day: dt.date | None) -> bool:
        if day is None:
            return self.end is None
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass
class ActorCodebook:
    """Validated actor dictionaries. Build with :meth:`load`; extend with :meth:`add_user_dictionary`."""

    countries: dict[str, str] = field(default_factory=dict)  # code -> name
    groups: dict[str, str] = field(default_factory=dict)  # code -> name
    group_types: dict[str, str] = field(default_factory=dict)  # code -> IGO/NGO/REB/...
    roles: dict[str, str] = field(default_factory=dict)  # role code -> meaning
    names: dict[str, str] = field(default_factory=dict)  # country/group name or alias -> code
    adjectives: dict[str, str] = field(default_factory=dict)  # demonym/adjective -> country code
    capitals: dict[str, str] = field(default_factory=dict)  # capital city -> country code
    seats: dict[str, str] = field(default_factory=dict)  # "the Kremlin" -> RUSGOV
    role_nouns: dict[str, str] = field(default_factory=dict)  # "riot police" -> COP
    officials: dict[str, list[Official]] = field(default_factory=dict)  # name or alias -> offices

    @classmethod
    def load(cls, folder: Path | None = None) -> ActorCodebook:
        """Read every file of ``labels/actors`` (or ``folder``) and validate all codes."""
        folder = folder or labels_dir() / "actors"
        book = cls()
        rows = {name: list(_read_tsv(folder / name, cols)) for name, cols in FILES.items()}
        for lineno, r in rows["roles.tsv"]:
            _check_block(folder / "roles.tsv", lineno, r["code"])
            book.roles[r["code"]] = r["meaning"]
        for lineno, r in rows["countries.tsv"]:
            _check_block(folder / "countries.tsv", lineno, r["code"])
            book.countries[r["code"]] = r["name"]
        for lineno, r in rows["groups.tsv"]:
            path = folder / "groups.tsv"
            if len(r["code"]) == 3 and r["code"] not in book.roles:
                book.groups[r["code"]] = r["name"]
                book.group_types[r["code"]] = r["type"]
            else:
                book._require_code(path, lineno, r["code"])
        for lineno, r in rows["countries.tsv"]:
            path = folder / "countries.tsv"
            book._add_names(path, lineno, r["code"], [r["name"], *_multi(r["aliases"])], book.names)
            book._add_names(path, lineno, r["code"], _multi(r["adjectives"]), book.adjectives)
            book._add_names(path, lineno, r["code"], _multi(r["capitals"]), book.capitals)
        for lineno, r in rows["groups.tsv"]:
            path = folder / "groups.tsv"
            book._require_code(path, lineno, r["code"])
            book._add_names(path, lineno, r["code"], [r["name"], *_multi(r["aliases"])], book.names)
        for lineno, r in rows["role_nouns.tsv"]:
            path = folder / "role_nouns.tsv"
            if not r["code"] or any(b not in book.roles for b in code_blocks(r["code"])):
                raise DataFileError(
                    path, lineno, f"role noun {r['phrase']!r}: {r['code']!r} is not a run of role codes"
                )
            book._add_names(path, lineno, r["code"], [r["phrase"].lower()], book.role_nouns)
        for lineno, r in rows["seats.tsv"]:
            book._require_code(folder / "seats.tsv", lineno, r["code"])
            book.seats[r["phrase"]] = r["code"]
        for lineno, r in rows["officials.tsv"]:
            book._add_official(folder / "officials.tsv", lineno, r)
        return book

    # -- validation -------------------------------------------------------------------------------------

    def is_valid_code(self, code: str) -> bool:
        """True when ``code`` is built from known blocks: country/group/role first, role or group codes after."""
        if not code or len(code) % 3 or not code.isalpha() or not code.isupper():
            return False
        blocks = code_blocks(code)
        first_ok = blocks[0] in self.countries or blocks[0] in self.groups or blocks[0] in self.roles
        return first_ok and all(b in self.roles or b in self.groups for b in blocks[1:])

    def country_of(self, code: str) -> str:
        """The country block of an actor code, or ``""`` (``IRNMIL`` -> ``IRN``, ``NAT`` -> ``""``)."""
        return code[:3] if code[:3] in self.countries else ""

    def _require_code(self, path: Path, lineno: int, code: str) -> None:
        if not self.is_valid_code(code):
            raise DataFileError(path, lineno, f"actor code {code!r} is not built from known country/group/role codes")

    def _add_names(self, path: Path, lineno: int, code: str, names: Iterable[str], table: dict[str, str]) -> None:
        for name in names:
            other = table.get(name)
            if other is not None and other != code:
                raise DataFileError(path, lineno, f"{name!r} already names {other}, cannot also name {code}")
            table[name] = code

    def _add_official(self, path: Path, lineno: int, r: dict[str, str]) -> None:
        self._require_code(path, lineno, r["code"])
        start, end = _date(path, lineno, r["start"]), _date(path, lineno, r["end"])
        if start and end and end < start:
            raise DataFileError(path, lineno, f"office of {r['name']!r} ends ({end}) before it starts ({start})")
        off = Official(r["name"], r["code"], start, end, r.get("office", ""))
        for name in [r["name"], *_multi(r["aliases"])]:
            self.officials.setdefault(name, []).append(off)

    # -- user dictionaries -----------------------------------------------------------------------------

    def add_user_dictionary(self, path: Path) -> None:
        """Add or override entries from a user's YAML dictionary (format in ``labels/README.md``).

        New country and group codes become valid code blocks, so fictional states can be coded.
        """
        try:
            with open(path, encoding="utf-8") as f:
                data = yaml.safe_load(f) or {}
        except (OSError, yaml.YAMLError) as e:
            raise DataFileError(path, getattr(getattr(e, "problem_mark", None), "line", -1) + 1, str(e)) from None
        if not isinstance(data, dict):
            raise DataFileError(path, 1, "expected a mapping with keys countries, groups, seats, role_nouns, officials")
        unknown = set(data) - {"countries", "groups", "seats", "role_nouns", "officials"}
        if unknown:
            raise DataFileError(path, 1, f"unknown section(s) {sorted(unknown)}")
        for i, c in enumerate(data.get("countries", []), 1):
            code = _user_field(path, "countries", i, c, "code")
            if len(code) != 3 or not code.isalpha() or not code.isupper():
                raise DataFileError(path, 0, f"countries entry {i}: code {code!r} must be 3 capital letters")
            self.countries[code] = _user_field(path, "countries", i, c, "name")
            for key, table in (("aliases", self.names), ("adjectives", self.adjectives), ("capitals", self.capitals)):
                for name in c.get(key, []):
                    table[name] = code
            self.names[c["name"]] = code
        for i, g in enumerate(data.get("groups", []), 1):
            code = _user_field(path, "groups", i, g, "code")
            if len(code) == 3:
                self.groups[code] = _user_field(path, "groups", i, g, "name")
                self.group_types[code] = g.get("type", "")
            if not self.is_valid_code(code):
                raise DataFileError(path, 0, f"groups entry {i}: code {code!r} is not a valid actor code")
            for name in [g["name"], *g.get("aliases", [])]:
                self.names[name] = code
        for i, s in enumerate(data.get("seats", []), 1):
            code = _user_field(path, "seats", i, s, "code")
            if not self.is_valid_code(code):
                raise DataFileError(path, 0, f"seats entry {i}: code {code!r} is not a valid actor code")
            self.seats[_user_field(path, "seats", i, s, "phrase")] = code
        for i, r in enumerate(data.get("role_nouns", []), 1):
            code = _user_field(path, "role_nouns", i, r, "code")
            if any(b not in self.roles for b in code_blocks(code)):
                raise DataFileError(path, 0, f"role_nouns entry {i}: {code!r} is not a run of role codes")
            self.role_nouns[_user_field(path, "role_nouns", i, r, "phrase").lower()] = code
        for i, o in enumerate(data.get("officials", []), 1):
            row = {
                "name": _user_field(path, "officials", i, o, "name"),
                "aliases": "|".join(o.get("aliases", [])),
                "code": _user_field(path, "officials", i, o, "code"),
                "start": str(o.get("start", "") or ""),
                "end": str(o.get("end", "") or ""),
                "office": o.get("office", ""),
            }
            self._add_official(path, 0, row)


def code_blocks(code: str) -> list[str]:
    """An actor code's 3-letter blocks: ``IRNMIL`` -> ``["IRN", "MIL"]``."""
    return [code[i : i + 3] for i in range(0, len(code), 3)]


def _multi(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def _check_block(path: Path, lineno: int, code: str) -> None:
    if len(code) != 3 or not code.isalpha() or not code.isupper():
        raise DataFileError(path, lineno, f"code {code!r} must be 3 capital letters")


def _date(path: Path, lineno: int, value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DataFileError(path, lineno, f"date {value!r} is not YYYY-MM-DD") from None


def _user_field(path: Path, section: str, i: int, entry: object, key: str) -> str:
    if not isinstance(entry, dict) or not str(entry.get(key, "")).strip():
        raise DataFileError(path, 0, f"{section} entry {i}: missing {key!r}")
    return str(entry[key]).strip()


def _read_tsv(path: Path, columns: list[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for each data line of a commented TSV file with a header line."""
    if not path.exists():
        raise DataFileError(path, 0, "file not found")
    header_seen = False
    with open(path, encoding="utf-8", newline="") as f:
        for lineno, raw in enumerate(f, start=1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
            if not header_seen:
                if cells != columns:
                    raise DataFileError(path, lineno, f"expected header {columns}, found {cells}")
                header_seen = True
                continue
            if len(cells) > len(columns):
                raise DataFileError(path, lineno, f"expected {len(columns)} tab-separated columns, found {len(cells)}")
            cells += [""] * (len(columns) - len(cells))
            row = {k: v.strip() for k, v in zip(columns, cells, strict=False)}
            if not row[columns[0]]:
                raise DataFileError(path, lineno, f"empty {columns[0]!r}")
            yield lineno, row
