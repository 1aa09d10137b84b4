"""Speech activity: where anyone speaks (Silero VAD) and, with one mic per partner, whose voice it is.

With one microphone per partner each channel carries its own partner loudly and the other partner
quietly (bleed). A partner is speaking where their channel is both speech and clearly louder than
the bleed level, so both partners count as speaking where they talk at once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

from .audio import SAMPLE_RATE
from .types import Span

FRAME = 0.02
"""Length and hop of the frames used for levels, in seconds."""

_SILENCE_DB = -100.0


def speech_spans(signal: np.ndarray, *, min_silence: float = 0.3, pad: float = 0.1) -> list[Span]:
    """Spans of speech in a 16 kHz mono `signal` found by Silero VAD.

    Parameters
    ----------
    min_silence
        Pauses shorter than this many seconds do not split a span.
    pad
        Seconds added on each side of each span.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=int(min_silence * 1000), speech_pad_ms=int(pad * 1000))
    found = get_speech_timestamps(signal, options, sampling_rate=SAMPLE_RATE)
    return [Span(f["start"] / SAMPLE_RATE, f["end"] / SAMPLE_RATE) for f in found]


def frame_levels(samples: np.ndarray) -> np.ndarray:
    """RMS level in dBFS of each `FRAME` of each channel; shape (channels, frames)."""
    hop = int(FRAME * SAMPLE_RATE)
    frames = samples.shape[1] // hop
    blocks = samples[:, : frames * hop].reshape(samples.shape[0], frames, hop)
    power = np.mean(blocks.astype(np.float64) ** 2, axis=2)
    return np.maximum(10 * np.log10(power + 1e-12), _SILENCE_DB)


def channel_separation(levels: np.ndarray, speech: np.ndarray) -> float:
    """How far apart the channels are in speech frames: the 90th percentile of |level difference| (dB).

    Near 0 for one microphone copied to two channels; 10 dB or more for one microphone per partner.
    """
    if levels.shape[0] < 2 or not speech.any():
        return 0.0
    difference = np.abs(levels[0, speech] - levels[1, speech])
    return float(np.percentile(difference, 90))


def own_voice_spans(samples: np.ndarray, speech: Sequence[Span]) -> list[list[Span]]:
    """For a two-channel recording, the spans where each channel's own partner speaks.

    A frame belongs to channel i when it lies in `speech`, channel i is well above its noise floor,
    and the level difference to the other channel is above halfway between the bleed level and
    parity. Both channels can own a frame (overlapping speech).
    """
    levels = frame_levels(samples)
    mask = spans_to_mask(speech, levels.shape[1])
    difference = levels[0] - levels[1]
    bleed_into_0 = _typical_dominance(-difference[mask])
    bleed_into_1 = _typical_dominance(difference[mask])
    owners = []
    for channel, other_lead in ((0, difference), (1, -difference)):
        floor = np.percentile(levels[channel], 10)
        bleed = bleed_into_0 if channel == 0 else bleed_into_1
        voiced = mask & (levels[channel] > floor + 12.0) & (other_lead > -bleed / 2)
        owners.append(mask_to_spans(_smooth(voiced), min_gap=0.25, min_length=0.1))
    return owners


def _typical_dominance(lead: np.ndarray) -> float:
    """Median lead (dB) of a channel over the other in frames it dominates; 12 dB if none."""
    dominant = lead[lead > 3.0]
    return float(np.median(dominant)) if dominant.size >= 10 else 12.0


def _smooth(mask: np.ndarray, width: int = 5) -> np.ndarray:
    """Majority vote over `width` frames, removing single-frame flicker."""
    if mask.size < width:
        return mask
    counts = np.convolve(mask.astype(int), np.ones(width, dtype=int), mode="same")
    return counts > width // 2


def spans_to_mask(spans: Sequence[Span], frames: int) -> np.ndarray:
    """Boolean frame mask (one per `FRAME`) that is True inside any of `spans`."""
    mask = np.zeros(frames, dtype=bool)
    for span in spans:
        mask[int(span.start / FRAME) : int(np.ceil(span.end / FRAME))] = True
    return mask


def mask_to_spans(mask: np.ndarray, *, min_gap: float = 0.0, min_length: float = 0.0) -> list[Span]:
    """Spans of True frames; gaps shorter than `min_gap` s are bridged, spans under `min_length` s dropped."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(int)))
    spans = [Span(float(s * FRAME), float(e * FRAME)) for s, e in zip(edges[::2], edges[1::2])]
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
