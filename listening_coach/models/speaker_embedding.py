"""Speaker embeddings from CAM++, a network trained on real voices, with a numpy front end.

The front end turns a recording, or any stretch of it (`campplus_frames`, the same frames), into
Kaldi filterbank frames `FRAME_STEP` apart; an embedding is then taken from any selection of those
frames (say, where one partner speaks), and selections of equal length are embedded in batches.
The embedding (192-dim, 3D-Speaker's CAM++, `campplus.onnx`) has unit length, so the cosine
similarity of two is their dot product.
`scripts/export_embeddings.py` made the ONNX file and checked this front end against
kaldi-native-fbank; docs/speaker-embeddings.md has the measurements behind the choice.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import session

SAMPLE_RATE = 16000
"""Rate (Hz) of the audio the front end expects."""
FRAME_STEP = 0.01
"""Time (s) between consecutive feature frames."""
CAMPPLUS_BANDS = 80
MIN_FRAMES = 10
"""Fewest frames (0.1 s) an embedding is taken from."""
EMBEDDING_SIZE = 192
"""Length of a CAM++ embedding."""
BATCH = 8
"""Equal-length selections embedded in one run of the network."""

_HOP = 160  # samples per frame step
_WINDOW = 400  # samples per 25 ms analysis window
_BLOCK = 4096  # frames transformed at once, which bounds memory on long recordings

_KALDI_FFT = 512
_KALDI_LOW_HZ = 20.0
_KALDI_PREEMPHASIS = 0.97
_KALDI_LOG_FLOOR = float(np.finfo(np.float32).eps)


def campplus_features(samples: np.ndarray) -> np.ndarray:
    """Kaldi log-mel filterbank of a recording, as CAM++ was trained on.

    25 ms Povey windows every 10 ms (edges snipped), DC offset removed, pre-emphasis 0.97,
    512-point power spectrum, 80 triangular mel bands from 20 Hz to 8 kHz, natural log; no dither
    and no normalisation (`campplus_embed` normalises the frames it is given).

    Parameters
    ----------
    samples : np.ndarray
        Mono audio at 16 kHz, shape (n_samples,), float in [-1, 1].

    Returns
    -------
    np.ndarray
        Shape (n_frames, 80), float32, with n_frames = 1 + (n_samples - 400) // 160 (0 for under 25 ms).

    Raises
    ------
    ValueError
        If `samples` is not one-dimensional.
    """
    return _kaldi_log_bands(_mono(samples))


def campplus_frames(samples: np.ndarray, first: int, count: int) -> np.ndarray:
    """Frames `first` to `first + count - 1` of `campplus_features(samples)`, from only the samples they need.

    Each frame depends on its own 25 ms alone, so this equals slicing the whole recording's
    features without holding them all (fewer frames where the recording ends).
    """
    first = max(first, 0)
    return campplus_features(samples[first * _HOP : (first + count - 1) * _HOP + _WINDOW])


def campplus_embed(features: np.ndarray) -> np.ndarray:
    """CAM++ speaker embedding of the given filterbank frames.

    Parameters
    ----------
    features : np.ndarray
        Frames of `campplus_features`, shape (n_frames, 80), n_frames >= `MIN_FRAMES`; any
        selection of a recording's frames, e.g. where one speaker talks. Their mean over time is
        subtracted here.

    Returns
    -------
    np.ndarray
        Shape (192,), float32, unit length.

    Raises
    ------
    ValueError
        If `features` has the wrong shape, too few frames or non-finite values.
    """
    return campplus_embed_many([features])[0]


def campplus_embed_many(selections: Sequence[np.ndarray]) -> np.ndarray:
    """CAM++ embeddings of several frame selections, shape (len(selections), 192), float32.

    Selections of equal length go through the network together, `BATCH` at a time, which is
    faster than one by one. Each selection is checked as in `campplus_embed`.
    """
    checked = [_check_features(features) for features in selections]
    embeddings = np.zeros((len(checked), EMBEDDING_SIZE), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for index, features in enumerate(checked):
        by_length.setdefault(len(features), []).append(index)
    model = session("campplus.onnx")
    for indices in by_length.values():
        for first in range(0, len(indices), BATCH):
            batch = indices[first : first + BATCH]
            stacked = np.stack([checked[i] for i in batch])
            (out,) = model.run(None, {"features": stacked - stacked.mean(axis=1, keepdims=True)})
            embeddings[batch] = _unit(out)
    return embeddings


def _mono(samples: np.ndarray) -> np.ndarray:
    """`samples` as an array of shape (n,), or ValueError (framing converts blocks to float64)."""
    array = np.asarray(samples)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"expected mono audio samples of shape (n_samples,), got {array.dtype} {array.shape}")
    return array


def _check_features(features: np.ndarray) -> np.ndarray:
    """`features` as float32 (n, 80) with n >= MIN_FRAMES, or ValueError."""
    what = "campplus_embed"
    array = np.asarray(features)
    if array.ndim != 2 or array.shape[1] != CAMPPLUS_BANDS:
        raise ValueError(f"{what}: expected features of shape (n_frames, {CAMPPLUS_BANDS}), got {array.shape}")
    if len(array) < MIN_FRAMES:
        raise ValueError(
            f"{what}: need at least {MIN_FRAMES} frames ({MIN_FRAMES * FRAME_STEP:.1f} s), got {len(array)}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what}: features hold NaN or infinite values")
    return array.astype(np.float32)


def _kaldi_log_bands(samples: np.ndarray) -> np.ndarray:
    """Log mel band energies of Kaldi frames (25 ms every 10 ms, edges snipped), (n_frames, 80) float32.

    Blocks of frames are transformed in turn, which bounds memory on long recordings.
    """
    count = max(0, 1 + (len(samples) - _WINDOW) // _HOP)
    bank = _kaldi_mel_bank()
    out = np.empty((count, len(bank)), dtype=np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(samples, _WINDOW)[::_HOP][:count] if count else None
    for a in range(0, count, _BLOCK):
        block = _kaldi_frames(frames[a : a + _BLOCK].astype(np.float64))
        spectrum = np.fft.rfft(block, n=_KALDI_FFT)
        energies = (spectrum.real**2 + spectrum.imag**2) @ bank.T
        out[a : a + _BLOCK] = np.log(np.maximum(energies, _KALDI_LOG_FLOOR))
    return out


def _kaldi_frames(frames: np.ndarray) -> np.ndarray:
    """Kaldi's framing steps, in place: remove the DC offset, pre-emphasise, Povey window."""
    frames -= frames.mean(axis=1, keepdims=True)
    frames[:, 1:] -= _KALDI_PREEMPHASIS * frames[:, :-1].copy()
    frames[:, 0] *= 1.0 - _KALDI_PREEMPHASIS
    frames *= _povey_window()
    return frames


def _povey_window() -> np.ndarray:
    """Kaldi's Povey window: a Hann window (symmetric) raised to the power 0.85."""
    n = np.arange(_WINDOW)
    return (0.5 - 0.5 * np.cos(2 * np.pi * n / (_WINDOW - 1))) ** 0.85


def _kaldi_mel_bank() -> np.ndarray:
    """Kaldi's triangular mel filters, shape (80, 257); the Nyquist bin gets no weight."""
    def mel(hz):
        return 1127.0 * np.log(1.0 + np.asarray(hz) / 700.0)

    edges = np.linspace(mel(_KALDI_LOW_HZ), mel(SAMPLE_RATE / 2), CAMPPLUS_BANDS + 2)
    bins = mel(np.arange(_KALDI_FFT // 2) * SAMPLE_RATE / _KALDI_FFT)
    left, centre, right = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins - left) / (centre - left)
    falling = (right - bins) / (right - centre)
    bank = np.where((bins > left) & (bins < right), np.where(bins <= centre, rising, falling), 0.0)
    return np.pad(bank, ((0, 0), (0, 1)))


def _unit(vectors: np.ndarray) -> np.ndarray:
    """`vectors` (..., 192) scaled to unit length, float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)
