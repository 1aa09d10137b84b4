"""Operations on time spans (seconds): merge with a gap, subtract, pad, frame masks, an index.

Frame masks use one rounding rule: frame i covers [i * step, (i + 1) * step), and a span marks every
frame it touches.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

from .types import Span


def spans_to_mask(spans: Sequence[Span], frames: int, step: float) -> np.ndarray:
    """Boolean mask of `frames` frames of `step` s that is True in every frame a span touches."""
    mask = np.zeros(frames, dtype=bool)
    for span in spans:
        mask[max(int(span.start / step), 0) : int(np.ceil(span.end / step))] = True
    return mask


def mask_to_spans(mask: np.ndarray, step: float, *, min_gap: float = 0.0, min_length: float = 0.0) -> list[Span]:
    """Spans of the True frames (each `step` s) of `mask`.

    Gaps shorter than `min_gap` s are bridged, then spans shorter than `min_length` s dropped.
    """
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    spans = [Span(float(s * step), float(e * step)) for s, e in zip(edges[::2], edges[1::2])]
    return [s for s in merge_spans(spans, min_gap) if s.duration >= min_length]


def merge_spans(spans: Sequence[Span], min_gap: float = 0.0) -> list[Span]:
    """Sort `spans` and join those that overlap or are separated by less than `min_gap` seconds."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start - merged[-1].end <= min_gap:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def subtract_spans(spans: Sequence[Span], removed: Sequence[Span]) -> list[Span]:
    """The parts of `spans` (merged) that lie outside every span of `removed` (s)."""
    cuts = merge_spans(removed)
    kept: list[Span] = []
    first = 0  # the first cut that can still meet a span; spans and cuts are both sorted
    for span in merge_spans(spans):
        while first < len(cuts) and cuts[first].end <= span.start:
            first += 1
        start, next_cut = span.start, first
        while next_cut < len(cuts) and cuts[next_cut].start < span.end:
            cut = cuts[next_cut]
            if cut.start > start:
                kept.append(Span(start, cut.start))
            start = max(start, cut.end)
            next_cut += 1
        if start < span.end:
            kept.append(Span(start, span.end))
    return kept


def pad_spans(spans: Sequence[Span], pad: float, limit: float) -> list[Span]:
    """Widen each span by `pad` seconds on each side (within 0..`limit`) and merge what then touches."""
    return merge_spans([Span(max(0.0, s.start - pad), min(limit, s.end + pad)) for s in spans])


class SpanIndex:
    """Spans sorted by start, for finding those that meet a time range without scanning them all."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = sorted(spans, key=lambda s: s.start)
        self._starts = [s.start for s in self.spans]
        self._longest = max((s.duration for s in self.spans), default=0.0)

    def overlapping(self, start: float, end: float) -> list[Span]:
        """The spans sharing time with `start`-`end` (s), in order of start."""
        first = bisect_left(self._starts, start - self._longest)
        last = bisect_left(self._starts, end)
        return [s for s in self.spans[first:last] if s.end > start]

    def starts_in(self, start: float, end: float) -> list[float]:
        """Starts (s) of the spans that begin in [`start`, `end`)."""
        return self._starts[bisect_left(self._starts, start) : bisect_left(self._starts, end)]
