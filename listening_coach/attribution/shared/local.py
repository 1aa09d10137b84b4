"""Local speaker activity: the segmentation model run on overlapping 10 s windows.

Inside one window the model tells up to three local speakers apart, overlap included, but a local
speaker index means nothing outside its window; `clusters` links them across windows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...models import segmentation
from ...spans import mask_to_spans
from ...types import Span

STEP_FRAMES = 148
"""Model frames between the starts of consecutive windows (about 2.5 s)."""

BATCH = 16
"""Windows run through the model at once (bounds memory: 16 x 10 s of audio)."""

HOP_SAMPLES = STEP_FRAMES * round(segmentation.FRAME_STEP * segmentation.SAMPLE_RATE)
"""Samples between the starts of consecutive windows."""


@dataclass(frozen=True)
class LocalActivity:
    """Who is active in each window, on a frame grid shared by every window.

    `activity[w, f, k]` says local speaker k is active in frame f of window w, which is global
    frame `w * STEP_FRAMES + f`; global frame g is centred at `frame_centre(g)` seconds.
    """

    activity: np.ndarray
    n_frames: int

    @property
    def n_windows(self) -> int:
        return self.activity.shape[0]

    def window_frames(self, window: int) -> slice:
        """The global frames that window `window` covers."""
        start = window * STEP_FRAMES
        return slice(start, start + self.activity.shape[1])


def frame_centre(frame: np.ndarray | int) -> np.ndarray | float:
    """Centre (s) of global frame(s) `frame`."""
    return segmentation.frame_times(1)[0] + np.asarray(frame) * segmentation.FRAME_STEP


def frame_of(seconds: np.ndarray | float) -> np.ndarray:
    """The global frame whose centre lies nearest `seconds`."""
    first = segmentation.frame_times(1)[0]
    return np.rint((np.asarray(seconds) - first) / segmentation.FRAME_STEP).astype(int)


def frames_to_spans(mask: np.ndarray) -> list[Span]:
    """Spans (s) of the True global frames of `mask`, each frame its centre +- half a step."""
    start = segmentation.frame_times(1)[0] - segmentation.FRAME_STEP / 2
    return [Span(round(max(0.0, start + s.start), 3), round(start + s.end, 3))
            for s in mask_to_spans(mask, segmentation.FRAME_STEP)]


def local_activity(signal: np.ndarray, on_progress: Callable[[float], None] | None = None) -> LocalActivity:
    """Run the segmentation model on 10 s windows of the 16 kHz mono `signal` every ~2.5 s.

    `on_progress` is told the seconds of audio covered by each batch of windows (the whole
    recording's length in all).
    """
    hop = HOP_SAMPLES
    size = segmentation.WINDOW_SAMPLES
    n_windows = max(1, int(np.ceil((signal.size - size) / hop)) + 1)
    batches = []
    for first in range(0, n_windows, BATCH):
        count = min(BATCH, n_windows - first)
        windows = np.zeros((count, size), dtype=np.float32)
        for i in range(count):
            piece = signal[(first + i) * hop : (first + i) * hop + size]
            windows[i, : piece.size] = piece
        batches.append(segmentation.speaker_activity(segmentation.powerset_log_probs(windows), soft=False))
        if on_progress:
            on_progress(signal.size / segmentation.SAMPLE_RATE * count / n_windows)
    activity = np.concatenate(batches).astype(bool)
    n_frames = int(frame_of(signal.size / segmentation.SAMPLE_RATE)) + 1
    return LocalActivity(activity=activity, n_frames=min(n_frames, (n_windows - 1) * STEP_FRAMES + activity.shape[1]))
