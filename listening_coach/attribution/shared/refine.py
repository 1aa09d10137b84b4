"""A second look at one-voice speech: short pieces given to the person whose voice they sound like.

The segmentation model sometimes hears two people who take turns inside one 10 s window as one
local speaker (on a real meeting clip, from 10 s on), which the window-level embeddings cannot
undo. So the one-voice pieces (`pieces`) are compared with each person's voice; a frame changes
hands when its pieces sound clearly (`MARGIN`) more like the other person. Pieces lie on a 1.5 s
grid, people change at pauses: each edge of a stretch that changed hands moves to the nearest
silent frame within `SNAP_FRAMES`, if there is one.
"""

from __future__ import annotations

import numpy as np

from .pieces import Piece

MARGIN = 0.1
"""Cosine similarity by which the other person must win a frame's pieces for it to change hands."""

SNAP_FRAMES = 44
"""Segmentation frames (about 0.75 s, half a piece) within which the edge of a stretch that
changed hands moves to the nearest silence."""

SPLIT_DISTANCE = 0.7
"""Cosine distance between the two halves of the pieces beyond which they are two people."""

MIN_SPLIT_PIECES = 6
"""Fewest pieces (9 s of one-voice speech) on which a recording is split into two voices."""

MIN_SPLIT_SHARE = 0.15
"""Smallest share of the pieces the smaller voice must hold."""

ROUNDS = 10
"""Rounds of two-means when splitting."""


def reattribute(on: np.ndarray, centroids: np.ndarray, looked: list[Piece]) -> np.ndarray:
    """`on` (global frames, people) with one-voice frames re-attributed by the `looked` pieces."""
    n_frames, people = on.shape
    if people < 2:
        return on
    votes = np.zeros((n_frames, people))
    looks = np.zeros(n_frames)
    for piece in looked:
        votes[piece.frames] += centroids @ piece.embedding
        looks[piece.frames] += 1
    heard = on.sum(axis=1)  # voices per frame
    seen = (heard == 1) & (looks > 0)
    owner = np.argmax(on, axis=1)
    best = np.argmax(votes, axis=1)
    rows = np.arange(n_frames)
    flip = seen & (votes[rows, best] - votes[rows, owner] > MARGIN * looks)
    flip, best = _edges_to_silence(flip, best, heard == 0, heard == 1)
    refined = on.copy()
    refined[flip] = False
    refined[flip, best[flip]] = True
    return refined


def _edges_to_silence(flip: np.ndarray, owner: np.ndarray, silent: np.ndarray,
                      alone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`flip` (frames that change hands) and `owner` (their new person) with each flipped
    stretch's edges moved to the nearest `silent` frame within `SNAP_FRAMES`; a stretch grows
    only over frames where one person (`alone`) is heard."""
    moved, owner = flip.copy(), owner.copy()
    for edge in np.flatnonzero(np.diff(flip.astype(np.int8))) + 1:  # first frame after a change
        low, high = max(0, edge - SNAP_FRAMES), min(flip.size, edge + SNAP_FRAMES)
        quiet = np.flatnonzero(silent[low:high]) + low
        if quiet.size == 0:
            continue
        target = int(quiet[np.argmin(np.abs(quiet - edge))])
        starts = bool(flip[edge])  # a flipped stretch starts at `edge`, else it ended just before
        first, last = sorted((edge, target))
        if (target < edge) == starts:  # the silence lies outside the stretch: grow to it
            grow = np.arange(first, last)[alone[first:last]]
            moved[grow] = True
            owner[grow] = owner[edge if starts else edge - 1]
        else:  # the silence lies inside it: shrink back to it
            moved[first:last] = False
    return moved, owner


def split_voices(looked: list[Piece]) -> np.ndarray | None:
    """Two unit centroids when the pieces fall into two clearly different voices, else None.

    For recordings where the segmentation model never hears two local speakers in one window
    (two voices it cannot tell apart in 10 s), the pieces are split in two by two-means; a
    monologue's halves stay close (cosine distance 0.15-0.31 on LibriSpeech readers, one 0.63),
    two people's do not (0.84-0.98 on real-voice conversations and dev00).
    """
    if len(looked) < MIN_SPLIT_PIECES:
        return None
    vectors = np.stack([piece.embedding for piece in looked])
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
