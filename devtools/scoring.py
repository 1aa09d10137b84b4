"""Scores of who-spoke-when and of conversation events against a reference.

Segments are (speaker, start, end) with times in seconds. Hypothesis speaker names need not match
the reference ones: they are mapped one-to-one to the reference speakers under which the two
share the most speech (a hypothesis may have fewer or more speakers than the reference; the
speakers left unmapped count as wrong wherever they speak).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

STEP = 0.01  # s, frame length of every frame-level score
COLLAR = 0.25  # s either side of a reference boundary left out of the DER

Segments = list[tuple[str, float, float]]
Events = list[tuple[str, float]]  # (speaker, time in s)


def parse_rttm(text: str) -> Segments:
    """The SPEAKER lines of RTTM text as (speaker, start, end)."""
    rows = [line.split() for line in text.splitlines() if line.startswith("SPEAKER")]
    return [(r[7], float(r[3]), float(r[3]) + float(r[4])) for r in rows]


def read_rttm(path: Path) -> Segments:
    """The SPEAKER lines of an RTTM file as (speaker, start, end)."""
    return parse_rttm(Path(path).read_text())


def truth_segments(truth: Mapping) -> Segments:
    """Turns and backchannels of a truth record (schema listening-coach.truth/1) as segments."""
    events = [x for key in ("turns", "backchannels") for x in truth.get(key, [])]
    return [(x["speaker"], x["start"], x["end"]) for x in events]


def activity(segments: Segments, labels: Sequence[str], n: int) -> np.ndarray:
    """Boolean matrix (len(labels), n): who is active in each STEP-long frame."""
    times = (np.arange(n) + 0.5) * STEP
    active = np.zeros((len(labels), n), dtype=bool)
    for speaker, start, end in segments:
        active[labels.index(speaker)] |= (times >= start) & (times < end)
    return active


def _frames(ref: Segments, hyp: Segments) -> int:
    """Frames needed to cover every segment of both lists."""
    return int(np.ceil(max([e for _, _, e in ref + hyp], default=0.0) / STEP)) + 1


def speaker_mapping(ref: Segments, hyp: Segments, fixed: bool = False) -> dict[str, str]:
    """Hypothesis speaker -> reference speaker, one-to-one, maximising the time they share.

    `fixed` maps hypothesis speaker "i" to the i-th reference speaker (sorted) instead.
    Hypothesis speakers left over (more speakers than the reference) are not in the result.
    """
    ref_labels, hyp_labels = sorted({s for s, _, _ in ref}), sorted({s for s, _, _ in hyp})
    if fixed:
        return {str(i): label for i, label in enumerate(ref_labels)}
    n = _frames(ref, hyp)
    agree = activity(ref, ref_labels, n).astype(float) @ activity(hyp, hyp_labels, n).T.astype(float)
    rows, cols = linear_sum_assignment(-agree)
    return {hyp_labels[c]: ref_labels[r] for r, c in zip(rows, cols)}


def der(ref: Segments, hyp: Segments, region: tuple[float, float],
        mapping: Mapping[str, str] | None = None) -> dict[str, float]:
    """Diarization error rate and its parts, as fractions of the scored reference speech.

    Scored: frames in `region` (s) farther than COLLAR from every reference boundary; overlapped
    speech counts once per speaker. Returns "der", "miss", "fa" (false alarm) and "conf"
    (confusion) under `mapping` (hypothesis -> reference speaker), by default the one-to-one
    mapping that maximises the scored agreement.
    """
    n = int(np.ceil(region[1] / STEP))
    ref_labels, hyp_labels = sorted({s for s, _, _ in ref}), sorted({s for s, _, _ in hyp})
    r, h = activity(ref, ref_labels, n), activity(hyp, hyp_labels, n)
    times = (np.arange(n) + 0.5) * STEP
    scored = times >= region[0]
    for _, start, end in ref:
        for edge in (start, end):
            scored &= np.abs(times - edge) >= COLLAR
    r, h = r[:, scored], h[:, scored]
    if mapping is not None:
        pairs = [(ref_labels.index(mapping[label]), j) for j, label in enumerate(hyp_labels)
                 if mapping.get(label) in ref_labels]
    else:
        pairs = list(zip(*linear_sum_assignment(-(r.astype(float) @ h.T.astype(float)))))
    correct = sum((r[i] & h[j]).sum() for i, j in pairs)
    n_ref, n_hyp = r.sum(0), h.sum(0)
    total = max(n_ref.sum(), 1)
    miss = np.maximum(n_ref - n_hyp, 0).sum() / total
    false_alarm = np.maximum(n_hyp - n_ref, 0).sum() / total
    confusion = (np.minimum(n_ref, n_hyp).sum() - correct) / total
    return {"der": miss + false_alarm + confusion, "miss": miss, "fa": false_alarm, "conf": confusion}


def most_overlap(start: float, end: float, segments: Segments) -> str | None:
    """Speaker whose segments share the most time with [start, end) (s), None if none do."""
    shared: dict[str, float] = {}
    for speaker, s, e in segments:
        shared[speaker] = shared.get(speaker, 0.0) + max(0.0, min(end, e) - max(start, s))
    best = max(shared, key=shared.get, default=None)
    return best if best is not None and shared[best] > 0 else None


def word_attribution(words: Sequence[tuple[str | None, float, float]], ref: Segments,
                     mapping: Mapping[str, str]) -> dict[str, float]:
    """How many words go to the right speaker.

    `words` are (hypothesis speaker, start, end). A word is right when its mapped speaker is
    one of the reference speakers active at its midpoint; words whose midpoint has no reference
    speech are not scored. Returns "words" (share of scored words), "time" (share of their
    duration, 10 ms at least per word), "n" (words scored) and "seconds" (their duration).
    """
    right = total = right_time = total_time = 0.0
    for speaker, start, end in words:
        middle = (start + end) / 2
        truth = {s for s, a, b in ref if a <= middle < b}
        if not truth:
            continue
        ok = mapping.get(speaker) in truth
        duration = max(end - start, STEP)
        total, right = total + 1, right + ok
        total_time, right_time = total_time + duration, right_time + duration * ok
    nan = float("nan")
    return {"words": right / total if total else nan,
            "time": right_time / total_time if total_time else nan, "n": total,
            "seconds": total_time}


def match(found: Events, truth: Events, tolerance: float) -> int:
    """How many `found` events pair one-to-one with `truth` events of the same speaker within `tolerance` s."""
    unused = list(truth)
    hits = 0
    for speaker, time in sorted(found, key=lambda f: f[1]):
        near = [t for t in unused if t[0] == speaker and abs(t[1] - time) <= tolerance]
        if near:
            unused.remove(min(near, key=lambda t: abs(t[1] - time)))
            hits += 1
    return hits


def prf(hits: int, n_found: int, n_true: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (nan where undefined: nothing found, nothing true)."""
    nan = float("nan")
    precision = hits / n_found if n_found else nan
    recall = hits / n_true if n_true else nan
    if n_found and n_true:
        f1 = 2 * hits / (n_found + n_true)
    else:
        f1 = nan
    return precision, recall, f1


def talk_share(segments: Segments, speaker: str) -> float:
    """Share (0-1) of all segment time that is `speaker`'s (overlaps count for both)."""
    total = sum(e - s for _, s, e in segments)
    return sum(e - s for who, s, e in segments if who == speaker) / total if total else float("nan")


def talk_share_error(ref: Segments, found_shares: Mapping[str, float], mapping: Mapping[str, str]) -> float:
    """Points (0-100) between the found and the true talk share of the first reference speaker.

    `found_shares` are the hypothesis speakers' shares (0-1), `mapping` hypothesis -> reference.
    """
    first = sorted({s for s, _, _ in ref})[0]
    found = sum(share for who, share in found_shares.items() if mapping.get(who) == first)
    return abs(found - talk_share(ref, first)) * 100


def overlap_precision_recall(ref: Segments, hyp: Segments,
                             region: tuple[float, float] | None = None) -> dict[str, float]:
    """Frame-level (STEP) detection of overlapped speech: two or more speakers at once.

    Returns "precision", "recall" (nan when undefined) and "ref_s", "hyp_s", "both_s" (seconds
    of overlapped speech in the reference, in the hypothesis, in both) over `region` (s; all
    when None).
    """
    n = _frames(ref, hyp)
    r = activity(ref, sorted({s for s, _, _ in ref}), n).sum(0) >= 2
    h = activity(hyp, sorted({s for s, _, _ in hyp}), n).sum(0) >= 2
    if region is not None:
        times = (np.arange(n) + 0.5) * STEP
        inside = (times >= region[0]) & (times < region[1])
        r, h = r[inside], h[inside]
    both = (r & h).sum()
    nan = float("nan")
    return {"precision": both / h.sum() if h.sum() else nan,
            "recall": both / r.sum() if r.sum() else nan,
            "ref_s": r.sum() * STEP, "hyp_s": h.sum() * STEP, "both_s": both * STEP}
