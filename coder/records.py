"""Typed records that flow through the pipeline.

Every stage takes and returns these frozen dataclasses; no stage grows a dict key by key. Field names of
:class:`Event` are the named JSON fields of the output (see ``coder.writers``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True)
class Document:
    """One input article. ``line`` is where it was read from (1-based line or row), for error reports."""

    id: str
    text: str
    date: str = ""
    url: str = ""
    source: str = ""
    title: str = ""
    origin: str = ""
    line: int = 0


@dataclass(frozen=True)
class Reject:
    """An input record that could not be coded, with the reason; written to the rejects file."""

    origin: str
    line: int
    reason: str
    doc_id: str = ""


@dataclass(frozen=True)
class Sentence:
    """A sentence of a document with its character span in the document text."""

    doc_id: str
    index: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class ActorMention:
    """A span of a sentence that names an actor.

    ``code`` is the CAMEO actor code (``IRNMIL``), or ``""`` when the mention was recognised as an actor but
    could not be coded; a code is never invented. ``start``/``end`` are offsets in the sentence text;
    ``head`` is the token index of the mention's syntactic head; ``rule`` names the dictionary entry kind that
    matched (``country``, ``seat``, ``official``, ``group``, ``role``, ``user``).
    """

    text: str
    start: int
    end: int
    code: str
    head: int = -1
    rule: str = ""


@dataclass(frozen=True)
class Candidate:
    """An ordered actor pair (or a lone source) in a sentence that may carry an event.

    ``predicate`` is the token index of the verb linking them (or -1), ``evidence`` lists the syntactic rules
    that proposed the pair.
    """

    sentence: Sentence
    source: ActorMention
    target: ActorMention | None
    predicate: int = -1
    trigger: str = ""
    negated: bool = False
    hypothetical: bool = False
    intent: str = ""
    evidence: tuple[str, ...] = ()
    clause: str = ""  # text of the predicate's clause, where event-level patterns look
    # For a candidate without a coded target: the phrase in the predicate's object position that no dictionary
    # codes ("detained [18 people]"), kept with its text and an empty code for the record, never sent to the
    # classifier and never given an invented code.
    uncoded_object: ActorMention | None = None


@dataclass(frozen=True)
class Prediction:
    """The classifier's answer for one candidate: the best code (or ``""`` for no event) and its probability."""

    code: str
    probability: float
    alternatives: tuple[tuple[str, float], ...] = ()
    event_probability: float = 0.0  # 1 - P(no event): how likely the candidate holds any event


@dataclass(frozen=True)
class Event:
    """A coded dyadic event: who did what to whom, with its evidence.

    Codes are strings with leading zeros (``"062"``, ``"0312"``). Offsets are character offsets in the
    document text. ``confidence`` is a calibrated probability in [0, 1].
    """

    event_id: str
    doc_id: str
    sentence_index: int
    sentence: str
    sentence_start: int
    sentence_end: int
    date: str
    source_code: str
    source_text: str
    source_start: int
    source_end: int
    target_code: str
    target_text: str
    target_start: int
    target_end: int
    event_code: str
    base_code: str
    root_code: str
    code_name: str
    quad_class: int
    penta_class: int
    goldstein: float
    confidence: float
    negated: bool
    hypothetical: bool
    evidence: tuple[str, ...] = field(default_factory=tuple)
    trigger: str = ""
    model_version: str = ""
    url: str = ""
    source_name: str = ""

    def to_dict(self) -> dict:
        """The event as a JSON-ready dict of named fields (evidence as a list)."""
        d = asdict(self)
        d["evidence"] = list(self.evidence)
        return d


@dataclass(frozen=True)
class RunCounts:
    """Counts at the end of a run; ``read == coded + no_event + rejected`` always holds.

    Counts describe the batch, not the work done: a document an earlier run already stored counts as ``coded``
    or ``no_event`` by its stored state (with its stored sentence and event counts) and also in
    ``already_coded``, so a resumed or repeated run reports the same totals as one uninterrupted run.
    ``new_events`` is how many events this run added to the store.
    """

    read: int = 0
    coded: int = 0
    no_event: int = 0
    rejected: int = 0
    sentences: int = 0
    events: int = 0
    already_coded: int = 0
    new_events: int = 0

    def consistent(self) -> bool:
        return self.read == self.coded + self.no_event + self.rejected


@dataclass(frozen=True)
class Mention:
    """One report of an aggregated event: which coded mention (``mention_id``) in which document supports it.

    ``event_id`` is the aggregated event's id (the mention's own id when not aggregating); offsets are character
    offsets in the document text, ``-1`` for a missing target; ``is_representative`` marks the mention whose
    fields the aggregated event row shows.
    """

    event_id: str
    mention_id: str
    doc_id: str
    date: str
    source_name: str
    url: str
    sentence_index: int
    sentence_start: int
    sentence_end: int
    source_start: int
    source_end: int
    target_start: int
    target_end: int
    confidence: float
    doc_length: int
    is_representative: bool


def field_kinds(*classes: type) -> dict[str, str]:
    """Field name -> its annotation as written (``"int"``, ``"float"``, ``"bool"``, ``"str"``...) over record
    classes; the store's SQL types and the Parquet schema both come from here."""
    return {f.name: str(f.type) for cls in classes for f in fields(cls)}
