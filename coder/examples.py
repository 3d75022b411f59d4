"""Classifier examples from labelled sentences: marked texts with a class (a CAMEO code or NONE) and flags.

For every labelled sentence the examples are (1) each gold event with its gold mention spans, (2) the
candidates the run-time recognizer and dyad finder propose: a candidate matching a gold event (same source
and target mentions, by overlap) is a positive with the run-time spans, one matching none is a NONE example,
and (3) the reverse of each one-way gold dyad as NONE. So the model learns direction and sees exactly the spans
it will see when coding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coder.labelset import LabelEvent, LabelRecord
from coder.model import NONE, mark
from coder.records import Sentence
from coder.taxonomy import CameoTaxonomy


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # class code or NONE
    negated: int
    hypothetical: int
    record_id: str
    gold: bool  # built from gold spans (True) or from run-time candidates (False)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] < 0 and b[0] < 0:
        return True
    return a[0] < b[1] and b[0] < a[1]


def build_examples(
    records: Sequence[LabelRecord],
    taxonomy: CameoTaxonomy,
    nlp=None,
    recognizer=None,
    dyads=None,
    max_negatives: int = 3,
) -> list[Example]:
    """Examples for records; without nlp/recognizer/dyads only gold-span examples are built."""
    out: list[Example] = []
    parsed = nlp.pipe([r.text for r in records], batch_size=128) if nlp is not None else [None] * len(records)
    for rec, doc in zip(records, parsed, strict=False):
        gold_pairs = {}
        for e in rec.events:
            label = taxonomy.class_code(e.code)
            out.append(
                Example(
                    mark(rec.text, e.source_start, e.source_end, e.target_start, e.target_end),
                    label,
                    int(e.negated),
                    int(e.hypothetical),
                    rec.id,
                    True,
                )
            )
            gold_pairs[((e.source_start, e.source_end), (e.target_start, e.target_end))] = e
        negatives = 0
        seen_texts = {ex.text for ex in out[-len(rec.events) :]} if rec.events else set()
        for e in rec.events:
            if e.target_start < 0:
                continue
            rev = ((e.target_start, e.target_end), (e.source_start, e.source_end))
            if (
                not any(_overlap(rev[0], g[0]) and _overlap(rev[1], g[1]) for g in gold_pairs)
                and negatives < max_negatives
            ):
                text = mark(rec.text, e.target_start, e.target_end, e.source_start, e.source_end)
                if text not in seen_texts:
                    out.append(Example(text, NONE, 0, 0, rec.id, True))
                    seen_texts.add(text)
                    negatives += 1
        if doc is None or recognizer is None or dyads is None:
            continue
        for span in doc.sents:
            sent = Sentence(rec.id, 0, rec.text, 0, len(rec.text))
            mentions = recognizer.find(span)
            # Offsets of mentions are relative to the sentence span; shift them to the record text.
            shift = span.start_char
            for cand in dyads.find(sent, span, mentions):
                s = (cand.source.start + shift, cand.source.end + shift)
                t = (cand.target.start + shift, cand.target.end + shift) if cand.target else (-1, -1)
                text = mark(rec.text, s[0], s[1], t[0], t[1])
                if text in seen_texts:
                    continue
                match: LabelEvent | None = next(
                    (g for (gs, gt), g in gold_pairs.items() if _overlap(s, gs) and _overlap(t, gt)), None
                )
                if match is None and cand.target is None:
                    # The gold event's target was not recognised as an actor: at run time this candidate is how the
                    # event surfaces (with a blank target, as in GDELT), so it is a positive, not NONE.
                    match = next((g for (gs, _), g in gold_pairs.items() if _overlap(s, gs)), None)
                if match is not None:
                    out.append(
                        Example(
                            text,
                            taxonomy.class_code(match.code),
                            int(match.negated),
                            int(match.hypothetical),
                            rec.id,
                            False,
                        )
                    )
                elif negatives < max_negatives:
                    out.append(Example(text, NONE, 0, 0, rec.id, False))
                    negatives += 1
                else:
                    continue
                seen_texts.add(text)
    return out
