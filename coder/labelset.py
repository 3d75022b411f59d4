"""The project's labelled-sentence format, its validator and coverage figures.

One JSON object per line::

    {"id": "hw-19-0001", "text": "...", "events": [{"source": "RUSMIL", "source_text": "Russian artillery",
     "source_start": 0, "source_end": 17, "target": "UKRMIL", "target_text": "Ukrainian positions",
     "target_start": 26, "target_end": 45, "code": "194", "negated": false, "hypothetical": false}],
     "tags": ["reported_speech"]}

Offsets are optional in files written by hand: when absent, the first occurrence of the mention text is used.
A sentence with no codable event has ``"events": []``. Compound actors follow CAMEO's convention (one event per
ordered dyad). Ids starting ``gen-`` come from the seeded generator, all others are hand-written; ``group``
(default: the id) keeps near-duplicates on one side of the train/dev/test split.

:func:`check_files` is the validator users run on their own labels (``eventcoder labels check``).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from coder.codebook import ActorCodebook
from coder.taxonomy import CameoTaxonomy

# Tags that make a sentence a hard case, and descriptive tags that do not.
HARD_TAGS = {
    "negated", "hypothetical", "intention", "reported_speech", "passive", "single_actor", "no_event", "homonym",
    "compound", "relative_clause", "conditional", "question",
}  # fmt: skip
TAGS = HARD_TAGS | {"metonym", "demonym", "official", "date", "number"}
EVENT_KEYS = {"source", "source_text", "target", "target_text", "code", "negated", "hypothetical"}
OFFSET_KEYS = {"source_start", "source_end", "target_start", "target_end"}


@dataclass(frozen=True)
class Minimums:
    """Coverage the project corpus must reach (issue 3); a user's file is only checked for consistency."""

    per_code: int = 25
    per_root: int = 400
    total: int = 15_000
    handwritten: int = 5_000
    hard_fraction: float = 0.25
    countries: int = 150
    max_country_share: float = 0.05


@dataclass(frozen=True)
class LabelEvent:
    source: str
    source_text: str
    source_start: int
    source_end: int
    target: str
    target_text: str
    target_start: int
    target_end: int
    code: str
    negated: bool = False
    hypothetical: bool = False


@dataclass(frozen=True)
class LabelRecord:
    id: str
    text: str
    events: tuple[LabelEvent, ...]
    tags: tuple[str, ...] = ()
    group: str = ""
    path: str = ""
    line: int = 0

    @property
    def generated(self) -> bool:
        return self.id.startswith("gen-")

    @property
    def hard(self) -> bool:
        return (
            not self.events or bool(HARD_TAGS & set(self.tags)) or any(e.negated or e.hypothetical for e in self.events)
        )

    def split_key(self) -> str:
        """Stable hash of the near-duplicate group, used for the deterministic split."""
        return hashlib.sha1((self.group or self.id).encode("utf-8")).hexdigest()


@dataclass
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class CheckReport:
    """Records read, problems found and coverage figures of a set of label files."""

    records: list[LabelRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def coverage(self, taxonomy: CameoTaxonomy, codebook: ActorCodebook) -> dict:
        per_code: Counter[str] = Counter()
        per_root: Counter[str] = Counter()
        countries: Counter[str] = Counter()
        n_events = 0
        for r in self.records:
            codes = {e.code for e in r.events}
            per_code.update(codes)
            per_root.update({taxonomy[c].root for c in codes if c in taxonomy})
            for e in r.events:
                n_events += 1
                for code in {codebook.country_of(e.source), codebook.country_of(e.target)} - {""}:
                    countries[code] += 1
        total = len(self.records)
        return {
            "sentences": total,
            "handwritten": sum(not r.generated for r in self.records),
            "generated": sum(r.generated for r in self.records),
            "no_event": sum(not r.events for r in self.records),
            "events": n_events,
            "hard": sum(r.hard for r in self.records),
            "hard_fraction": (sum(r.hard for r in self.records) / total) if total else 0.0,
            "per_code": {c.code: per_code.get(c.code, 0) for c in taxonomy},
            "per_root": {root: per_root.get(root, 0) for root in taxonomy.roots()},
            "countries": len(countries),
            "top_countries": countries.most_common(5),
            "max_country_share": (countries.most_common(1)[0][1] / n_events) if countries and n_events else 0.0,
        }


def shortfalls(cov: dict, mins: Minimums = Minimums()) -> list[str]:
    """Which minimums a coverage dict misses (empty when the corpus meets them all)."""
    out = []
    low_codes = [c for c, n in cov["per_code"].items() if n < mins.per_code]
    if low_codes:
        out.append(f"{len(low_codes)} codes under {mins.per_code} sentences: {', '.join(low_codes[:12])}")
    low_roots = [r for r, n in cov["per_root"].items() if n < mins.per_root]
    if low_roots:
        out.append(f"roots under {mins.per_root} sentences: {', '.join(low_roots)}")
    if cov["sentences"] < mins.total:
        out.append(f"{cov['sentences']} sentences, need {mins.total}")
    if cov["handwritten"] < mins.handwritten:
        out.append(f"{cov['handwritten']} hand-written sentences, need {mins.handwritten}")
    if cov["hard_fraction"] < mins.hard_fraction:
        out.append(f"hard cases {cov['hard_fraction']:.1%}, need {mins.hard_fraction:.0%}")
    if cov["countries"] < mins.countries:
        out.append(f"{cov['countries']} countries, need {mins.countries}")
    if cov["max_country_share"] > mins.max_country_share:
        out.append(f"top country in {cov['max_country_share']:.1%} of events, limit {mins.max_country_share:.0%}")
    return out


def label_files(paths: Iterable[Path]) -> list[Path]:
    """The ``.jsonl`` label files named by paths (folders are searched recursively), sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(x for x in p.rglob("*.jsonl") if x.is_file()))
        else:
            out.append(p)
    return out


def check_files(paths: Iterable[Path], taxonomy: CameoTaxonomy, codebook: ActorCodebook) -> CheckReport:
    """Read and validate label files; every inconsistency becomes a :class:`Problem` with file and line."""
    report = CheckReport()
    ids: dict[str, str] = {}
    for path in label_files(paths):
        if not path.exists():
            report.problems.append(Problem(str(path), 0, "no such file"))
            continue
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                rec = parse_record(line, str(path), lineno, taxonomy, codebook, report.problems)
                if rec is None:
                    continue
                if rec.id in ids:
                    report.problems.append(Problem(str(path), lineno, f"id {rec.id!r} already used at {ids[rec.id]}"))
                    continue
                ids[rec.id] = f"{path}:{lineno}"
                report.records.append(rec)
    return report


def parse_record(
    line: str, path: str, lineno: int, taxonomy: CameoTaxonomy, codebook: ActorCodebook, problems: list[Problem]
) -> LabelRecord | None:
    """One validated record, or None with the reasons appended to ``problems``."""

    def bad(msg: str) -> None:
        problems.append(Problem(path, lineno, msg))

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        bad(f"malformed JSON: {e.msg} at column {e.colno}")
        return None
    if not isinstance(obj, dict):
        bad("expected a JSON object")
        return None
    rid, text = obj.get("id"), obj.get("text")
    if not isinstance(rid, str) or not rid:
        bad("missing string 'id'")
        return None
    if not isinstance(text, str) or not text.strip():
        bad(f"{rid}: missing or blank 'text'")
        return None
    raw_events = obj.get("events")
    if not isinstance(raw_events, list):
        bad(f"{rid}: 'events' must be a list (empty for a sentence with no event)")
        return None
    tags = obj.get("tags", [])
    if not isinstance(tags, list) or any(t not in TAGS for t in tags):
        bad(f"{rid}: unknown tag(s) {[t for t in tags if t not in TAGS] if isinstance(tags, list) else tags}")
        return None
    n_before = len(problems)
    events = []
    for k, ev in enumerate(raw_events, 1):
        e = _parse_event(ev, text, f"{rid} event {k}", taxonomy, codebook, bad)
        if e is not None:
            events.append(e)
    if not events and raw_events:
        return None
    if len(problems) > n_before:
        return None
    if not events and "no_event" not in tags:
        tags = [*tags, "no_event"]
    return LabelRecord(rid, text, tuple(events), tuple(tags), str(obj.get("group") or rid), path, lineno)


def _parse_event(
    ev: object, text: str, where: str, taxonomy: CameoTaxonomy, codebook: ActorCodebook, bad
) -> LabelEvent | None:
    if not isinstance(ev, dict):
        bad(f"{where}: expected an object")
        return None
    missing = EVENT_KEYS - set(ev)
    if missing:
        bad(f"{where}: missing {sorted(missing)}")
        return None
    code = ev["code"]
    if not isinstance(code, str) or code not in taxonomy:
        bad(f"{where}: code {code!r} is not a CAMEO code (codes are strings with leading zeros)")
        return None
    src, tgt = ev["source"], ev["target"]
    if not isinstance(src, str) or not codebook.is_valid_code(src):
        bad(f"{where}: source code {src!r} is not in the actor codebook")
        return None
    if not isinstance(tgt, str) or (tgt and not codebook.is_valid_code(tgt)):
        bad(f"{where}: target code {tgt!r} is not in the actor codebook")
        return None
    if src == tgt:
        bad(f"{where}: source equals target ({src})")
        return None
    if not isinstance(ev["negated"], bool) or not isinstance(ev["hypothetical"], bool):
        bad(f"{where}: negated/hypothetical must be true or false")
        return None
    spans = {}
    for side in ("source", "target"):
        mention = ev[f"{side}_text"]
        if not isinstance(mention, str):
            bad(f"{where}: {side}_text must be a string")
            return None
        if side == "target" and not tgt:
            if mention:
                bad(f"{where}: target_text {mention!r} given but target code is empty")
                return None
            spans[side] = (-1, -1)
            continue
        if not mention:
            bad(f"{where}: empty {side}_text")
            return None
        start, end = ev.get(f"{side}_start"), ev.get(f"{side}_end")
        if start is None and end is None:
            start = text.find(mention)
            if start < 0:
                bad(f"{where}: {side}_text {mention!r} does not occur in the text")
                return None
            end = start + len(mention)
        if not isinstance(start, int) or not isinstance(end, int) or text[start:end] != mention:
            bad(f"{where}: {side} offsets {start}-{end} do not match {side}_text {mention!r}")
            return None
        spans[side] = (start, end)
    if tgt and spans["source"][0] < spans["target"][1] and spans["target"][0] < spans["source"][1]:
        bad(f"{where}: source and target mentions overlap")
        return None
    return LabelEvent(
        src,
        ev["source_text"],
        *spans["source"],
        tgt,
        ev["target_text"],
        *spans["target"],
        code,
        ev["negated"],
        ev["hypothetical"],
    )


def record_to_json(r: LabelRecord) -> dict:
    """A record as written to a label file, offsets included."""
    return {
        "id": r.id,
        "text": r.text,
        "events": [
            {
                "source": e.source,
                "source_text": e.source_text,
                "source_start": e.source_start,
                "source_end": e.source_end,
                "target": e.target,
                "target_text": e.target_text,
                "target_start": e.target_start,
                "target_end": e.target_end,
                "code": e.code,
                "negated": e.negated,
                "hypothetical": e.hypothetical,
            }
            for e in r.events
        ],
        "tags": list(r.tags),
        **({"group": r.group} if r.group and r.group != r.id else {}),
    }


def split_of(record: LabelRecord, dev: float = 0.1, test: float = 0.1) -> str:
    """Deterministic split by the record's group hash: near-duplicates always land on the same side."""
    x = int(record.split_key()[:8], 16) / 0xFFFFFFFF
    return "test" if x < test else "dev" if x < test + dev else "train"
