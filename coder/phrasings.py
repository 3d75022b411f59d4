"""Phrasing banks: hand-written event predicates per CAMEO code that feed the seeded corpus generator.

A bank is a YAML file mapping code strings to entries::

    "190":
      - {past: "{S} attacked {T}", base: "attack {T}", passive: "{T} was attacked by {S}", s: armed}

``past`` is a simple-past clause starting with ``{S}`` and holding ``{T}`` once (or none with ``single: true``);
``base`` the same predicate as a bare infinitive for "did not ...", "could ..."; ``passive`` an optional passive
clause; ``s``/``t`` the kind of actor that fits (state, people, armed). Minimums: 6 entries for a root code and
for a 4-digit code, 8 entries with distinct main verbs for a 3-digit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from coder.errors import DataFileError
from coder.taxonomy import CameoTaxonomy

KINDS = ("state", "people", "armed")
MIN_ENTRIES = {"root": 6, "base": 8, "leaf": 6}
MIN_DISTINCT_PREDICATES = 8


@dataclass(frozen=True)
class Phrasing:
    code: str
    index: int
    past: str
    base: str
    passive: str = ""
    s: str = "state"
    t: str = "state"
    single: bool = False

    @property
    def key(self) -> str:
        """Stable id of this phrasing (the near-duplicate group of every sentence made from it)."""
        return f"{self.code}/{self.index}"

    @property
    def predicate(self) -> str:
        return self.past.split()[1] if len(self.past.split()) > 1 else ""


def load_bank(path: Path, taxonomy: CameoTaxonomy) -> dict[str, list[Phrasing]]:
    """Read and validate one bank file; raises :class:`DataFileError` naming the file and line."""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise DataFileError(path, mark.line + 1 if mark else 0, f"bad YAML: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict):
        raise DataFileError(path, 1, "expected a mapping of code -> list of phrasings")
    lines = _code_lines(path)
    out: dict[str, list[Phrasing]] = {}
    for code, entries in data.items():
        line = lines.get(str(code), 0)
        if not isinstance(code, str):
            raise DataFileError(path, line, f"code {code!r} must be a quoted string (leading zeros matter)")
        if code not in taxonomy:
            raise DataFileError(path, line, f"{code!r} is not a CAMEO code")
        if not isinstance(entries, list):
            raise DataFileError(path, line, f"{code}: expected a list of phrasings")
        items = [_entry(path, line, code, i, e) for i, e in enumerate(entries)]
        level = taxonomy[code].level
        if len(items) < MIN_ENTRIES[level]:
            raise DataFileError(
                path, line, f"{code}: {len(items)} phrasings, a {level} code needs {MIN_ENTRIES[level]}"
            )
        if level == "base" and len({p.predicate for p in items}) < MIN_DISTINCT_PREDICATES:
            raise DataFileError(path, line, f"{code}: fewer than {MIN_DISTINCT_PREDICATES} distinct predicates")
        out[code] = items
    return out


def load_banks(folder: Path, taxonomy: CameoTaxonomy) -> dict[str, list[Phrasing]]:
    """All banks of a folder (``*.yaml``), merged; a code defined twice is an error."""
    out: dict[str, list[Phrasing]] = {}
    for path in sorted(folder.glob("*.yaml")):
        for code, items in load_bank(path, taxonomy).items():
            if code in out:
                raise DataFileError(path, _code_lines(path).get(code, 0), f"{code} is also defined in another bank")
            out[code] = items
    return out


def _entry(path: Path, line: int, code: str, i: int, e: object) -> Phrasing:
    where = f"{code} entry {i + 1}"
    if not isinstance(e, dict):
        raise DataFileError(path, line, f"{where}: expected a mapping with past/base")
    past, base = str(e.get("past", "")), str(e.get("base", ""))
    single = bool(e.get("single", False))
    if not past.startswith("{S} "):
        raise DataFileError(path, line, f"{where}: 'past' must start with '{{S}} ': {past!r}")
    if not single and past.count("{T}") != 1:
        raise DataFileError(path, line, f"{where}: 'past' needs exactly one {{T}} (or single: true): {past!r}")
    if not base or "{S}" in base or base.count("{T}") != past.count("{T}"):
        raise DataFileError(path, line, f"{where}: 'base' must be the bare predicate with the same {{T}}: {base!r}")
    passive = str(e.get("passive", "") or "")
    if passive and ("{S}" not in passive or "{T}" not in passive):
        raise DataFileError(path, line, f"{where}: 'passive' needs both {{S}} and {{T}}: {passive!r}")
    s, t = e.get("s", "state"), e.get("t", "state")
    if s not in KINDS or t not in KINDS:
        raise DataFileError(path, line, f"{where}: s/t must be one of {KINDS}, found {s!r}/{t!r}")
    return Phrasing(code, i, past, base, passive, s, t, single)


def _code_lines(path: Path) -> dict[str, int]:
    """Line numbers of the top-level code keys, for error messages."""
    out = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line and not line[0].isspace() and not line.startswith("#") and ":" in line:
            out[line.split(":")[0].strip().strip("\"'")] = n
    return out
