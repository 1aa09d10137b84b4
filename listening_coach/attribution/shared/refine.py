"""A second look at one-voice speech: short pieces given to the person whose voice they sound like.

The segmentation model sometimes hears two people who take turns inside one 10 s window as one
local speaker (on a real meeting clip, from 10 s on), which the window-level embeddings cannot
undo. So where one voice is heard, pieces of `PIECE` s every `HOP` s are embedded and compared with
each person's voice; a frame changes hands when its pieces sound clearly (`MARGIN`) more like the
other person.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...models import segmentation, speaker_embedding
from .local import frame_centre, frame_of

PIECE = 1.5
"""Seconds of audio behind one piece's embedding."""

HOP = 1.5
"""Seconds between the starts of consecutive pieces."""

MIN_ONE_VOICE = 0.5
"""Share of a piece that must be one voice for the piece to be looked at."""

MARGIN = 0.1
"""Cosine similarity by which the other person must win a frame's pieces for it to change hands."""


def refine(signal: np.ndarray, on: np.ndarray, centroids: np.ndarray,
           on_progress: Callable[[float], None] | None = None) -> np.ndarray:
    """`on` (global frames, people) with one-voice frames re-attributed by piece embeddings.

    `on_progress` is told the seconds of audio looked at, `HOP` at a time.
    """
    n_frames, people = on.shape
    if people < 2:
        return on
    alone = on.sum(axis=1) == 1
    votes = np.zeros((n_frames, people))
    looks = np.zeros(n_frames)
    rate = segmentation.SAMPLE_RATE
    duration = signal.size / rate
    for start in np.arange(0.0, max(duration - PIECE, 0.0) + HOP / 2, HOP):
        if on_progress:
            on_progress(HOP)
        first, last = int(frame_of(start)), int(frame_of(start + PIECE))
        frames = np.arange(max(first, 0), min(last, n_frames))
        mine = frames[alone[frames]]
        if mine.size < MIN_ONE_VOICE * frames.size or mine.size == 0:
            continue
        features = speaker_embedding.campplus_features(signal[int(start * rate): int((start + PIECE) * rate)])
        centres = start + np.arange(len(features)) * speaker_embedding.FRAME_STEP + 0.0125
        keep = alone[np.clip(frame_of(centres), 0, n_frames - 1)]
        if keep.sum() < speaker_embedding.MIN_FRAMES:
            continue
        similarity = centroids @ speaker_embedding.campplus_embed(features[keep])
        votes[mine] += similarity
        looks[mine] += 1
    seen = alone & (looks > 0)
    owner = np.argmax(on, axis=1)
    best = np.argmax(votes, axis=1)
    rows = np.arange(n_frames)
    flip = seen & (votes[rows, best] - votes[rows, owner] > MARGIN * looks)
    refined = on.copy()
    refined[flip] = False
    refined[flip, best[flip]] = True
    return refined
