"""A second look at one-voice speech: short pieces given to the person whose voice they sound like.

The segmentation model sometimes hears two people who take turns inside one 10 s window as one
local speaker (on a real meeting clip, from 10 s on), which the window-level embeddings cannot
undo. So the one-voice pieces (`pieces`) are compared with each person's voice; a frame changes
hands when its pieces sound clearly (`MARGIN`) more like the other person.
"""

from __future__ import annotations

import numpy as np

from .pieces import Piece

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
    seen = (on.sum(axis=1) == 1) & (looks > 0)
    owner = np.argmax(on, axis=1)
    best = np.argmax(votes, axis=1)
    rows = np.arange(n_frames)
    flip = seen & (votes[rows, best] - votes[rows, owner] > MARGIN * looks)
    refined = on.copy()
    refined[flip] = False
    refined[flip, best[flip]] = True
    return refined


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
