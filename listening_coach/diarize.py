"""Who spoke when from one shared microphone (mono).

The method, chosen by measurement (see docs/diarization.md), uses no trained model:

1. Cepstra: 19 log-mel cepstral coefficients every 10 ms, normalised over the speech frames.
2. A universal background model (UBM): a 16-component diagonal Gaussian mixture fitted to every
   speech frame of the recording, so each component stands for a broad class of sounds.
3. Supervectors: each 1.5 s window of speech (0.5 s step) is described by how far it pulls the UBM
   means (MAP adaptation) and which components it uses. Comparing windows component by component
   cancels most of what was *said* and keeps most of *who* said it.
4. Clustering: average-linkage agglomerative clustering of the supervectors (cosine distance) into
   the requested number of speakers.
5. Resegmentation: one MAP-adapted model (weights and means) per speaker scores every speech frame;
   a Viterbi pass with a switch penalty gives frame-accurate turns. Two rounds.
   With enrollment voices, the speakers found are then matched one-to-one to the voices (how well
   each speaker's model explains each voice), which names them.
   With the spans where two voices sound at once (from the two-voices model), those frames are
   kept out of clustering and of the speaker models, and count as evidence for no one.
6. Bridging: a speaker's segments separated only by a pause shorter than `bridge` are joined.
7. Backchannel overlap (optional): a short segment of one speaker inside another speaker's
   continuous speech is returned as overlapped speech (both speakers), since in a conversation the
   talker usually keeps going under a listener's "mm-hmm". Interruptions are not detected as overlap.

Everything runs with numpy and scipy in 1/400 to 1/200 of real time on two cores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.fft import dct
from scipy.optimize import linear_sum_assignment

from .errors import InputError
from .features import FRAME_RATE, log_mel, speech_mask
from .types import Span

MAX_SPEAKERS = 4
"""Largest `n_speakers` accepted (the method is measured on two)."""

_N_CEPS = 20  # c0 (loudness) is dropped, leaving 19
_WINDOW = 150  # frames per clustering window (1.5 s)
_STEP = 50  # frames between clustering windows (0.5 s)
_MIN_WINDOW = 30  # shortest speech run given its own window (0.3 s)
_UBM_COMPONENTS = 16
_WINDOW_RELEVANCE = 4.0  # MAP relevance factor for window supervectors
_SPEAKER_RELEVANCE = 8.0  # MAP relevance factor for per-speaker models
_SWITCH_PENALTY = 20.0  # log-likelihood (nats) a speaker change must win by
_RESEGMENT_ROUNDS = 2
_MIN_SPEECH = 0.3  # seconds of speech below which everything is speaker 0
_BACKCHANNEL_MAX = 1.0  # seconds: longest segment read as a listener response
_BACKCHANNEL_GAP = 0.3  # seconds: largest gap to the talker's speech on either side


def diarize(
    samples: np.ndarray,
    sample_rate: int,
    speech: Sequence[Span],
    *,
    n_speakers: int = 2,
    voices: Mapping[str, np.ndarray] | None = None,
    overlap: bool = False,
    bridge: float = 2.0,
    mel: np.ndarray | None = None,
    overlapped: Sequence[Span] = (),
) -> list[tuple[Span, int]]:
    """Label the speech of a mono recording with speaker indices.

    Parameters
    ----------
    samples : np.ndarray
        Mono audio, shape (n_samples,), float.
    sample_rate : int
        Rate of `samples` and of every voice in `voices` (Hz).
    speech : sequence of Span
        Where someone speaks (seconds), as found by voice-activity detection.
    n_speakers : int
        How many people speak, 1 to `MAX_SPEAKERS`.
    voices : mapping of str to np.ndarray, optional
        A few seconds of each partner speaking alone (mono, at `sample_rate`), at most `n_speakers`.
        They name the partners: speaker index i is the one who sounds most like the i-th voice.
    overlap : bool
        Return a short response inside another speaker's continuous speech as overlapped speech,
        i.e. a segment for each speaker.
    bridge : float
        Join two segments of the same speaker when no one else speaks in the pause between them and
        it is shorter than this (seconds). Reference annotations of meetings count such pauses as
        speech, so the default 2.0 lowers the measured DER (see docs/diarization.md); 0 keeps the
        voice-activity spans as they are.
    mel : np.ndarray, optional
        `features.log_mel` of `samples`, shape (n_frames, 40), when the caller has it already.
    overlapped : sequence of Span
        Where two voices are known to sound at once (seconds). These frames are kept out of
        clustering and of the speaker models, whose voices they would blur, and count as evidence
        for no one: they go to whoever holds the floor around them.

    Returns
    -------
    list of (Span, int)
        Segments (seconds) with a speaker index, sorted by start; empty without speech. Indices
        follow `voices` order for enrolled speakers, otherwise order of first speech. Under 0.3 s of
        speech, or with `n_speakers` 1, everything is speaker 0. Segments of different speakers
        overlap only where `overlap` found both talking.

    Raises
    ------
    InputError
        If the audio is not mono, a rate or count is out of range, or a voice is unusable.
    """
    samples = _check_mono(samples, "samples")
    _check_options(sample_rate, n_speakers, voices)
    feats = _cepstra(samples, sample_rate) if mel is None else _mel_cepstra(mel)
    mask = speech_mask(speech, len(feats))
    if mask.sum() < _MIN_SPEECH * FRAME_RATE or n_speakers == 1:
        return _bridge([(span, 0) for span in _spans(mask)], bridge)

    enrolled = [
        _cepstra(_check_mono(voice, f"voice {name!r}"), sample_rate) for name, voice in (voices or {}).items()
    ]
    mean, std = feats[mask].mean(0), feats[mask].std(0) + 1e-6
    feats = (feats - mean) / std
    enrolled = [(e - mean) / std for e in enrolled]

    ubm = _Gmm.fit(feats[mask], _UBM_COMPONENTS)
    frames = np.flatnonzero(mask)
    one_voice = mask & ~speech_mask(overlapped, len(feats))
    if one_voice.sum() < _MIN_SPEECH * FRAME_RATE:
        one_voice = mask
    first_guess = _cluster_frames(feats, mask, one_voice, ubm, n_speakers)
    frame_labels = _resegment(feats, frames, first_guess, one_voice[frames], ubm, n_speakers)
    if enrolled:
        frame_labels = _name_speakers(feats, frames, frame_labels, ubm, enrolled, n_speakers)
    labels = np.full(len(feats), -1)
    labels[frames] = frame_labels
    segments = _bridge(_segments(labels, mask), bridge)
    if overlap:
        segments = _backchannel_overlap(segments)
    if not enrolled:
        segments = _order_by_first_speech(segments)
    return sorted(segments, key=lambda s: (s[0].start, s[1]))


def _check_mono(samples: np.ndarray, what: str) -> np.ndarray:
    """Return `samples` as a float64 1-D array, or raise InputError naming `what`."""
    array = np.asarray(samples)
    if array.ndim != 1:
        raise InputError(
            f"{what}: expected mono audio of shape (n_samples,), got shape {array.shape}; "
            "mix down or pick one channel first"
        )
    if not np.issubdtype(array.dtype, np.number):
        raise InputError(f"{what}: expected numeric audio samples, got dtype {array.dtype}")
    return array.astype(np.float64)


def _check_options(sample_rate: int, n_speakers: int, voices: Mapping[str, np.ndarray] | None) -> None:
    """Raise InputError for a rate, speaker count or voice set the method cannot use."""
    if not isinstance(sample_rate, (int, np.integer)) or sample_rate < 8000:
        raise InputError(f"sample_rate must be an integer of at least 8000 Hz, got {sample_rate!r}")
    if not isinstance(n_speakers, (int, np.integer)) or not 1 <= n_speakers <= MAX_SPEAKERS:
        raise InputError(
            f"n_speakers must be between 1 and {MAX_SPEAKERS} for one-microphone diarization, "
            f"got {n_speakers!r}"
        )
    if voices is None:
        return
    if len(voices) > n_speakers:
        raise InputError(
            f"{len(voices)} enrollment voices given for n_speakers={n_speakers}; give at most one per speaker"
        )
    for name, voice in voices.items():
        if np.asarray(voice).size < sample_rate:
            raise InputError(
                f"voice {name!r} is shorter than 1 s; record a few seconds of this partner alone"
            )


def _cepstra(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Log-mel cepstra c1..c19, shape (n_frames, 19), one frame every 10 ms."""
    return _mel_cepstra(log_mel(samples, sample_rate))


def _mel_cepstra(mel: np.ndarray) -> np.ndarray:
    """Cepstra c1..c19 of log-mel frames, shape (n_frames, 19)."""
    return dct(mel, axis=1, norm="ortho")[:, 1:_N_CEPS]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) frame indices of each run of True in `mask`."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def _spans(mask: np.ndarray) -> list[Span]:
    """The runs of `mask` as Spans in seconds."""
    return [Span(a / FRAME_RATE, b / FRAME_RATE) for a, b in _runs(mask)]


def _windows(mask: np.ndarray) -> list[tuple[int, int]]:
    """Clustering windows (frame ranges) of at most 1.5 s, 0.5 s apart, inside speech runs."""
    windows = []
    for a, b in _runs(mask):
        if b - a < _MIN_WINDOW:
            continue
        starts = list(range(a, max(b - _WINDOW, a) + 1, _STEP))
        if starts[-1] + _WINDOW < b:
            starts.append(b - _WINDOW)
        windows += [(s, min(s + _WINDOW, b)) for s in starts]
    return windows


@dataclass(frozen=True)
class _Gmm:
    """Diagonal-covariance Gaussian mixture: weights (k,), means and variances (k, d)."""

    weights: np.ndarray
    means: np.ndarray
    variances: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray, k: int, iterations: int = 10) -> _Gmm:
        """Fit to frames `x` (n, d) by EM from k-means++ seeds; fewer components for little data."""
        k = max(1, min(k, len(x) // 20))
        rng = np.random.default_rng(0)
        seeds = [x[rng.integers(len(x))]]
        nearest = np.sum((x - seeds[0]) ** 2, axis=1)
        for _ in range(k - 1):
            seeds.append(x[rng.choice(len(x), p=nearest / nearest.sum())])
            nearest = np.minimum(nearest, np.sum((x - seeds[-1]) ** 2, axis=1))
        gmm = cls(np.full(k, 1.0 / k), np.array(seeds), np.tile(x.var(axis=0), (k, 1)))
        for _ in range(iterations):
            resp = gmm.posteriors(x)
            counts = resp.sum(axis=0) + 1e-6
            means = resp.T @ x / counts[:, None]
            variances = np.maximum(resp.T @ x**2 / counts[:, None] - means**2, 1e-3)
            gmm = cls(counts / counts.sum(), means, variances)
        return gmm

    def component_loglik(self, x: np.ndarray) -> np.ndarray:
        """Log of weight times density for each frame and component, shape (n, k)."""
        precision = 1.0 / self.variances
        return (
            np.log(self.weights)
            - 0.5 * np.sum(np.log(2 * np.pi * self.variances), axis=1)
            - 0.5 * (x**2 @ precision.T - 2 * x @ (self.means * precision).T)
            - 0.5 * np.sum(self.means**2 * precision, axis=1)
        )

    def loglik(self, x: np.ndarray) -> np.ndarray:
        """Log-likelihood of each frame, shape (n,)."""
        comp = self.component_loglik(x)
        top = comp.max(axis=1)
        return top + np.log(_exp_floored(comp - top[:, None]).sum(axis=1))

    def posteriors(self, x: np.ndarray) -> np.ndarray:
        """Component responsibilities for each frame, shape (n, k)."""
        comp = self.component_loglik(x)
        resp = _exp_floored(comp - comp.max(axis=1, keepdims=True))
        return resp / resp.sum(axis=1, keepdims=True)

    def adapted_means(self, x: np.ndarray, relevance: float) -> np.ndarray:
        """MAP-adapted means given frames `x` (relevance factor in frames), shape (k, d)."""
        resp = self.posteriors(x)
        counts = resp.sum(0)[:, None]
        return (resp.T @ x + relevance * self.means) / (counts + relevance)

    def adapt(self, x: np.ndarray, relevance: float) -> _Gmm:
        """This model with weights and means MAP-adapted to frames `x`."""
        counts = self.posteriors(x).sum(0)
        share = counts / (counts + relevance)
        weights = share * counts / max(len(x), 1) + (1 - share) * self.weights
        return _Gmm(weights / weights.sum(), self.adapted_means(x, relevance), self.variances)

    def supervector(self, x: np.ndarray, relevance: float) -> np.ndarray:
        """How frames `x` differ from this model, shape (k * d + k,).

        The normalised shift of the MAP-adapted means (voice colour within each sound class), then
        the shift of the square-rooted component occupancy (which sound classes are used at all: this
        matters when two voices share no sound class, as synthetic voices may).
        """
        shift = (self.adapted_means(x, relevance) - self.means) / np.sqrt(self.variances)
        occupancy = self.posteriors(x).mean(axis=0)
        weighted_shift = (shift * np.sqrt(self.weights)[:, None]).ravel()
        return np.concatenate([weighted_shift, np.sqrt(occupancy) - np.sqrt(self.weights)])


def _exp_floored(x: np.ndarray) -> np.ndarray:
    """exp(x) with x floored at -50, which avoids slow denormal numbers in later products."""
    return np.exp(np.maximum(x, -50.0))


def _unit_rows(vectors: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Rows minus `centre`, scaled to unit length."""
    centred = vectors - centre
    return centred / (np.linalg.norm(centred, axis=1, keepdims=True) + 1e-12)


def _cluster(vectors: np.ndarray, n_speakers: int) -> np.ndarray:
    """Cluster window supervectors into `n_speakers` groups (average linkage, cosine)."""
    if len(vectors) < n_speakers:
        return np.arange(len(vectors))
    unit = _unit_rows(vectors, vectors.mean(0))
    return fcluster(linkage(unit, "average", metric="cosine"), n_speakers, "maxclust") - 1


def _name_speakers(
    feats: np.ndarray,
    frames: np.ndarray,
    frame_labels: np.ndarray,
    ubm: _Gmm,
    enrolled: list[np.ndarray],
    n_speakers: int,
) -> np.ndarray:
    """Renumber found speakers so that speaker i is the one whose model best explains voice i.

    Speakers are matched one-to-one to the voices by the mean log-likelihood of each voice's frames
    under each speaker's model; speakers left over take the indices after the voices.
    """
    models = [ubm.adapt(feats[frames[frame_labels == s]], _SPEAKER_RELEVANCE) for s in range(n_speakers)]
    fit = np.array([[m.loglik(voice).mean() for m in models] for voice in enrolled])
    voice_rows, speaker_cols = linear_sum_assignment(-fit)
    index = dict(zip(speaker_cols.tolist(), voice_rows.tolist()))
    for s in range(n_speakers):
        index.setdefault(s, len(index))
    return np.array([index[s] for s in frame_labels])


def _cluster_frames(
    feats: np.ndarray, mask: np.ndarray, one_voice: np.ndarray, ubm: _Gmm, n_speakers: int
) -> np.ndarray:
    """Speaker of each `mask` frame from clustering 1.5 s windows of the `one_voice` frames.

    A frame takes the label of most windows that cover it.
    """
    first, last = int(np.argmax(one_voice)), len(one_voice) - int(np.argmax(one_voice[::-1]))
    windows = _windows(one_voice) or [(first, last)]
    vectors = np.array([ubm.supervector(feats[a:b][one_voice[a:b]], _WINDOW_RELEVANCE)
                        for a, b in windows])
    labels = _cluster(vectors, n_speakers)
    votes = np.zeros((len(feats), n_speakers))
    for (a, b), label in zip(windows, labels):
        votes[a:b, label] += 1
    return np.argmax(votes[mask], axis=1)


def _resegment(
    feats: np.ndarray,
    frames: np.ndarray,
    frame_labels: np.ndarray,
    one_voice: np.ndarray,
    ubm: _Gmm,
    n_speakers: int,
) -> np.ndarray:
    """Speaker of each of `frames` after rounds of per-speaker models and Viterbi passes.

    Each speaker's model is the UBM adapted to the frames now labelled with that speaker where
    `one_voice` (bool, one per frame in `frames`) says a single voice sounds.
    """
    for _ in range(_RESEGMENT_ROUNDS):
        models = [ubm.adapt(feats[frames[(frame_labels == s) & one_voice]], _SPEAKER_RELEVANCE)
                  for s in range(n_speakers)]
        frame_labels = _viterbi_labels(feats, frames, models, one_voice)
    return frame_labels


def _viterbi_labels(
    feats: np.ndarray, frames: np.ndarray, models: list[_Gmm], one_voice: np.ndarray
) -> np.ndarray:
    """Most likely speaker of each of `frames` under `models`, changes costing a switch penalty.

    Frames where `one_voice` is False (two voices sound) count as evidence for no one.
    """
    scores = np.stack([m.loglik(feats[frames]) for m in models], axis=1) * one_voice[:, None]
    return _viterbi(scores, _SWITCH_PENALTY, breaks=np.flatnonzero(np.diff(frames) > 1) + 1)


def _viterbi(scores: np.ndarray, penalty: float, breaks: np.ndarray) -> np.ndarray:
    """Best state path through per-frame log-likelihoods `scores` (n, k).

    Changing state costs `penalty` nats, except at the indices in `breaks` (a pause in speech).
    """
    n, k = scores.shape
    free = np.zeros(n, dtype=bool)
    free[breaks] = True
    back = np.zeros((n, k), dtype=np.int32)
    total = scores[0].copy()
    stay = np.arange(k)
    for t in range(1, n):
        best = int(np.argmax(total))
        cost = 0.0 if free[t] else penalty
        switch = total[best] - cost
        back[t] = np.where(total >= switch, stay, best)
        total = np.maximum(total, switch) + scores[t]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(np.argmax(total))
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def _segments(frame_labels: np.ndarray, mask: np.ndarray) -> list[tuple[Span, int]]:
    """Runs of one label inside speech as (Span, speaker) in seconds."""
    segments = []
    for a, b in _runs(mask):
        labels = frame_labels[a:b]
        cuts = [0, *(np.flatnonzero(np.diff(labels)) + 1).tolist(), b - a]
        for s, e in zip(cuts[:-1], cuts[1:]):
            segments.append((Span((a + s) / FRAME_RATE, (a + e) / FRAME_RATE), int(labels[s])))
    return segments


def _bridge(segments: list[tuple[Span, int]], gap: float) -> list[tuple[Span, int]]:
    """Join consecutive segments of one speaker separated by less than `gap` seconds."""
    out: list[tuple[Span, int]] = []
    for span, speaker in segments:
        if out and out[-1][1] == speaker and span.start - out[-1][0].end < gap:
            out[-1] = (Span(out[-1][0].start, span.end), speaker)
        else:
            out.append((span, speaker))
    return out


def _backchannel_overlap(segments: list[tuple[Span, int]]) -> list[tuple[Span, int]]:
    """Extend the talker's speech under short responses of another speaker.

    A segment of at most 1 s with the same other speaker right before and right after it (within
    0.3 s) is kept, and the talker's segments on both sides are joined into one across it.
    """
    segments = sorted(segments, key=lambda s: s[0].start)
    out: list[tuple[Span, int]] = []
    i = 0
    while i < len(segments):
        span, speaker = segments[i]
        j = i
        while (
            j + 2 < len(segments)
            and segments[j + 2][1] == speaker
            and segments[j + 1][1] != speaker
            and segments[j + 1][0].duration <= _BACKCHANNEL_MAX
            and segments[j + 1][0].start - segments[j][0].end <= _BACKCHANNEL_GAP
            and segments[j + 2][0].start - segments[j + 1][0].end <= _BACKCHANNEL_GAP
        ):
            out.append(segments[j + 1])
            j += 2
        out.append((Span(span.start, segments[j][0].end), speaker))
        i = j + 1
    return out


def _order_by_first_speech(segments: list[tuple[Span, int]]) -> list[tuple[Span, int]]:
    """Renumber speakers 0, 1, ... in order of their first segment."""
    order: dict[int, int] = {}
    for span, speaker in sorted(segments, key=lambda s: s[0].start):
        order.setdefault(speaker, len(order))
    return [(span, order[speaker]) for span, speaker in segments]
