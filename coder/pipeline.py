"""The coding pipeline: documents in, events out, through stages it is given.

Stages, in order: sentence splitting and parsing (spaCy), actor recognition (:class:`ActorRecognizer`), dyad
proposal (:class:`DyadFinder`), rule annotation (:class:`EventRules`), event classification
(:class:`EventClassifier`), then rule/model combination into :class:`Event` records. :func:`build_pipeline`
loads the default stages explicitly; tests pass their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from coder.actors import ActorRecognizer
from coder.codebook import ActorCodebook
from coder.dyads import DyadFinder
from coder.model import EventClassifier, load_classifier
from coder.nlp import ParsedSentence, load_spacy, split_documents
from coder.records import Candidate, Document, Event, Prediction
from coder.resources import DEFAULT_THRESHOLD, default_model_dir
from coder.rules import EventRules
from coder.taxonomy import CameoTaxonomy

log = logging.getLogger(__name__)


@dataclass
class DocumentResult:
    """What coding one document produced."""

    document: Document
    sentences: int
    events: list[Event] = field(default_factory=list)
    candidates: int = 0
    # Every candidate dyad with the model's probability that it holds any event (1 - P(no event)), for
    # evaluation of the rule layer on its own (which dyad the coder thinks most likely, whatever the threshold).
    scored: list[tuple[Candidate, float]] = field(default_factory=list)


@dataclass
class Pipeline:
    """Codes documents into events. Every collaborator is passed in; nothing is loaded here.

    ``threshold`` is the minimum confidence of an emitted event; negated events are dropped unless
    ``keep_negated``; hypothetical events are kept and flagged unless ``drop_hypothetical``.
    """

    nlp: object
    taxonomy: CameoTaxonomy
    codebook: ActorCodebook
    recognizer: ActorRecognizer
    dyads: DyadFinder
    rules: EventRules
    classifier: EventClassifier
    threshold: float = DEFAULT_THRESHOLD
    keep_negated: bool = False
    drop_hypothetical: bool = False
    flag_threshold: float = 0.5
    overlap: bool = True
    in_flight: int = 2

    @property
    def model_version(self) -> str:
        return self.classifier.version_

    def code(
        self, documents: Iterable[Document], batch_size: int = 32, batch_sentences: int = 48
    ) -> Iterator[DocumentResult]:
        """Code documents lazily, yielding one result per document in input order.

        Documents go to the classifier in batches of ``batch_size`` documents or ``batch_sentences`` sentences,
        whichever comes first.

        With ``overlap`` the classifier scores one batch in a worker thread while the next batch is parsed (ONNX
        Runtime and PyTorch release the GIL, spaCy's parser mostly runs in the other core); results are the same
        as without it, only sooner.
        """
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="classifier") as pool:
            inflight: deque[tuple] = deque()
            pending: list[tuple[Document, list[ParsedSentence]]] = []
            n_sentences = 0
            for item in split_documents(self.nlp, documents):
                pending.append(item)
                n_sentences += len(item[1])
                if len(pending) >= batch_size or n_sentences >= batch_sentences:
                    inflight.append(self._score(pending, pool))
                    pending, n_sentences = [], 0
                    # Up to IN_FLIGHT batches queue for the classifier, so a slow batch does not stall the parser.
                    while len(inflight) > self.in_flight or inflight and inflight[0][2].done():
                        yield from self._finish(*inflight.popleft())
            if pending:
                inflight.append(self._score(pending, pool))
            while inflight:
                yield from self._finish(*inflight.popleft())

    def _score(self, batch: list[tuple[Document, list[ParsedSentence]]], pool: ThreadPoolExecutor) -> tuple:
        """Candidates of a batch, and the classifier's (possibly still running) predictions for them."""
        per_doc = [self.candidates(doc, sents) for doc, sents in batch]
        flat = [c for cands in per_doc for c, _ in cands]
        args = (flat, self.taxonomy, self.threshold)
        if self.overlap:
            return batch, per_doc, pool.submit(self.classifier.predict_candidates, *args)
        done: Future = Future()
        done.set_result(self.classifier.predict_candidates(*args))
        return batch, per_doc, done

    def candidates(self, doc: Document, sentences: list[ParsedSentence]) -> list[tuple[Candidate, ParsedSentence]]:
        """Annotated candidates of a parsed document (the classifier's input)."""
        day = _parse_day(doc.date)
        out = []
        for ps in sentences:
            mentions = self.recognizer.find(ps.span, day)
            for cand in self.dyads.find(ps.sentence, ps.span, mentions):
                out.append((self.rules.annotate(cand, ps.span), ps))
        return out

    def _finish(self, batch: list[tuple[Document, list[ParsedSentence]]], per_doc: list, future: Future):
        preds = iter(future.result())
        for (doc, sents), cands in zip(batch, per_doc, strict=False):
            result = DocumentResult(doc, len(sents), candidates=len(cands))
            seen: set[str] = set()
            coded: dict[tuple, tuple[Event, Prediction, object]] = {}
            for cand, _ps in cands:
                pred, flag_probs = next(preds)
                result.scored.append((cand, pred.event_probability))
                event = self._event(doc, cand, pred, flag_probs)
                if event is None or event.event_id in seen:
                    continue
                seen.add(event.event_id)
                result.events.append(event)
                coded[_pair_key(cand)] = (event, pred, flag_probs)
            # A reciprocal predicate ("A and B clashed") holds both ways: when only one direction was coded, the
            # other gets the same code (CAMEO's one event per ordered dyad).
            for cand, _ps in cands:
                if "syntax:compound-reciprocal" not in cand.evidence or _pair_key(cand) in coded:
                    continue
                mirror = coded.get(_pair_key(cand, reverse=True))
                if mirror is None:
                    continue
                event, pred, flag_probs = mirror
                twin = self._event(doc, cand, Prediction(event.event_code, event.confidence), flag_probs)
                if twin is not None and twin.event_id not in seen:
                    twin = replace(twin, evidence=(*twin.evidence, "rule:reciprocal-mirror"))
                    seen.add(twin.event_id)
                    result.events.append(twin)
            result.events = _drop_subsumed(result.events)
            result.events.sort(key=lambda e: (e.sentence_index, e.source_start, e.target_start))
            yield result

    def _event(self, doc: Document, cand: Candidate, pred: Prediction, flag_probs) -> Event | None:
        pred, fired = self.rules.adjust(cand, pred, self.taxonomy)
        if not pred.code or pred.probability < self.threshold:
            return None
        negated = cand.negated or float(flag_probs[0]) >= self.flag_threshold
        hypothetical = cand.hypothetical or float(flag_probs[1]) >= self.flag_threshold
        if negated and not self.keep_negated:
            return None
        if hypothetical and self.drop_hypothetical:
            return None
        ec = self.taxonomy[pred.code]
        s = cand.sentence
        src, tgt = cand.source, cand.target or cand.uncoded_object
        evidence = list(cand.evidence) + list(fired)
        evidence += [f"actor:{src.rule}"] + ([f"actor:{tgt.rule}"] if tgt else [])
        if float(flag_probs[0]) >= self.flag_threshold:
            evidence.append("model:negated")
        if float(flag_probs[1]) >= self.flag_threshold:
            evidence.append("model:hypothetical")
        evidence.append(f"model:{pred.code}={pred.probability:.3f}")
        return Event(
            event_id=event_id(doc.id, s.index, src.start, cand.target.start if cand.target else -1, ec.code),
            doc_id=doc.id,
            sentence_index=s.index,
            sentence=s.text,
            sentence_start=s.start,
            sentence_end=s.end,
            date=doc.date,
            source_code=src.code,
            source_text=src.text,
            source_start=s.start + src.start,
            source_end=s.start + src.end,
            target_code=tgt.code if tgt else "",
            target_text=tgt.text if tgt else "",
            target_start=s.start + tgt.start if tgt else -1,
            target_end=s.start + tgt.end if tgt else -1,
            event_code=ec.code,
            base_code=ec.base,
            root_code=ec.root,
            code_name=ec.name,
            quad_class=ec.quad_class,
            penta_class=ec.penta_class,
            goldstein=ec.goldstein,
            confidence=round(float(pred.probability), 4),
            negated=negated,
            hypothetical=hypothetical,
            evidence=tuple(dict.fromkeys(evidence)),
            trigger=cand.trigger,
            model_version=self.model_version,
            url=doc.url,
            source_name=doc.source,
        )


def _drop_subsumed(events: list[Event]) -> list[Event]:
    """Drop a main-clause blank-target event that a coded-target event of the same source, sentence and root
    already states ("X offered remarks about Y": ``X -> Y 010`` makes ``X -> (blank) 010`` redundant)."""
    named = {(e.sentence_index, e.source_start, e.root_code) for e in events if e.target_code}
    return [
        e
        for e in events
        if e.target_code
        or "syntax:main-clause" not in e.evidence
        or (e.sentence_index, e.source_start, e.root_code) not in named
    ]


def _pair_key(c: Candidate, reverse: bool = False) -> tuple:
    s, t = c.source.start, c.target.start if c.target else -1
    return (c.sentence.index, t, s) if reverse else (c.sentence.index, s, t)


def event_id(doc_id: str, sentence_index: int, source_start: int, target_start: int, code: str) -> str:
    """A stable event id: the same document, sentence, actor positions and code always give the same id."""
    key = f"{doc_id}\x1f{sentence_index}\x1f{source_start}\x1f{target_start}\x1f{code}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _parse_day(date: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(date[:10]) if date else None
    except ValueError:
        return None


# ``--blank-targets`` values: follow the model, force on, force off.
BLANK_TARGETS = {"model": None, "on": True, "off": False}


def build_pipeline(
    model_dir: Path | None = None,
    actors: Path | None = None,
    device: str = "cpu",
    threshold: float = DEFAULT_THRESHOLD,
    keep_negated: bool = False,
    drop_hypothetical: bool = False,
    runtime: str = "torch",
    blank_targets: bool | None = None,
    onnx_threads: int = 0,
) -> Pipeline:
    """Load the default stages: taxonomy, actor codebook (+ a user dictionary), spaCy, and the model."""
    taxonomy = CameoTaxonomy.load()
    codebook = ActorCodebook.load()
    if actors is not None:
        codebook.add_user_dictionary(actors)
    nlp = load_spacy()
    classifier = load_classifier(model_dir or default_model_dir(), device=device, runtime=runtime, threads=onnx_threads)
    return Pipeline(
        nlp=nlp,
        taxonomy=taxonomy,
        codebook=codebook,
        recognizer=ActorRecognizer.build(codebook, nlp),
        # Blank-target candidates follow the model (proposed when it was trained on them) unless forced on or off.
        dyads=DyadFinder(uncoded_targets=classifier.blank_targets_ if blank_targets is None else blank_targets),
        rules=EventRules(),
        classifier=classifier,
        threshold=threshold,
        keep_negated=keep_negated,
        drop_hypothetical=drop_hypothetical,
    )
