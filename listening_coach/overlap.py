"""Interruptions heard through one shared microphone, where the overlap itself is not seen.

With one mixed signal, Whisper writes one stream of words and diarization gives each moment one
speaker, so where the partner starts talking over the speaker, the speaker's turn seems to end
where the partner's begins. Two cues, each with a meaning in conversation, say that the change of
speaker was an interruption rather than a normal floor transfer:

- no silence at the change: a normal gap (about 0.2 s) or a pause leaves the room quiet for a
  moment; a change with the room never quiet means the voices met (overlap);
- the speaker stopped mid-sentence: the words before the change end with no sentence-final
  punctuation, so the change is not at a transition-relevance place (conversation analysis). A
  terminal overlap (the next speaker starting a little before a finished sentence ends) therefore
  never becomes an interruption.

Where both hold, the partner's onset is moved back by `ASSUMED_OVERLAP`, so that turn building and
`interaction.find_overlaps` see the overlap and classify it as in the per-partner case.
Before that, `settle_changes` moves each change of speaker to a nearby sentence end, since
diarization often places it a few words early or late. Measured figures: docs/interaction.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

import numpy as np

from .types import Word
from .vad import FRAME

ASSUMED_OVERLAP = 0.5
"""Seconds the interrupter is taken to have started before the change of speaker.

The definition counts an overlap as an interruption from 0.3 s before the speaker's end; the
shared signal does not show where the second voice came in, so a value just above that is used.
"""

QUIET_DB = 10.0
"""A frame is quiet when its level is within this many dB of the recording's noise floor."""

MIN_SILENCE = 0.1
"""Shortest quiet stretch (s) near a change of speaker that counts as a gap between the voices."""

SEARCH = 0.5
"""Seconds on either side of a change of speaker searched for a quiet stretch."""

MIN_RUN_WORDS = 3
"""Fewest words on each side of a change for it to be a floor transfer (fewer: a backchannel or a
misattributed word)."""

SENTENCE_END = (".", "?", "!")

SNAP = 0.6
"""Seconds from a change of speaker within which a sentence end is taken as the true change."""

_NEAR_WORDS = 8  # words on each side of a change that can lie within SNAP s of it


def cut_off_onsets(words: Sequence[Word], levels: np.ndarray) -> list[Word]:
    """`words` with the first word of each interrupting run moved back by `ASSUMED_OVERLAP`.

    Parameters
    ----------
    words : sequence of Word
        The shared-microphone transcript, time-ordered, each word with a speaker.
    levels : np.ndarray
        Level (dBFS) of the mixed signal in frames of `vad.FRAME` seconds, shape (frames,).

    Returns
    -------
    list of Word
        The same words; a run that starts at a change with no silence (see `silent_near`) right
        after a run ending mid-sentence (see `ends_mid_sentence`) starts `ASSUMED_OVERLAP` s
        earlier, but not before the previous run's second-to-last word.
    """
    words = list(words)
    floor = float(np.percentile(levels, 10)) if levels.size else 0.0
    runs = _speaker_runs(words)
    for before, after in pairwise(runs):
        if min(len(before), len(after)) < MIN_RUN_WORDS:
            continue
        change = words[after[0]].start
        if silent_near(levels, floor, change) or not ends_mid_sentence(
            [words[i] for i in before], words[after[0]]
        ):
            continue
        first = words[after[0]]
        earliest = words[before[-2]].start
        onset = round(max(change - ASSUMED_OVERLAP, earliest), 3)
        words[after[0]] = Word(first.text, onset, first.end, first.probability, first.speaker)
    return words


def settle_changes(words: Sequence[Word]) -> list[Word]:
    """`words` with each change of speaker moved to a sentence end within `SNAP` s, if there is one.

    Diarization places a change up to about a second early or late, so the words around it go to
    the wrong side ("... see how(A) | it(B) goes.(B) I(B) hear(B) ..."). Where a word ending with
    sentence-final punctuation lies within `SNAP` s of the change, the change is moved to just after
    it (the nearest such word). Changes with no sentence end nearby are left where they are.
    """
    words = list(words)
    for i in range(1, len(words)):
        before, after = words[i - 1].speaker, words[i].speaker
        if before == after:
            continue
        change = words[i].start
        near = range(max(i - _NEAR_WORDS, 0), min(i + _NEAR_WORDS, len(words)))
        ends = [j for j in near if abs(words[j].end - change) <= SNAP
                and words[j].text.strip().endswith(SENTENCE_END)]
        if not ends:
            continue
        end = min(ends, key=lambda j: abs(words[j].end - change))
        for j in range(min(end + 1, i), max(end + 1, i)):
            words[j] = replace(words[j], speaker=before if j <= end else after)
    return words


def silent_near(levels: np.ndarray, floor: float, time: float) -> bool:
    """Whether the signal is quiet for at least `MIN_SILENCE` s within `SEARCH` s of `time` (s).

    `levels` are frame levels (dB) of `vad.FRAME` s; quiet means below `floor` + `QUIET_DB`.
    """
    lo, hi = max(int((time - SEARCH) / FRAME), 0), max(int((time + SEARCH) / FRAME), 0)
    quiet = np.concatenate([[False], levels[lo:hi] < floor + QUIET_DB, [False]])
    edges = np.flatnonzero(np.diff(quiet.astype(int)))
    longest = int(np.max(edges[1::2] - edges[::2])) if edges.size else 0
    return longest * FRAME >= MIN_SILENCE


def ends_mid_sentence(before: Sequence[Word], next_word: Word) -> bool:
    """Whether the speaker of `before` stopped mid-sentence, judged from Whisper's punctuation.

    The last two words of `before` and `next_word` (the partner's first) must all lack sentence-final
    punctuation: at a change of speaker one word is often given to the wrong side.
    """
    edge = [w.text.strip() for w in [*before[-2:], next_word]]
    return not any(text.endswith(SENTENCE_END) for text in edge)


def _speaker_runs(words: Sequence[Word]) -> list[list[int]]:
    """Indices of `words` grouped into maximal runs of one speaker."""
    runs: list[list[int]] = []
    for i, word in enumerate(words):
        if runs and words[runs[-1][-1]].speaker == word.speaker:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs
