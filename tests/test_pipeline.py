"""End-to-end coding with the shipped default model (marker: model)."""

import json

import pytest

from coder.records import Document
from tests.conftest import shared_path

pytestmark = pytest.mark.model


def _events(pipeline, text, doc_id="t", date=""):
    [res] = list(pipeline.code([Document(id=doc_id, text=text, date=date)]))
    return res.events


def test_reciprocal_military_cooperation(pipeline):
    evs = _events(pipeline, "China and Iran vowed to step up military cooperation.")
    dyads = {(e.source_code[:3], e.target_code[:3]) for e in evs}
    assert {("CHN", "IRN"), ("IRN", "CHN")} <= dyads
    for e in evs:
        assert e.root_code in ("03", "06")
        assert e.event_code.startswith(("031", "06"))


def test_events_are_consistent(pipeline, taxonomy, codebook):
    text = (
        "Russian forces shelled Ukrainian positions near Kharkiv on Monday. Kenyan police arrested six "
        "opposition activists in Nairobi. The European Union condemned the arrests."
    )
    evs = _events(pipeline, text, date="2026-01-05")
    assert evs, "no events coded"
    for e in evs:
        assert e.source_code != e.target_code
        assert codebook.is_valid_code(e.source_code)
        assert not e.target_code or codebook.is_valid_code(e.target_code)
        assert e.event_code in taxonomy and e.root_code == taxonomy[e.event_code].root
        assert 0.0 <= e.confidence <= 1.0
        assert text[e.source_start : e.source_end] == e.source_text
        assert e.model_version and e.evidence


def test_negated_event_dropped_by_default(pipeline):
    text = "Iran did not attack Iraqi positions on Monday."
    assert not any(e.root_code in ("18", "19", "20") for e in _events(pipeline, text))


def test_seed_story_must_events(pipeline):
    """The story this project started from: every `must` event found at country and root level."""
    articles = shared_path("seeds", "articles.jsonl")
    expected = [json.loads(x) for x in shared_path("seeds", "expected.jsonl").read_text().splitlines() if x.strip()]
    docs = [
        Document(id=d["id"], text=d["text"], date=d.get("date", ""))
        for d in map(json.loads, articles.read_text().splitlines())
    ]
    results = {r.document.id: r for r in pipeline.code(docs)}
    for exp in (e for e in expected if e["must"]):
        found = [
            e
            for e in results[exp["doc_id"]].events
            if e.source_code[:3] == exp["source"] and e.target_code[:3] == exp["target"] and e.root_code in exp["roots"]
        ]
        assert found, f"missing {exp['source']}->{exp['target']} {exp['roots']} in {exp['doc_id']}"
    for r in results.values():
        # No flood: at most about one event per sentence.
        assert len(r.events) <= r.sentences + 2, (r.document.id, len(r.events), r.sentences)


def test_large_run_never_codes_self_dyads_or_unknown_codes(pipeline, taxonomy, codebook):
    """Over every hand-written test-split sentence of the corpus (about a thousand, grouped into documents of ten)
    no event has source == target, an actor code outside the codebook, an unknown event code, or offsets that do
    not point at its mentions."""
    from coder.labelset import check_files, split_of
    from coder.resources import labels_dir

    recs = [r for r in check_files([labels_dir() / "corpus" / "handwritten"], taxonomy, codebook).records]
    texts = [r.text for r in recs if split_of(r) == "test"]
    assert len(texts) > 500
    docs = [Document(id=f"d{i}", text=" ".join(texts[i : i + 10])) for i in range(0, len(texts), 10)]
    by_id = {d.id: d.text for d in docs}
    n = 0
    for res in pipeline.code(docs):
        for e in res.events:
            n += 1
            assert e.source_code != e.target_code, e
            assert codebook.is_valid_code(e.source_code), e
            assert not e.target_code or codebook.is_valid_code(e.target_code), e
            assert e.event_code in taxonomy, e
            text = by_id[e.doc_id]
            assert text[e.source_start : e.source_end] == e.source_text
            if e.target_text:
                assert text[e.target_start : e.target_end] == e.target_text
    assert n > len(texts) // 2


def test_uncoded_object_is_kept_as_target_text_without_a_code(pipeline):
    evs = _events(pipeline, "Kenyan police detained eighteen men in Nairobi on Monday.")
    [e] = [e for e in evs if e.root_code == "17"]
    assert e.source_code == "KENCOP"
    assert e.target_code == "" and e.target_text == "eighteen men"
    assert "actor:uncoded-object" in e.evidence


def test_overlapped_classifier_gives_the_same_events(pipeline):
    """The classifier running beside the parser (the default) changes speed, not results."""
    from dataclasses import replace

    from coder.resources import repo_root

    lines = (repo_root() / "examples" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    docs = [Document(id=d["id"], text=d["text"], date=d.get("date", "")) for d in map(json.loads, lines)]
    seq = [e for r in replace(pipeline, overlap=False).code(docs, batch_size=4) for e in r.events]
    par = [e for r in replace(pipeline, overlap=True).code(docs, batch_size=4) for e in r.events]
    assert seq and seq == par


def test_blank_targets_follow_the_model_unless_forced(pipeline):
    """The shipped model was not trained on blank-target candidates, so the default pipeline does not propose them;
    --blank-targets on forces them."""
    from coder.pipeline import build_pipeline

    assert pipeline.classifier.blank_targets_ is False and pipeline.dyads.uncoded_targets is False
    forced = build_pipeline(blank_targets=True)
    assert forced.dyads.uncoded_targets is True
    text = "Kenyan police detained eighteen men after the Ugandan government protested."
    [res] = list(forced.code([Document(id="b", text=text)]))
    assert any("syntax:uncoded-target" in c.evidence and c.uncoded_object.text == "eighteen men" for c, _ in res.scored)


def test_a_main_clause_blank_event_stated_with_a_coded_target_is_dropped(pipeline):
    # The parse does not link "remarks about X" to the verb, so the text-order pair SDN -> ZWELEG and the main
    # clause's blank-target candidate both get 01; the blank one says nothing the other does not.
    evs = _events(pipeline, "Sudan offered public remarks about the Zimbabwean parliament after weeks of tension.")
    assert [(e.source_code, e.target_code, e.root_code) for e in evs] == [("SDN", "ZWELEG", "01")]
    # Where no coded-target event states it, the main clause's event stays.
    text = "Norway voiced concern about the fighting, even as Sudan accused Chad of arming the rebels."
    evs = _events(pipeline, text)
    assert ("NOR", "", "01") in {(e.source_code, e.target_code, e.root_code) for e in evs}
