"""One-voice speech in short pieces, each embedded once: the voice samples every later step uses.

Where the windows hear exactly one voice, the recording is cut into pieces of `PIECE` s every
`HOP` s and each piece's one-voice frames get a CAM++ embedding. `clusters` builds each window's
local speakers from the pieces they hold, and `refine` compares the pieces with each person.
Every second of speech is embedded about once, whatever the windows' overlap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...models import speaker_embedding
from .local import frame_of

PIECE = 1.5
"""Seconds of audio behind one piece's embedding."""

HOP = 1.5
"""Seconds between the starts of consecutive pieces."""

MIN_ONE_VOICE = 0.5
"""Share of a piece that must be one voice for the piece to be embedded."""

FEATURE_WINDOW = 0.025
"""Seconds of audio behind one embedding-feature frame."""

PIECES_AT_ONCE = 64
"""Pieces embedded together (batches of equal length run faster)."""


def feature_frames(count: int, first: int = 0) -> np.ndarray:
    """For the recording's CAM++ frames `first` to `first + count - 1`, the global segmentation frame
    nearest each one's centre."""
    return frame_of((first + np.arange(count)) * speaker_embedding.FRAME_STEP + FEATURE_WINDOW / 2)


@dataclass(frozen=True)
class Piece:
    """The one-voice global (segmentation) frames of a piece and their unit CAM++ embedding."""

    frames: np.ndarray
    embedding: np.ndarray


def one_voice_pieces(signal: np.ndarray, alone: np.ndarray,
                     on_progress: Callable[[float], None] | None = None) -> list[Piece]:
    """The pieces of the 16 kHz mono `signal` that are mostly one voice (`alone`, per global frame).

    `on_progress` is told the seconds of audio embedded, batch by batch.
    """
    n_frames = alone.size
    duration = signal.size / speaker_embedding.SAMPLE_RATE
    per_piece = round(PIECE / speaker_embedding.FRAME_STEP)
    found, selections = [], []
    for start in np.arange(0.0, max(duration - PIECE, 0.0) + HOP / 2, HOP):
        frames = np.arange(max(int(frame_of(start)), 0), min(int(frame_of(start + PIECE)), n_frames))
        mine = frames[alone[frames]]
        if mine.size == 0 or mine.size < MIN_ONE_VOICE * frames.size:
            continue
        first = round(start / speaker_embedding.FRAME_STEP)
        features = speaker_embedding.campplus_frames(signal, first, per_piece)
        keep = alone[np.clip(feature_frames(len(features), first), 0, n_frames - 1)]
        if keep.sum() >= speaker_embedding.MIN_FRAMES:
            found.append(mine)
            selections.append(features[keep])
    embeddings = []
    for first in range(0, len(selections), PIECES_AT_ONCE):
        embeddings.extend(speaker_embedding.campplus_embed_many(selections[first : first + PIECES_AT_ONCE]))
        if on_progress:
            on_progress(duration * min(PIECES_AT_ONCE, len(selections) - first) / len(selections))
    if on_progress and not selections:
        on_progress(duration)
    return [Piece(frames, embedding) for frames, embedding in zip(found, embeddings)]
