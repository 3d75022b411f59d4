"""The CAMEO 1.1b3 event taxonomy, read from ``labels/cameo/eventcodes.csv`` and validated.

Codes are strings with leading zeros. Levels: ``root`` (2 digits, e.g. ``"19"``), ``base`` (3 digits, ``"190"``)
and ``leaf`` (4 digits, ``"1901"``... e.g. ``"0312"``). Names follow the CAMEO 1.1b3 manual; GDELT's lookup name
is kept beside it because GDELT relabels the DEMAND block (see ``labels/README.md``).

>>> tax = CameoTaxonomy.load()
>>> tax["0312"].root, tax["0312"].quad_class
('03', 1)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from coder.errors import DataFileError
from coder.resources import labels_dir

COLUMNS = [
    "code",
    "level",
    "root",
    "base",
    "name",
    "gdelt_name",
    "goldstein",
    "goldstein_source",
    "quadclass",
    "pentaclass",
]
_CODE_RE = re.compile(r"^\d{2,4}$")
_LEVEL_BY_LEN = {2: "root", 3: "base", 4: "leaf"}


def quad_class_of_root(root: str) -> int:
    """GDELT's QuadClass convention: 01-05 verbal coop, 06-09 material coop, 10-14 verbal conflict, 15-20 material."""
    r = int(root)
    return 1 if r <= 5 else 2 if r <= 9 else 3 if r <= 14 else 4


def penta_class_of_root(root: str) -> int:
    """Phoenix PentaClass: 01-02 -> 0, 03-05 -> 1, 06-08 -> 2, 09-13 and 16 -> 3, 14, 15, 17-20 -> 4."""
    r = int(root)
    if r <= 2:
        return 0
    if r <= 5:
        return 1
    if r <= 8:
        return 2
    if r <= 13 or r == 16:
        return 3
    return 4


@dataclass(frozen=True)
class EventCode:
    """One CAMEO event code and its attributes."""

    code: str
    level: str
    root: str
    base: str
    name: str
    gdelt_name: str
    goldstein: float
    quad_class: int
    penta_class: int


class CameoTaxonomy:
    """The validated set of CAMEO event codes. Build it with :meth:`load`; lookups by code string."""

    def __init__(self, codes: dict[str, EventCode]):
        self._codes = codes

    @classmethod
    def load(cls, path: Path | None = None) -> CameoTaxonomy:
        """Read and validate the taxonomy file; raises :class:`DataFileError` naming file and line."""
        path = path or labels_dir() / "cameo" / "eventcodes.csv"
        if not path.exists():
            raise DataFileError(path, 0, "taxonomy file not found")
        codes: dict[str, EventCode] = {}
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header != COLUMNS:
                raise DataFileError(path, 1, f"expected header {','.join(COLUMNS)}, found {header}")
            for lineno, row in enumerate(reader, start=2):
                ec = _parse_row(path, lineno, row)
                if ec.code in codes:
                    raise DataFileError(path, lineno, f"duplicate code {ec.code!r}")
                codes[ec.code] = ec
        for ec in codes.values():
            if ec.root not in codes or ec.base not in codes:
                raise DataFileError(path, 0, f"code {ec.code!r} has no parent root/base row")
        return cls(codes)

    def __getitem__(self, code: str) -> EventCode:
        return self._codes[code]

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __iter__(self) -> Iterator[EventCode]:
        return iter(self._codes.values())

    def __len__(self) -> int:
        return len(self._codes)

    def roots(self) -> list[str]:
        return sorted(c.code for c in self if c.level == "root")

    def class_code(self, code: str) -> str:
        """The classifier's class for a label: a bare root (``"19"``) folds into its unspecified base (``"190"``).

        Both mean "an event of this root, nothing more specific"; one class for them keeps the model from
        learning an arbitrary distinction between two spellings of the same meaning.
        """
        return code + "0" if self._codes[code].level == "root" else code

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self:
            out[c.level] = out.get(c.level, 0) + 1
        return out


def _parse_row(path: Path, lineno: int, row: list[str]) -> EventCode:
    if len(row) != len(COLUMNS):
        raise DataFileError(path, lineno, f"expected {len(COLUMNS)} columns, found {len(row)}")
    code, level, root, base, name, gdelt_name, goldstein, goldstein_source, quad, penta = row
    if not _CODE_RE.match(code):
        raise DataFileError(path, lineno, f"code {code!r} is not 2-4 digits (keep leading zeros)")
    if _LEVEL_BY_LEN[len(code)] != level:
        raise DataFileError(path, lineno, f"code {code!r} has level {level!r}, expected {_LEVEL_BY_LEN[len(code)]!r}")
    if root != code[:2] or base != code[:3]:
        raise DataFileError(path, lineno, f"code {code!r}: root {root!r} / base {base!r} do not follow from the code")
    if not 1 <= int(root) <= 20:
        raise DataFileError(path, lineno, f"root {root!r} outside 01-20")
    if not name.strip():
        raise DataFileError(path, lineno, f"code {code!r} has no name")
    try:
        g = float(goldstein)
    except ValueError:
        raise DataFileError(path, lineno, f"Goldstein value {goldstein!r} is not a number") from None
    if goldstein_source != "gdelt" and not goldstein_source.startswith("inherited:"):
        raise DataFileError(
            path, lineno, f"goldstein_source {goldstein_source!r}: expected 'gdelt' or 'inherited:CODE'"
        )
    if not -10.0 <= g <= 10.0:
        raise DataFileError(path, lineno, f"Goldstein value {g} outside [-10, 10]")
    if quad != str(quad_class_of_root(root)):
        raise DataFileError(path, lineno, f"QuadClass {quad!r} for root {root}, expected {quad_class_of_root(root)}")
    if penta != str(penta_class_of_root(root)):
        raise DataFileError(path, lineno, f"PentaClass {penta!r} for root {root}, expected {penta_class_of_root(root)}")
    return EventCode(code, level, root, base, name.strip(), gdelt_name.strip(), g, int(quad), int(penta))
