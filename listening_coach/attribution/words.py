"""Word edges fitted to a speaker's voice activity (Whisper's word times drift by tenths of a second)."""

from __future__ import annotations

from collections.abc import Sequence

from ..spans import SpanIndex
from ..types import Word

ONSET_REACH = 0.5
"""Seconds by which a word after a pause may be moved back to where its speaker's voice started."""


def cut_to_voice(word: Word, voice: SpanIndex, *, tolerance: float = 0.0) -> Word | None:
    """`word` trimmed to the voice spans it touches (within `tolerance` s); None if it touches none.

    Whisper's word edges drift into silence and into another voice.
    """
    touching = voice.overlapping(word.start - tolerance, word.end + tolerance)
    if not touching:
        return None
    start = min(max(word.start, touching[0].start), word.end)
    end = max(min(word.end, touching[-1].end), start)
    return Word(word.text, round(start, 3), round(end, 3), word.probability, word.speaker)


def own_words(words: Sequence[Word], voice: SpanIndex, *, tolerance: float = 0.15) -> list[Word]:
    """The `words` that lie (within `tolerance` s) in `voice`, each trimmed to the voice it touches.

    Words outside it are another voice's (the partner's bleed into a microphone).
    """
    cut = (cut_to_voice(word, voice, tolerance=tolerance) for word in words)
    return [word for word in cut if word is not None]


def onsets_to_voice(words: Sequence[Word], voice: SpanIndex, *, reach: float = ONSET_REACH) -> list[Word]:
    """Move the first word after each pause back to where the voice started, up to `reach` s.

    Whisper often places a first word's start late; interruption onsets need it where it is.
    `words` are one speaker's, in time order.
    """
    moved: list[Word] = []
    for i, word in enumerate(words):
        previous_end = moved[-1].end if moved else 0.0
        onsets = voice.starts_in(max(previous_end, word.start - reach), word.start)
        if i and word.start - previous_end < reach or not onsets:
            moved.append(word)
        else:
            moved.append(Word(word.text, round(onsets[0], 3), word.end, word.probability, word.speaker))
    return moved
