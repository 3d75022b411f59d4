"""Span matching and span F1 (coder.evaluate.span_figures), the measure of issue 5's source/target figure."""

from coder.evaluate import span_figures, span_match


def test_lenient_and_strict_matching():
    assert span_match("Iran's defence minister", ["the defence minister"])
    assert span_match("Iran's defence minister", ["the defence minister"], strict=True)
    # One shared word of five: lenient yes, strict no.
    assert span_match("the Iranian armed forces chief", ["chief of staff"])
    assert not span_match("the Iranian armed forces chief", ["chief of staff"], strict=True)
    assert not span_match("the", ["the"])  # no content word


def test_span_figures_count_misses_false_positives_and_unannotated_sentences():
    rows = [
        {"id": "a", "source_spans": ["Iran"], "target_spans": ["China"]},  # both right
        {"id": "b", "source_spans": ["rebels"], "target_spans": ["the army"]},  # source wrong, target missed
        {"id": "c", "source_spans": [], "target_spans": []},  # unannotated: any prediction is a false positive
    ]
    choices = {"a": ("Iran", "China"), "b": ("the police", ""), "c": ("Chad", "")}
    f = span_figures(rows, choices)
    assert (f["all_lenient"]["tp"], f["all_lenient"]["fp"], f["all_lenient"]["fn"]) == (2, 2, 2)
    assert (f["annotated_lenient"]["tp"], f["annotated_lenient"]["fp"], f["annotated_lenient"]["fn"]) == (2, 1, 2)
