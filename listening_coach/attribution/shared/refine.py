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

from ...models import speaker_embedding
from .clusters import feature_frames
from .local import frame_of

PIECE = 1.5
"""Seconds of audio behind one piece's embedding."""

HOP = 1.5
"""Seconds between the starts of consecutive pieces."""

MIN_ONE_VOICE = 0.5
"""Share of a piece that must be one voice for the piece to be looked at."""

MARGIN = 0.1
"""Cosine similarity by which the other person must win a frame's pieces for it to change hands."""

SPLIT_DISTANCE = 0.7
"""Cosine distance between the two halves of the pieces beyond which they are two people."""

MIN_SPLIT_PIECES = 6
"""Fewest pieces (9 s of one-voice speech) on which a recording is split into two voices."""

MIN_SPLIT_SHARE = 0.15
"""Smallest share of the pieces the smaller voice must hold."""

ROUNDS = 10
"""Rounds of two-means when splitting."""

PIECES_AT_ONCE = 64
"""Pieces embedded together (batches of equal length run faster)."""


def pieces(features: np.ndarray, alone: np.ndarray,
           on_progress: Callable[[float], None] | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(global frames, embedding) of every piece that is mostly one voice (`alone`, per frame).

    `features` are the recording's CAM++ filterbank frames. `on_progress` is told the seconds of
    audio looked at.
    """
    n_frames = alone.size
    frame = np.clip(feature_frames(len(features)), 0, n_frames - 1)
    duration = len(features) * speaker_embedding.FRAME_STEP
    per_piece = round(PIECE / speaker_embedding.FRAME_STEP)
    found, selections = [], []
    for start in np.arange(0.0, max(duration - PIECE, 0.0) + HOP / 2, HOP):
        frames = np.arange(max(int(frame_of(start)), 0), min(int(frame_of(start + PIECE)), n_frames))
        mine = frames[alone[frames]]
        if mine.size == 0 or mine.size < MIN_ONE_VOICE * frames.size:
            continue
        first = round(start / speaker_embedding.FRAME_STEP)
        keep = first + np.flatnonzero(alone[frame[first : first + per_piece]])
        if keep.size >= speaker_embedding.MIN_FRAMES:
            found.append(mine)
            selections.append(features[keep])
    embeddings = []
    for first in range(0, len(selections), PIECES_AT_ONCE):
        embeddings.extend(speaker_embedding.campplus_embed_many(selections[first : first + PIECES_AT_ONCE]))
        if on_progress:
            on_progress(duration * min(PIECES_AT_ONCE, len(selections) - first) / len(selections))
    if on_progress and not selections:
        on_progress(duration)
    return list(zip(found, embeddings))


def reattribute(on: np.ndarray, centroids: np.ndarray, looked: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """`on` (global frames, people) with one-voice frames re-attributed by the `looked` pieces."""
    n_frames, people = on.shape
    if people < 2:
        return on
    votes = np.zeros((n_frames, people))
    looks = np.zeros(n_frames)
    for frames, embedding in looked:
        votes[frames] += centroids @ embedding
        looks[frames] += 1
    seen = (on.sum(axis=1) == 1) & (looks > 0)
    owner = np.argmax(on, axis=1)
    best = np.argmax(votes, axis=1)
    rows = np.arange(n_frames)
    flip = seen & (votes[rows, best] - votes[rows, owner] > MARGIN * looks)
    refined = on.copy()
    refined[flip] = False
    refined[flip, best[flip]] = True
    return refined


def split_voices(looked: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray | None:
    """Two unit centroids when the pieces fall into two clearly different voices, else None.

    For recordings where the segmentation model never hears two local speakers in one window
    (two voices it cannot tell apart in 10 s), the pieces are split in two by two-means; a
    monologue's halves stay close (cosine distance 0.15-0.31 on LibriSpeech readers, one 0.63),
    two people's do not (0.84-0.98 on real-voice conversations and dev00).
    """
    if len(looked) < MIN_SPLIT_PIECES:
        return None
    vectors = np.stack([embedding for _, embedding in looked])
    centred = vectors - vectors.mean(0)
    side = centred @ np.linalg.svd(centred, full_matrices=False)[2][0] > 0
    for _ in range(ROUNDS):
        if side.all() or not side.any():
            return None
        centroids = np.stack([_unit(vectors[side].mean(0)), _unit(vectors[~side].mean(0))])
        side = vectors @ centroids[0] > vectors @ centroids[1]
    if 1.0 - float(centroids[0] @ centroids[1]) < SPLIT_DISTANCE or min(side.mean(), 1 - side.mean()) < MIN_SPLIT_SHARE:
        return None
    return centroids


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-9)
