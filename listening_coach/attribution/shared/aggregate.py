"""Windows back to one timeline: each person's voice activity over the whole recording.

Every frame is covered by about four windows. For each person the windows' votes (their local
speaker's activity, weighted towards window centres, where the model has context on both sides)
are averaged; so is the number of voices the windows hear. In each frame the people with the
highest votes are active, as many as that number says (pyannote's reconstruction).
"""

from __future__ import annotations

import numpy as np

from .clusters import People
from .local import LocalActivity


def voice_frames(local: LocalActivity, people: People) -> np.ndarray:
    """(global frames, people) bool: where each person's voice is heard, both where both talk."""
    n_frames = local.n_frames
    votes = np.zeros((n_frames + local.activity.shape[1], people.count))
    count = np.zeros(len(votes))
    weight = np.zeros(len(votes))
    taper = np.hamming(local.activity.shape[1]) + 1e-3
    for w in range(local.n_windows):
        frames = local.window_frames(w)
        active = local.activity[w]
        for person in range(people.count):
            mine = active[:, people.assignment[w] == person]
            if mine.shape[1]:
                votes[frames, person] += mine.any(axis=1) * taper
        count[frames] += active.sum(axis=1) * taper
        weight[frames] += taper
    votes, count, weight = votes[:n_frames], count[:n_frames], weight[:n_frames]
    votes /= weight[:, None]
    speaking = np.minimum(np.rint(count / weight).astype(int), people.count)
    rank = np.argsort(np.argsort(-votes, axis=1), axis=1)  # 0 = most votes in that frame
    return (rank < speaking[:, None]) & (votes > 0)
