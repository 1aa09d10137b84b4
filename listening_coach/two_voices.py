"""Where two voices sound at once on one shared microphone: a small trained frame classifier.

With one mixed signal, Whisper writes one word stream and diarization gives each moment one
speaker, so overlapped speech (an interruption, a backchannel under the partner's talk) is
invisible to both. This model looks at the spectrum around each 20 ms frame and says whether
nobody, one voice or two voices are sounding.

The model is a multilayer perceptron (two hidden layers) over log-mel frames from 0.2 s before to
0.2 s after the frame, each band normalised over the recording's speech. Its weights
(`two_voices.npz`, about 450 kB) were trained by `scripts/train_two_voices.py` on synthetic
conversations made by `scripts/make_conversations.py` with espeak-ng voices that the benchmarks
never use, with random levels, noise, tilt and room echo; no external data. Inference is numpy
only and costs about 1/700 of real time.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .features import FRAME_RATE, speech_mask
from .types import Span
from .vad import FRAME, mask_to_spans

MODEL_PATH = Path(__file__).with_name("two_voices.npz")

HOP = round(FRAME * FRAME_RATE)
"""Mel frames (10 ms each) per decision: one decision per `vad.FRAME` (20 ms)."""

CONTEXT = tuple(range(-20, 21, 4))
"""Offsets (mel frames) of the frames stacked around each decision frame: +-0.2 s every 40 ms."""

OVERLAP_THRESHOLD = 0.5
"""Smoothed probability of two voices above which a frame is overlapped speech."""

SMOOTH_FRAMES = 5
"""Decisions (20 ms each) averaged when smoothing the probabilities (0.1 s)."""

MIN_OVERLAP = 0.1
"""Shortest stretch of two voices (s) reported; shorter ones are frame noise."""

MERGE_GAP = 0.3
"""Stretches of two voices closer than this (s) are one overlap: one voice pausing between words
(the same 0.3 s below which `vad.speech_spans` does not split speech)."""

_BLOCK = 3000  # decision frames per block (60 s), so memory stays flat with length


def frame_features(mel: np.ndarray, speech: np.ndarray, decisions: slice = slice(None)) -> np.ndarray:
    """Model inputs, one row per decision frame (every `HOP` mel frames).

    Parameters
    ----------
    mel : np.ndarray
        Log-mel frames of the recording, shape (n_frames, n_mels), from `features.log_mel`.
    speech : np.ndarray
        Boolean mask of speech mel frames, shape (n_frames,); the bands are normalised to zero
        mean and unit variance over these frames (the whole recording if none).
    decisions : slice
        Which decision frames to return (all by default), so long recordings can go in blocks.

    Returns
    -------
    np.ndarray
        float32, shape (n_decisions, len(CONTEXT) * n_mels), n_decisions = ceil(n_frames / HOP)
        or fewer when `decisions` selects a part.
    """
    return _stacked(mel, *_band_statistics(mel, speech), decisions)


def _band_statistics(mel: np.ndarray, speech: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and spread of each mel band over the `speech` frames (all frames if none)."""
    reference = mel[speech] if speech.any() else mel
    return reference.mean(0), reference.std(0) + 1e-6


def _stacked(mel: np.ndarray, mean: np.ndarray, std: np.ndarray, decisions: slice) -> np.ndarray:
    """The normalised `CONTEXT` frames around each selected decision frame, one row each."""
    centres = np.arange(0, len(mel), HOP)[decisions]
    rows = np.clip(centres[:, None] + np.array(CONTEXT)[None, :], 0, len(mel) - 1)
    return ((mel[rows] - mean) / std).astype(np.float32).reshape(len(centres), -1)


@functools.cache
def _model() -> dict[str, np.ndarray]:
    with np.load(MODEL_PATH) as saved:
        return dict(saved)


def edge_uncertainty() -> float:
    """Seconds at each edge of a found overlap that may hold one voice only.

    Half the 90th percentile of how much longer the model finds an overlap than it is, measured on
    its validation talks when it was trained.
    """
    return float(_model()["edge_uncertainty"])


def voice_count_probabilities(features: np.ndarray) -> np.ndarray:
    """Probabilities of (no voice, one voice, two voices) per row of `features`, shape (n, 3)."""
    model = _model()
    w1, b1, w2, b2, w3, b3 = (model[name] for name in ("w1", "b1", "w2", "b2", "w3", "b3"))
    hidden = np.maximum(features @ w1 + b1, 0.0)
    hidden = np.maximum(hidden @ w2 + b2, 0.0)
    logits = hidden @ w3 + b3
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def overlap_spans(mel: np.ndarray, speech: Sequence[Span]) -> list[Span]:
    """Stretches (s) of a mono recording where two voices sound at once.

    `mel` is the recording's `features.log_mel`; `speech` is where anyone speaks (voice-activity
    detection), and overlap is only looked for there.
    """
    mask = speech_mask(speech, len(mel))
    if not mask.any():
        return []
    mean, std = _band_statistics(mel, mask)  # once per recording, not per block
    n_decisions = len(mask[::HOP])
    both = np.concatenate([
        voice_count_probabilities(_stacked(mel, mean, std, slice(first, first + _BLOCK)))[:, 2]
        for first in range(0, n_decisions, _BLOCK)
    ])
    return two_voice_spans(both, mask[::HOP])


def two_voice_spans(both: np.ndarray, speech: np.ndarray) -> list[Span]:
    """Overlap spans (s) from the probability of two voices per decision frame, shape (n,).

    `speech` (bool, shape (n,)) marks the decision frames inside speech; the probabilities are
    averaged over `SMOOTH_FRAMES` and thresholded at `OVERLAP_THRESHOLD`; runs closer than
    `MERGE_GAP` s are joined and runs shorter than `MIN_OVERLAP` s dropped.
    """
    smoothed = np.convolve(both, np.ones(SMOOTH_FRAMES) / SMOOTH_FRAMES, mode="same")
    overlapped = (smoothed > OVERLAP_THRESHOLD) & speech
    return [Span(round(s.start, 3), round(s.end, 3))
            for s in mask_to_spans(overlapped, min_gap=MERGE_GAP, min_length=MIN_OVERLAP)]
