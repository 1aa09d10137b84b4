"""Local speaker activity in 10 s windows: pyannote segmentation-3.0, run with onnxruntime.

The model hears one 10 s window of 16 kHz mono audio and says, for each of its 589 output frames,
which of up to three *local* speakers are talking (at most two at once). Local speakers are
numbered afresh in every window (0, 1, 2 in order of the model's own choosing); they are not the
partners, and linking them across windows is the caller's work. The output is a log-probability
over the 7 sets of speakers in `POWERSET`.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from . import session

MODEL_FILE = "segmentation-3.0.onnx"
SAMPLE_RATE = 16000
"""Rate of the input audio (Hz)."""
WINDOW_SAMPLES = 160000
"""Length of one input window (samples, 10 s)."""
LOCAL_SPEAKERS = 3
MAX_SIMULTANEOUS = 2

POWERSET: tuple[tuple[int, ...], ...] = tuple(
    speakers for size in range(MAX_SIMULTANEOUS + 1)
    for speakers in combinations(range(LOCAL_SPEAKERS), size))
"""The model's 7 classes, in its output order: the set of local speakers talking in a frame,
``(), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2)``."""

BATCH_WINDOWS = 4
"""Windows run through the model at once. Larger batches gain little speed; a batch of 8 adds
about 170 MB to the process at its peak (benchmarks/segmentation_speed.py)."""

_LAYERS = ((251, 10), (3, 3), (5, 1), (3, 3), (5, 1), (3, 3))
"""(kernel, stride) in samples/frames of each convolution and max-pool of the SincNet front end,
in order from the waveform; nothing after it changes the timing."""


def _receptive_field(frames: int) -> int:
    """Samples seen by `frames` consecutive output frames (pyannote's receptive field size)."""
    size = frames
    for kernel, stride in reversed(_LAYERS):
        size = kernel + (size - 1) * stride
    return size


def _output_frames(samples: int) -> int:
    for kernel, stride in _LAYERS:
        samples = (samples - kernel) // stride + 1
    return samples


FRAME_DURATION = _receptive_field(1) / SAMPLE_RATE
"""Span of audio behind one output frame (s): 991 samples."""
FRAME_STEP = (_receptive_field(2) - _receptive_field(1)) / SAMPLE_RATE
"""Time between the starts of two consecutive output frames (s): 270 samples."""
FRAMES = _output_frames(WINDOW_SAMPLES)
"""Output frames per window: 589."""

_SPEAKERS_OF_CLASS = np.array([[k in speakers for k in range(LOCAL_SPEAKERS)] for speakers in POWERSET],
                              dtype=np.float32)
"""(7, 3): row c marks the local speakers active in class c."""


def frame_times(n_frames: int) -> np.ndarray:
    """Centre of each output frame, in seconds from the window's start, shape (n_frames,).

    Frame i covers [i * FRAME_STEP, i * FRAME_STEP + FRAME_DURATION), as in pyannote.
    """
    return np.arange(n_frames) * FRAME_STEP + FRAME_DURATION / 2


def powerset_log_probs(windows: np.ndarray) -> np.ndarray:
    """Log-probability of each speaker set in each frame of each window.

    Parameters
    ----------
    windows
        Audio, shape (batch, WINDOW_SAMPLES), 16 kHz, values in [-1, 1], float32 or float64;
        a strided view such as numpy's ``sliding_window_view`` of a recording is fine (only one
        batch at a time is copied).

    Returns
    -------
    numpy.ndarray
        float32, shape (batch, FRAMES, 7), natural log, classes in `POWERSET` order.
    """
    windows = np.asarray(windows)
    if windows.ndim != 2 or windows.shape[1] != WINDOW_SAMPLES:
        raise ValueError(f"windows must have shape (batch, {WINDOW_SAMPLES}), not {windows.shape}")
    if not np.issubdtype(windows.dtype, np.floating):
        raise ValueError(f"windows must be floating-point audio in [-1, 1], not {windows.dtype}")
    model = session(MODEL_FILE)
    out = np.empty((len(windows), FRAMES, len(POWERSET)), dtype=np.float32)
    for start in range(0, len(windows), BATCH_WINDOWS):
        stop = start + BATCH_WINDOWS
        batch = np.ascontiguousarray(windows[start:stop], dtype=np.float32)  # one batch copied at a time
        out[start:stop] = model.run(None, {"waveforms": batch[:, None, :]})[0]
    return out


def speaker_activity(log_probs: np.ndarray, *, soft: bool) -> np.ndarray:
    """Which local speakers talk in each frame.

    Parameters
    ----------
    log_probs
        Output of `powerset_log_probs`, shape (batch, frames, 7).
    soft
        False: 1.0 for the speakers of each frame's most likely class, else 0.0 (pyannote's
        reading). True: the probability that each speaker talks (sum over the classes holding it).

    Returns
    -------
    numpy.ndarray
        float32, shape (batch, frames, 3).
    """
    log_probs = np.asarray(log_probs)
    if log_probs.ndim != 3 or log_probs.shape[2] != len(POWERSET):
        raise ValueError(f"log_probs must have shape (batch, frames, {len(POWERSET)}), "
                         f"not {log_probs.shape}")
    if soft:
        return (np.exp(log_probs.astype(np.float32)) @ _SPEAKERS_OF_CLASS).astype(np.float32)
    return _SPEAKERS_OF_CLASS[log_probs.argmax(axis=2)]
