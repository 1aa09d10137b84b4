"""Whose voice each channel carries with one microphone per partner (`vad.own_voice_spans`)."""

import numpy as np
import pytest

from listening_coach.types import Span
from listening_coach.vad import EDGE_PAD, FRAME, own_voice_spans, widened_voices


def _levels(seconds: float, quiet: float) -> np.ndarray:
    """Frame levels (dB) of two channels at digital silence (-100 dB) everywhere, with noise at
    `quiet` dB on both channels."""
    return np.full((2, round(seconds / FRAME)), quiet)


def _frames(start: float, end: float) -> slice:
    return slice(round(start / FRAME), round(end / FRAME))


def test_faint_noise_on_a_line_kept_silent_in_pauses_is_no_voice():
    # A phone line: each channel is digital silence in its pauses, so its 10th percentile is no
    # noise floor. A speaks at -20 dB from 1 to 4 s, B from 5 to 8 s; at 4.2-4.6 s, inside the
    # speech found, B's line carries a faint -72 dB hiss while A's is silent.
    levels = _levels(10.0, -100.0)
    levels[0, _frames(1.0, 4.0)] = -20.0
    levels[1, _frames(1.0, 4.0)] = -45.0  # A's bleed
    levels[1, _frames(5.0, 8.0)] = -20.0
    levels[0, _frames(5.0, 8.0)] = -45.0
    levels[1, _frames(4.2, 4.6)] = -72.0
    a, b = own_voice_spans(levels, [Span(0.9, 8.1)])
    assert [(round(s.start, 2), round(s.end, 2)) for s in a] == [(1.0, 4.0)]
    assert [(round(s.start, 2), round(s.end, 2)) for s in b] == [(5.0, 8.0)]


def test_voices_are_widened_at_their_edges_but_a_change_of_speaker_gains_no_overlap():
    a, b = widened_voices([[Span(1.0, 2.0)], [Span(2.3, 3.0)]], duration=5.0)
    assert a[0].start == pytest.approx(1.0 - EDGE_PAD) and b[-1].end == pytest.approx(3.0 + EDGE_PAD)
    assert a[-1].end <= b[0].start  # the 0.3 s gap is shared out, not overlapped
    assert a[-1].end > 2.0 and b[0].start < 2.3


def test_widening_keeps_real_overlap_and_stays_inside_the_recording():
    a, b = widened_voices([[Span(0.1, 2.5)], [Span(2.2, 3.0)]], duration=3.1)
    assert a[0].start == 0.0 and b[-1].end == pytest.approx(3.1)
    assert a[-1].end >= 2.5 and b[0].start <= 2.2  # both talk at 2.2-2.5 s
