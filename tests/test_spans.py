"""Span helpers: merging and the index that finds spans meeting a time range."""

from listening_coach.types import Span
from listening_coach.spans import SpanIndex, merge_spans, subtract_spans

SPANS = [Span(5.0, 9.0), Span(0.0, 1.0), Span(1.5, 2.0), Span(2.5, 12.0)]


def brute_force(start, end):
    return sorted((s for s in SPANS if s.start < end and s.end > start), key=lambda s: s.start)


def test_index_finds_exactly_the_spans_a_scan_would():
    index = SpanIndex(SPANS)
    for start, end in [(0.5, 0.6), (1.0, 1.5), (3.0, 4.0), (11.0, 13.0), (12.0, 14.0), (-2.0, 0.0), (0.0, 20.0)]:
        assert index.overlapping(start, end) == brute_force(start, end), (start, end)


def test_index_lists_starts_in_a_range():
    assert SpanIndex(SPANS).starts_in(1.0, 5.0) == [1.5, 2.5]
    assert SpanIndex([]).overlapping(0.0, 1.0) == []


def test_merge_bridges_short_gaps_only():
    assert merge_spans(SPANS, 0.4) == [Span(0.0, 1.0), Span(1.5, 2.0), Span(2.5, 12.0)]
    assert merge_spans(SPANS, 0.5) == [Span(0.0, 12.0)]


def test_subtract_keeps_only_what_no_removed_span_covers():
    removed = [Span(0.5, 1.6), Span(3.0, 4.0), Span(8.0, 8.5), Span(11.5, 20.0)]
    assert subtract_spans(SPANS, removed) == [
        Span(0.0, 0.5), Span(1.6, 2.0), Span(2.5, 3.0), Span(4.0, 8.0), Span(8.5, 11.5)]
    assert subtract_spans(SPANS, []) == merge_spans(SPANS)
    assert subtract_spans(SPANS, [Span(-1.0, 13.0)]) == []
