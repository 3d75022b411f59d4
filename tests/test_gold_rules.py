"""The rule layer's gold suite: sentences written for this purpose, real and fictional actors (marker: model).

Each record of ``tests/gold/rules.jsonl`` names the rule it exercises and what must (and must not) come out:

    {"id": "passive-01", "rule": "passive", "text": "...", "date": "2026-01-05", "dictionary": "fictional",
     "expect": [{"source": "GDRMIL", "target": "ARN", "roots": ["19"], "negated": false}],
     "forbid": [{"source": "ARN", "target": "GDRMIL"}], "no_events": false}

``source``/``target`` match an event's actor code exactly, or by prefix when they end in ``*`` (``"IRN*"``);
an empty target means a single-actor event. ``roots`` (optional) lists acceptable root codes, ``codes``
(optional) acceptable full codes. ``negated``/``hypothetical`` (optional) must equal the event's flags; negated
events are kept for this check. ``no_events: true`` means the sentence must give no event at all.
``dictionary: fictional`` codes the sentence with the user dictionary ``tests/gold/fictional.yaml`` added.
"""

import json
from pathlib import Path

import pytest

from coder.records import Document

pytestmark = pytest.mark.model
GOLD = Path(__file__).resolve().parent / "gold"
RECORDS = [json.loads(x) for x in (GOLD / "rules.jsonl").read_text().splitlines() if x.strip()]
# Records the coder still gets wrong, each with the reason (tests/gold/known_failures.tsv). They run as
# non-strict xfails: visible in every test report, and a fix shows up as XPASS.
KNOWN = dict(
    line.split("\t", 1)
    for line in (GOLD / "known_failures.tsv").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)


@pytest.fixture(scope="module")
def pipelines():
    from dataclasses import replace

    from coder.actors import ActorRecognizer
    from coder.codebook import ActorCodebook
    from coder.pipeline import build_pipeline

    base = build_pipeline(keep_negated=True)
    book = ActorCodebook.load()
    book.add_user_dictionary(GOLD / "fictional.yaml")
    fictional = replace(base, codebook=book, recognizer=ActorRecognizer.build(book, base.nlp))
    return {"default": base, "fictional": fictional}


def _match(pattern: str, code: str) -> bool:
    return code.startswith(pattern[:-1]) if pattern.endswith("*") else code == pattern


def _satisfies(e, want: dict) -> bool:
    if not (_match(want["source"], e.source_code) and _match(want.get("target", ""), e.target_code)):
        return False
    if "roots" in want and e.root_code not in want["roots"]:
        return False
    if "codes" in want and e.event_code not in want["codes"]:
        return False
    return all(getattr(e, flag) == want[flag] for flag in ("negated", "hypothetical") if flag in want)


def test_suite_size_and_rule_coverage():
    assert len(RECORDS) >= 150
    rules = {r["rule"] for r in RECORDS}
    for needed in (
        "country",
        "demonym",
        "metonym",
        "igo",
        "role",
        "official",
        "apposition",
        "svo",
        "passive",
        "reported_speech",
        "relative_clause",
        "compound_reciprocal",
        "compound_sources",
        "negation",
        "intent",
        "threat",
        "hypothetical",
        "pattern",
        "user_dictionary",
        "no_event",
    ):
        assert needed in rules, needed


def _param(rec: dict):
    reason = KNOWN.get(rec["id"])
    return pytest.param(rec, id=rec["id"], marks=pytest.mark.xfail(reason=reason, strict=False) if reason else ())


@pytest.mark.parametrize("rec", [_param(r) for r in RECORDS])
def test_gold(rec, pipelines):
    pipe = pipelines[rec.get("dictionary", "default")]
    [res] = list(pipe.code([Document(id=rec["id"], text=rec["text"], date=rec.get("date", ""))]))
    events = res.events
    for e in events:
        assert e.source_code != e.target_code
        assert pipe.codebook.is_valid_code(e.source_code)
        assert not e.target_code or pipe.codebook.is_valid_code(e.target_code)
    if rec.get("no_events"):
        assert not events, [(e.source_code, e.target_code, e.event_code) for e in events]
    got = [(e.source_code, e.target_code, e.event_code, e.negated, e.hypothetical) for e in events]
    for want in rec.get("expect", []):
        assert any(_satisfies(e, want) for e in events), f"missing {want}; got {got}"
    for bad in rec.get("forbid", []):
        assert not any(_satisfies(e, bad) for e in events), f"forbidden {bad}; got {got}"
