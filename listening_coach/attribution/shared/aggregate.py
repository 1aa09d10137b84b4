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


def voices_counted(local: LocalActivity) -> np.ndarray:
    """How many voices are heard in each global frame (int), by the windows' weighted vote."""
    return np.rint(_window_average(local, local.activity.sum(axis=2))).astype(int)


def voice_frames(local: LocalActivity, people: People) -> np.ndarray:
    """(global frames, people) bool: where each person's voice is heard, both where both talk."""
    votes = np.stack([
        _window_average(local, (local.activity & (people.assignment[:, None, :] == person)).any(axis=2))
        for person in range(people.count)], axis=1)
    speaking = np.minimum(voices_counted(local), people.count)
    rank = np.argsort(np.argsort(-votes, axis=1), axis=1)  # 0 = most votes in that frame
    return (rank < speaking[:, None]) & (votes > 0)


def _window_average(local: LocalActivity, values: np.ndarray) -> np.ndarray:
    """Per global frame, the mean of `values` (windows, window frames) over the windows covering it."""
    taper = np.hamming(local.activity.shape[1]) + 1e-3
    total = np.zeros(local.n_frames + local.activity.shape[1])
    weight = np.zeros(len(total))
    for w in range(local.n_windows):
        frames = local.window_frames(w)
        total[frames] += values[w] * taper
        weight[frames] += taper
    return total[: local.n_frames] / weight[: local.n_frames]
