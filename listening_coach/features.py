"""Log-mel filterbank frames: the spectral features both shared-microphone models read."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.fft import rfft
from scipy.signal import resample_poly

from .audio import SAMPLE_RATE  # the features are computed at the rate audio is decoded to
from .types import Span

FRAME_RATE = 100
"""Frames per second (10 ms hop)."""

N_MELS = 40
"""Mel bands (HTK mel scale, 50-7600 Hz)."""

_N_FFT = 512
_WIN = 400  # 25 ms analysis window
_BLOCK_FRAMES = 6000  # frames per block (60 s), so memory stays flat with length


def log_mel(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Natural-log mel band energies of mono `samples`, shape (n_frames, N_MELS), every 10 ms.

    Frame i is centred on i / FRAME_RATE seconds (25 ms Hann window).
    """
    if sample_rate != SAMPLE_RATE:
        g = np.gcd(int(sample_rate), SAMPLE_RATE)
        samples = resample_poly(samples, SAMPLE_RATE // g, int(sample_rate) // g)
    hop = SAMPLE_RATE // FRAME_RATE
    n_frames = int(np.ceil(len(samples) / hop))
    padded = np.pad(samples, (_WIN // 2, n_frames * hop + _WIN))
    frames = np.lib.stride_tricks.sliding_window_view(padded, _WIN)[: n_frames * hop : hop]
    window, filters = np.hanning(_WIN), _mel_filters().T
    blocks = [
        np.log(np.abs(rfft(frames[start : start + _BLOCK_FRAMES] * window, _N_FFT, axis=1)) ** 2 @ filters + 1e-10)
        for start in range(0, n_frames, _BLOCK_FRAMES)
    ]
    return np.concatenate(blocks) if blocks else np.zeros((0, N_MELS))


def speech_mask(speech: Sequence[Span], n_frames: int) -> np.ndarray:
    """Boolean mask of the frames (every 10 ms) inside the `speech` spans (s), shape (n_frames,)."""
    mask = np.zeros(n_frames, dtype=bool)
    for span in speech:
        start, end = round(span.start * FRAME_RATE), round(span.end * FRAME_RATE)
        mask[max(start, 0) : max(min(end, n_frames), 0)] = True
    return mask


def _mel_filters() -> np.ndarray:
    """Triangular mel filterbank (HTK mel scale, 50-7600 Hz), shape (N_MELS, _N_FFT // 2 + 1)."""
    low_mel, high_mel = 2595.0 * np.log10(1.0 + np.array([50.0, 7600.0]) / 700.0)
    edges_hz = 700.0 * (10 ** (np.linspace(low_mel, high_mel, N_MELS + 2) / 2595.0) - 1.0)
    bins_hz = np.linspace(0, SAMPLE_RATE / 2, _N_FFT // 2 + 1)
    low, centre, high = edges_hz[:-2, None], edges_hz[1:-1, None], edges_hz[2:, None]
    rising = (bins_hz - low) / (centre - low)
    falling = (high - bins_hz) / (high - centre)
    return np.maximum(0.0, np.minimum(rising, falling))
