"""Speaker embeddings from networks trained on real voices, with numpy front ends.

A front end turns a whole recording into feature frames once (`FRAME_STEP` apart); an embedding is
then taken from any selection of those frames (say, where one partner speaks), so a recording's
features are never computed twice.

- CAM++ (3D-Speaker, `campplus.onnx`): 80 Kaldi log-mel filterbank energies per frame; a 192-dim
  embedding of any number of frames.
- Resemblyzer (`resemblyzer.onnx`): 40 mel power bands per frame; a 256-dim embedding averaged
  over partial windows of 1.6 s.

Both embeddings have unit length, so the cosine similarity of two is their dot product.
`scripts/export_embeddings.py` made the ONNX files and checked these front ends against the
reference implementations.
"""

from __future__ import annotations

import numpy as np

from . import session

SAMPLE_RATE = 16000
"""Rate (Hz) of the audio every front end expects."""
FRAME_STEP = 0.01
"""Time (s) between consecutive feature frames of both front ends."""
CAMPPLUS_BANDS = 80
RESEMBLYZER_BANDS = 40
MIN_FRAMES = 10
"""Fewest frames (0.1 s) an embedding is taken from."""

_HOP = 160  # samples per frame step
_WINDOW = 400  # samples per 25 ms analysis window
_BLOCK = 4096  # frames transformed at once, which bounds memory on long recordings

_KALDI_FFT = 512
_KALDI_LOW_HZ = 20.0
_KALDI_PREEMPHASIS = 0.97
_KALDI_LOG_FLOOR = float(np.finfo(np.float32).eps)

_PARTIAL_FRAMES = 160  # Resemblyzer partial window (1.6 s)
_PARTIAL_STEP = 77  # frames between partial windows: 1.3 per second, as Resemblyzer uses
_PARTIAL_MIN_COVERAGE = 0.75  # share of a last partial window that must hold frames
_RESEMBLYZER_TARGET_DBFS = -30.0


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
    energies = _band_energies(_mono(samples), centre=False, prepare=_kaldi_frames, bank=_kaldi_mel_bank())
    return np.log(np.maximum(energies, _KALDI_LOG_FLOOR)).astype(np.float32)


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
        If `features` has the wrong shape or too few frames.
    """
    features = _check_features(features, CAMPPLUS_BANDS, "campplus_embed")
    centred = features - features.mean(axis=0, keepdims=True)
    (embedding,) = session("campplus.onnx").run(None, {"features": centred[None]})
    return _unit(embedding[0])


def resemblyzer_features(samples: np.ndarray) -> np.ndarray:
    """Mel power spectrogram of a recording, as Resemblyzer's encoder was trained on.

    A quiet recording is first raised to -30 dBFS RMS (a loud one is left alone), as Resemblyzer
    preprocesses audio; then 25 ms Hann windows every 10 ms, centred (reflected at the edges),
    400-point power spectrum, 40 Slaney mel bands from 0 to 8 kHz with area normalisation, no log.

    Parameters
    ----------
    samples : np.ndarray
        Mono audio at 16 kHz, shape (n_samples,), float in [-1, 1].

    Returns
    -------
    np.ndarray
        Shape (1 + n_samples // 160, 40), float32.

    Raises
    ------
    ValueError
        If `samples` is not one-dimensional or is shorter than 201 samples.
    """
    samples = _mono(samples)
    if len(samples) <= _WINDOW // 2:
        raise ValueError(f"resemblyzer_features: need more than {_WINDOW // 2} samples, got {len(samples)}")
    rms = np.sqrt(np.mean(samples**2))
    gain_db = _RESEMBLYZER_TARGET_DBFS - 20 * np.log10(max(rms, 1e-10))
    if gain_db > 0:
        samples = samples * 10 ** (gain_db / 20)
    energies = _band_energies(samples, centre=True, prepare=lambda f: f * _hann_window(), bank=_slaney_mel_bank())
    return energies.astype(np.float32)


def resemblyzer_embed(features: np.ndarray) -> np.ndarray:
    """Resemblyzer speaker embedding of the given mel frames.

    The frames are cut into partial windows of 160 frames, 77 apart; a last window less than
    three quarters full is dropped unless it is the only one, and missing frames count as silence.
    The unit embeddings of the windows are averaged and scaled to unit length.

    Parameters
    ----------
    features : np.ndarray
        Frames of `resemblyzer_features`, shape (n_frames, 40), n_frames >= `MIN_FRAMES`.

    Returns
    -------
    np.ndarray
        Shape (256,), float32, unit length.

    Raises
    ------
    ValueError
        If `features` has the wrong shape or too few frames.
    """
    features = _check_features(features, RESEMBLYZER_BANDS, "resemblyzer_embed")
    starts = list(range(0, max(1, len(features) - _PARTIAL_FRAMES + _PARTIAL_STEP + 1), _PARTIAL_STEP))
    coverage = (len(features) - starts[-1]) / _PARTIAL_FRAMES
    if coverage < _PARTIAL_MIN_COVERAGE and len(starts) > 1:
        starts.pop()
    padded = np.zeros((max(len(features), starts[-1] + _PARTIAL_FRAMES), RESEMBLYZER_BANDS), dtype=np.float32)
    padded[: len(features)] = features
    partials = np.stack([padded[s : s + _PARTIAL_FRAMES] for s in starts])
    (embeddings,) = session("resemblyzer.onnx").run(None, {"mels": partials})
    return _unit(embeddings.mean(axis=0))


def _mono(samples: np.ndarray) -> np.ndarray:
    """`samples` as float64 of shape (n,), or ValueError."""
    array = np.asarray(samples)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"expected mono audio samples of shape (n_samples,), got {array.dtype} {array.shape}")
    return array.astype(np.float64)


def _check_features(features: np.ndarray, bands: int, what: str) -> np.ndarray:
    """`features` as float32 (n, bands) with n >= MIN_FRAMES, or ValueError naming `what`."""
    array = np.asarray(features)
    if array.ndim != 2 or array.shape[1] != bands:
        raise ValueError(f"{what}: expected features of shape (n_frames, {bands}), got {array.shape}")
    if len(array) < MIN_FRAMES:
        raise ValueError(
            f"{what}: need at least {MIN_FRAMES} frames ({MIN_FRAMES * FRAME_STEP:.1f} s), got {len(array)}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what}: features hold NaN or infinite values")
    return array.astype(np.float32)


def _band_energies(samples: np.ndarray, *, centre: bool, prepare, bank: np.ndarray) -> np.ndarray:
    """Filterbank energies of 400-sample windows every 160 samples, shape (n_frames, n_bands).

    `centre` pads 200 reflected samples at both ends so that frame i is centred on sample 160 i;
    otherwise frames start at sample 160 i and only whole windows are kept. `prepare` maps a block
    of frames (n, 400), a copy it may change, to the windowed frames, which are zero-padded to
    n_fft = 2 * (bank.shape[1] - 1) samples; `bank` (n_bands, n_fft // 2 + 1) weighs the power
    spectrum. Blocks of frames are transformed in turn, which bounds memory on long recordings.
    """
    if centre:
        samples = np.pad(samples, _WINDOW // 2, mode="reflect")
    count = max(0, 1 + (len(samples) - _WINDOW) // _HOP)
    n_fft = 2 * (bank.shape[1] - 1)
    out = np.empty((count, len(bank)))
    if count == 0:
        return out
    frames = np.lib.stride_tricks.sliding_window_view(samples, _WINDOW)[::_HOP][:count]
    for a in range(0, count, _BLOCK):
        spectrum = np.fft.rfft(prepare(frames[a : a + _BLOCK].copy()), n=n_fft)
        out[a : a + _BLOCK] = (spectrum.real**2 + spectrum.imag**2) @ bank.T
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


def _hann_window() -> np.ndarray:
    """Periodic Hann window of 400 samples."""
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(_WINDOW) / _WINDOW)


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


def _slaney_mel_bank() -> np.ndarray:
    """Slaney-style mel filters with area normalisation, shape (40, 201), as librosa makes them."""
    linear_step, knee_hz = 200.0 / 3, 1000.0
    knee_mel, log_step = knee_hz / linear_step, np.log(6.4) / 27.0

    def to_mel(hz):
        hz = np.asarray(hz, dtype=np.float64)
        above = knee_mel + np.log(np.maximum(hz, 1e-10) / knee_hz) / log_step
        return np.where(hz >= knee_hz, above, hz / linear_step)

    def to_hz(m):
        return np.where(m >= knee_mel, knee_hz * np.exp(log_step * (m - knee_mel)), linear_step * m)

    edges_hz = to_hz(np.linspace(to_mel(0.0), to_mel(SAMPLE_RATE / 2), RESEMBLYZER_BANDS + 2))
    bins_hz = np.linspace(0, SAMPLE_RATE / 2, _WINDOW // 2 + 1)
    widths = np.diff(edges_hz)
    offsets = edges_hz[:, None] - bins_hz[None, :]
    rising = -offsets[:-2] / widths[:-1, None]
    falling = offsets[2:] / widths[1:, None]
    bank = np.maximum(0.0, np.minimum(rising, falling))
    return bank * (2.0 / (edges_hz[2:] - edges_hz[:-2]))[:, None]


def _unit(vector: np.ndarray) -> np.ndarray:
    """`vector` scaled to unit length, float32."""
    vector = np.asarray(vector, dtype=np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)
