"""Interruptions and backchannels heard through one shared microphone.

With one mixed signal, Whisper writes one stream of words and diarization gives each moment one
speaker, so where the partner starts talking over the speaker, the speaker's turn seems to end
where the partner's begins, and a listener's "mm-hmm" under the talk disappears. `two_voices`
measures where two voices sound at once; `show_overlaps` turns each such stretch into what the
per-partner analysis would have seen (both partners speaking), so that turn building and
`interaction.find_overlaps` apply the same definitions with either set-up. Elsewhere only one
voice sounds, so `absorb_flips` then gives a word or two that diarization flipped to the other
partner back to the partner around them (run after `show_overlaps`, which can leave such a flip
just beyond the words it moves).

Before that, `settle_changes` moves each change of speaker to a nearby sentence end, since
diarization often places it a few words early or late. Measured figures: docs/interaction.md.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace

from .types import Span, Word
from .vad import SpanIndex

SENTENCE_END = (".", "?", "!")

SNAP = 0.6
"""Seconds from a change of speaker within which a sentence end is taken as the true change."""

_NEAR_WORDS = 8  # words on each side of a change that can lie within SNAP s of it

AROUND = 1.0
"""Seconds on each side of a measured overlap in which the floor holder is judged by word time."""

FLIP_WORDS = 2
"""Most words of one partner, heard between the other's words, that are taken as misattributed."""


def settle_changes(words: Sequence[Word], overlaps: Sequence[Span] = ()) -> list[Word]:
    """`words` with each change of speaker moved to a sentence end within `SNAP` s, if there is one.

    Diarization places a change up to about a second early or late, so the words around it go to
    the wrong side ("... see how(A) | it(B) goes.(B) I(B) hear(B) ..."). Where a word ending with
    sentence-final punctuation lies within `SNAP` s of the change, the change is moved to just after
    it (the nearest such word). Changes with no sentence end nearby are left where they are.

    Near a stretch of two voices in `overlaps` (s), a sentence end after the stretch is not a
    candidate: whoever started talking during the overlap and went on is the one saying it.
    """
    words = list(words)
    both = SpanIndex(overlaps)
    for i in range(1, len(words)):
        before, after = words[i - 1].speaker, words[i].speaker
        if before == after:
            continue
        change = words[i].start
        nearby = both.overlapping(change - AROUND, change + AROUND)
        latest = min((o.end for o in nearby), default=float("inf"))
        near = range(max(i - _NEAR_WORDS, 0), min(i + _NEAR_WORDS, len(words)))
        ends = [j for j in near if abs(words[j].end - change) <= SNAP and words[j].end <= latest
                and words[j].text.strip().endswith(SENTENCE_END)]
        if not ends:
            continue
        end = min(ends, key=lambda j: abs(words[j].end - change))
        for j in range(min(end + 1, i), max(end + 1, i)):
            words[j] = replace(words[j], speaker=before if j <= end else after)
    return words


def absorb_flips(words: Sequence[Word], overlaps: Sequence[Span]) -> list[Word]:
    """`words` with brief flips of speaker inside one partner's speech given back to that partner.

    With one microphone only one voice sounds at a time except where `two_voices` heard two, so a
    run of at most `FLIP_WORDS` words given to one partner, shorter than the other partner's runs
    on both sides, each within `AROUND` s, and touching no found overlap, is a diarization slip
    ("What worries | you(B) | most about our savings"). Left alone it would end or extend a turn
    and could make a false interruption.
    """
    words = sorted(words, key=lambda w: (w.start, w.end))
    both = SpanIndex(overlaps)
    runs: list[list[int]] = []
    for i, word in enumerate(words):
        if runs and words[runs[-1][-1]].speaker == word.speaker:
            runs[-1].append(i)
        else:
            runs.append([i])
    fixed = list(words)
    for before, run, after in zip(runs, runs[1:], runs[2:]):
        first, last = words[run[0]], words[run[-1]]
        previous, following = words[before[-1]], words[after[0]]
        if (previous.speaker == following.speaker and len(run) <= FLIP_WORDS
                and len(run) < min(len(before), len(after))
                and first.start - previous.end < AROUND and following.start - last.end < AROUND
                and not both.overlapping(previous.end, following.start)):
            fixed[run[0]:run[-1] + 1] = [replace(w, speaker=previous.speaker) for w in words[run[0]:run[-1] + 1]]
    return fixed


def show_overlaps(
    words: Sequence[Word], overlaps: Sequence[Span], edge: float
) -> tuple[list[Word], dict[str, list[Span]]]:
    """Make each stretch of two voices (from `two_voices`) visible to turn building.

    For each overlap, the partner holding the floor just before it and just after it is the one
    with the most word time within `AROUND` s outside it.

    - Different partners: the floor passed through the overlap. Nearby words before its middle go
      to the earlier partner and the rest to the later one; the later partner's first word starts
      where the overlap starts and the earlier partner's last word ends where it ends, both moved
      inwards by `edge` s (Whisper's word edges are less exact than the model's), so
      `interaction.find_overlaps` sees the measured overlap and classifies it (interruption or
      terminal).
    - The same partner: the other one spoke under the talker (a backchannel or an attempt that did
      not take the floor); the overlap becomes that partner's voice activity.

    `edge` is how far (s) each end of a measured overlap may be off (`two_voices.edge_uncertainty`):
    only the inner part counts at a change of speaker, so a brief terminal overlap measured a
    little long is not read as an interruption.

    Returns the words and the extra voice activity (s) per speaker.
    """
    words = sorted(words, key=lambda w: (w.start, w.end))
    speakers = sorted({w.speaker for w in words if w.speaker})
    extra: dict[str, list[Span]] = {s: [] for s in speakers}
    if len(speakers) != 2:
        return words, extra
    starts = [w.start for w in words]  # as sorted; later changes move a start back by < 1 s
    for span in overlaps:
        # A word lasts at most a few seconds, so the words that reach the span start within 5 s before it.
        lo = bisect.bisect_left(starts, span.start - AROUND - 5.0)
        hi = bisect.bisect_right(starts, span.end + AROUND)
        before = _holder(words[lo:hi], span.start - AROUND, span.start)
        after = _holder(words[lo:hi], span.end, span.end + AROUND)
        if before is None or after is None:
            continue
        if before == after:
            extra[next(s for s in speakers if s != before)].append(span)
            continue
        middle = (span.start + span.end) / 2
        near = [i for i in range(lo, hi) if span.start - AROUND < _middle(words[i]) < span.end + AROUND]
        for i in near:
            words[i] = replace(words[i], speaker=before if _middle(words[i]) < middle else after)
        last = [i for i in near if words[i].speaker == before]
        first = [i for i in near if words[i].speaker == after]
        if last and first:  # the measured overlap, not Whisper's word edges, says when both spoke
            onset = round(span.start + edge, 3)
            stop = round(max(span.end - edge, onset), 3)
            words[first[0]] = replace(words[first[0]], start=min(onset, words[first[0]].end))
            words[last[-1]] = replace(words[last[-1]], end=max(stop, words[last[-1]].start))
        extra[before].append(span)
        extra[after].append(span)
    return sorted(words, key=lambda w: (w.start, w.end)), extra


def _holder(words: Sequence[Word], start: float, end: float) -> str | None:
    """The speaker with the most word time between `start` and `end` (s), or None if nobody spoke."""
    time: dict[str, float] = {}
    for word in words:
        shared = min(word.end, end) - max(word.start, start)
        if shared > 0:
            time[word.speaker] = time.get(word.speaker, 0.0) + shared
    return max(time, key=time.get) if time else None


def _middle(word: Word) -> float:
    return (word.start + word.end) / 2
