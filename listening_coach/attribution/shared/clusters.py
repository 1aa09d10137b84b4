"""Local speakers linked across windows by their voices (speaker embeddings), into one or two people.

Each local speaker of each window gets a voice: the embeddings of the one-voice pieces it holds.

- How many: the segmentation model hears two people in one window only where two voices take
  turns there, so two people are heard when some window holds two local speakers, each with
  enough clean speech, whose embeddings are far apart. A monologue gives no such window.
- Who is who: two-means on the embeddings, constrained like the model (two local speakers of one
  window are two people), started from the most distant such pair.
- More than two: speech whose embeddings are far from both people is counted as another voice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from ...models import segmentation, speaker_embedding
from ...spans import spans_to_mask
from ...vad import speech_spans
from .local import HOP_SAMPLES, STEP_FRAMES, LocalActivity
from .pieces import Piece, feature_frames

DIFFERENT_VOICES = 0.65
"""Cosine distance between two local speakers' embeddings beyond which they are two people. The
model sometimes splits one person at a long pause into two local speakers (0.54 apart on
jfk.flac); two people's local speakers were 0.75 or more apart in every tune recording."""

OTHER_VOICE = 0.8
"""Cosine distance from every person beyond which an embedding is another person's voice."""

MIN_EMBED_SECONDS = 0.3
"""One-voice speech a local speaker needs for an embedding."""

PURITY = 0.8
"""Share of a piece's one-voice frames a local speaker must hold for the piece to be its voice."""

MIN_CLUSTER_SECONDS = 1.0
"""Clean speech a local speaker needs to count in finding and placing people."""

MIN_PERSON_SECONDS = 3.0
"""Clean speech (summed over windows) that a voice far from both people needs to be counted."""

ROUNDS = 10
"""Rounds of constrained two-means."""


@dataclass(frozen=True)
class People:
    """The people found: `assignment[w, k]` is the person (index) of local speaker k in window w, or -1.

    `centroids` (people, 192) are their voices' unit embeddings; `voices_heard` also counts a
    voice that is neither person's (it may exceed two).
    """

    assignment: np.ndarray
    centroids: np.ndarray
    voices_heard: int

    @property
    def count(self) -> int:
        return len(self.centroids)


def find_people(
    pieces: Sequence[Piece],
    signal: np.ndarray,
    local: LocalActivity,
    *,
    n_speakers: int | None = None,
    voices: Sequence[np.ndarray] = (),
) -> People:
    """Link the local speakers of `local` into people, by the voices of the one-voice `pieces`
    (and the 16 kHz mono `signal` itself for local speakers without a piece).

    `n_speakers` is 1, 2 or None (decide: one or two). With `voices` (one clip per person, in id
    order) there are that many people, found starting from those voices and in their order.
    """
    embeddings, seconds = _local_embeddings(pieces, signal, local)
    active = local.activity.any(axis=1)
    usable = ~np.isnan(embeddings[..., 0]) & (seconds >= MIN_CLUSTER_SECONDS)
    if voices:  # the enrolled voices start the two-means, which then adapts them to this recording
        enrolled = np.stack([_clip_embedding(v) for v in voices])
        centroids = _centroids(embeddings, seconds, usable, len(enrolled), start=enrolled)
    else:
        wanted = n_speakers or (2 if _two_voices_apart(embeddings, usable) else 1)
        centroids = _centroids(embeddings, seconds, usable, wanted)
    heard = len(centroids) + _other_voices(embeddings, seconds, usable, centroids)
    return People(assignment=_assign(embeddings, active, centroids), centroids=centroids, voices_heard=heard)


def _local_embeddings(pieces: Sequence[Piece], signal: np.ndarray,
                      local: LocalActivity) -> tuple[np.ndarray, np.ndarray]:
    """Embedding (NaN without enough speech) and seconds of one-voice speech per (window, local speaker).

    A local speaker's embedding is the mean of the pieces whose one-voice frames it holds (at
    least `PURITY` of them) in its window, weighted by the frames it holds. One that holds no
    such piece (a short turn between two others) is embedded from its own one-voice frames of
    `signal`.
    """
    n_windows, n_frames, n_local = local.activity.shape
    clean = local.activity & (local.activity.sum(axis=2, keepdims=True) == 1)
    sums = np.zeros((n_windows, n_local, speaker_embedding.EMBEDDING_SIZE))
    held = np.zeros((n_windows, n_local))
    for piece in pieces:
        first = max(0, -(-(int(piece.frames[-1]) - n_frames + 1) // STEP_FRAMES))
        last = min(n_windows - 1, int(piece.frames[0]) // STEP_FRAMES)
        for w in range(first, last + 1):
            inside = piece.frames - w * STEP_FRAMES
            owned = clean[w, inside[inside < n_frames]].sum(axis=0)
            k = int(np.argmax(owned))
            if owned[k] >= PURITY * piece.frames.size:
                sums[w, k] += owned[k] * piece.embedding
                held[w, k] += owned[k]
    embeddings = np.where((held * segmentation.FRAME_STEP >= MIN_EMBED_SECONDS)[..., None], _unit(sums),
                          np.nan).astype(np.float32)
    _embed_unheld(embeddings, clean, signal)
    return embeddings, clean.sum(axis=1) * segmentation.FRAME_STEP


def _embed_unheld(embeddings: np.ndarray, clean: np.ndarray, signal: np.ndarray) -> None:
    """In place: embed each local speaker that holds no piece but has enough one-voice frames."""
    n_frames = clean.shape[1]
    window_features = round(segmentation.WINDOW_SAMPLES / segmentation.SAMPLE_RATE / speaker_embedding.FRAME_STEP)
    unheld = np.isnan(embeddings[..., 0]) & (clean.sum(axis=1) * segmentation.FRAME_STEP >= MIN_EMBED_SECONDS)
    wanted, selections = [], []
    for w in np.flatnonzero(unheld.any(axis=1)):  # each window's frames computed once
        first = round(w * HOP_SAMPLES / segmentation.SAMPLE_RATE / speaker_embedding.FRAME_STEP)
        features = speaker_embedding.campplus_frames(signal, first, window_features)
        frames = feature_frames(len(features), first) - w * STEP_FRAMES
        inside = (frames >= 0) & (frames < n_frames)
        for k in np.flatnonzero(unheld[w]):
            chosen = inside & clean[w, np.clip(frames, 0, n_frames - 1), k]
            if chosen.sum() * speaker_embedding.FRAME_STEP >= MIN_EMBED_SECONDS:
                wanted.append((w, k))
                selections.append(features[chosen])
    if selections:
        embeddings[tuple(np.array(wanted).T)] = speaker_embedding.campplus_embed_many(selections)


def _clip_embedding(clip: np.ndarray) -> np.ndarray:
    """Embedding of an enrollment clip's speech (all of it when no speech is detected)."""
    features = speaker_embedding.campplus_features(clip)
    keep = spans_to_mask(speech_spans(clip), len(features), speaker_embedding.FRAME_STEP)
    return speaker_embedding.campplus_embed(features[keep] if keep.sum() > 30 else features)


def _pairs(embeddings: np.ndarray, usable: np.ndarray) -> list[tuple[float, int, int, int]]:
    """(cosine distance, window, k1, k2) for every two usable local speakers of one window."""
    pairs = []
    for w in np.flatnonzero(usable.sum(axis=1) >= 2):
        ks = np.flatnonzero(usable[w])
        for a in range(len(ks)):
            for b in range(a + 1, len(ks)):
                distance = 1.0 - float(embeddings[w, ks[a]] @ embeddings[w, ks[b]])
                pairs.append((distance, int(w), int(ks[a]), int(ks[b])))
    return pairs


def _two_voices_apart(embeddings: np.ndarray, usable: np.ndarray) -> bool:
    """Whether some window holds two local speakers whose voices differ (`DIFFERENT_VOICES`)."""
    return any(distance > DIFFERENT_VOICES for distance, *_ in _pairs(embeddings, usable))


def _centroids(embeddings: np.ndarray, seconds: np.ndarray, usable: np.ndarray, wanted: int,
               start: np.ndarray | None = None) -> np.ndarray:
    """Unit centroids of `wanted` (1 or 2) people, by constrained two-means over the usable embeddings.

    `start` (wanted, 192), e.g. enrolled voices, is where the two-means begins and what is
    returned when the recording gives nothing to fit; person i stays the one nearest start[i].
    """
    if not usable.any():
        usable = ~np.isnan(embeddings[..., 0])
    if not usable.any():
        return np.zeros((wanted, embeddings.shape[-1]), dtype=np.float32) if start is None else start
    weights = np.where(usable, seconds, 0.0)
    mean = _unit((np.nan_to_num(embeddings) * weights[..., None]).sum(axis=(0, 1)))[None]
    if wanted == 1:
        return mean
    pairs = _pairs(embeddings, usable)
    if start is not None:
        centroids = start
    elif pairs:
        _, w, k1, k2 = max(pairs)
        centroids = np.stack([embeddings[w, k1], embeddings[w, k2]])
    else:  # asked for two without a window that shows two: split along the main direction
        vectors = embeddings[usable]
        direction = np.linalg.svd(vectors - vectors.mean(0), full_matrices=False)[2][0]
        side = (vectors - vectors.mean(0)) @ direction > 0
        if side.all() or not side.any():
            return np.concatenate([mean, mean])
        centroids = np.stack([_unit(vectors[side].mean(0)), _unit(vectors[~side].mean(0))])
    for _ in range(ROUNDS):
        assignment = _assign(np.where(usable[..., None], embeddings, np.nan), usable, centroids)
        updated = np.stack([
            (np.nan_to_num(embeddings) * (weights * (assignment == person))[..., None]).sum(axis=(0, 1))
            for person in range(2)])
        if (np.linalg.norm(updated, axis=1) == 0).any():
            break
        centroids = _unit(updated)
    if start is not None and np.trace(centroids @ start.T) < np.trace(centroids[::-1] @ start.T):
        centroids = centroids[::-1]
    return centroids


def _other_voices(embeddings: np.ndarray, seconds: np.ndarray, usable: np.ndarray, centroids: np.ndarray) -> int:
    """1 when at least `MIN_PERSON_SECONDS` of clean speech sounds like none of the people, else 0."""
    distance = 1.0 - np.nan_to_num(embeddings @ centroids.T, nan=1.0).max(axis=-1)
    stranger = usable & (distance > OTHER_VOICE)
    return int(seconds[stranger].sum() >= MIN_PERSON_SECONDS)


def _assign(embeddings: np.ndarray, active: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Each active local speaker's person: one-to-one per window by cosine similarity to `centroids`.

    Local speakers without an embedding count as equally like everyone; with one person, every
    active local speaker is that person.
    """
    n_windows, n_local, _ = embeddings.shape
    assignment = np.full((n_windows, n_local), -1)
    similarity = np.nan_to_num(_unit(embeddings) @ centroids.T, nan=0.0)
    for w in range(n_windows):
        speakers = np.flatnonzero(active[w])
        if not speakers.size:
            continue
        if len(centroids) == 1:
            assignment[w, speakers] = 0
            continue
        rows, cols = linear_sum_assignment(-similarity[w, speakers])
        assignment[w, speakers[rows]] = cols
        for k in speakers[assignment[w, speakers] < 0]:  # more local speakers than people
            assignment[w, k] = int(np.argmax(similarity[w, k]))
    return assignment


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-9)
