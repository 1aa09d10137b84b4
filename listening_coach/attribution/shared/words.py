"""Each word of the one transcript of a shared microphone to the person whose voice it falls in.

Where only one voice is heard, the word is theirs. Where both are heard, Whisper mostly follows the
voice it was already hearing, so the word goes to the person who said the previous word, if they
are still talking. Then each run of a person's words is stretched to the edges of the voice it lies
in: an interrupter's voice starts before Whisper writes their first word, and the interrupted
partner's voice goes on after Whisper stopped writing it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ...spans import SpanIndex
from ...turns import TURN_PAUSE
from ...types import Span, Word
from ..words import cut_to_voice


def attribute_words(words: Sequence[Word], activity: Mapping[str, Sequence[Span]]) -> list[Word]:
    """`words` with speakers from `activity` (speaker id -> voice spans, s) and voice-fitted edges."""
    if not activity:
        return list(words)
    voices = {speaker: SpanIndex(spans) for speaker, spans in activity.items()}
    given: list[Word] = []
    for word in sorted(words, key=lambda w: (w.start, w.end)):
        given.append(replace(word, speaker=_speaker(word, voices, given[-1] if given else None)))
    fitted = [w for speaker, voice in voices.items()
              for w in _fit_to_voice([w for w in given if w.speaker == speaker], voice)]
    return sorted(fitted, key=lambda w: (w.start, w.end))


MIN_WORD = 0.02
"""Seconds a word is taken to last at least (Whisper gives some words no duration)."""


def _speaker(word: Word, voices: Mapping[str, SpanIndex], previous: Word | None) -> str:
    said = Span(word.start, max(word.end, word.start + MIN_WORD))
    covered = {speaker: sum(said.overlap(s) for s in voice.overlapping(said.start, said.end))
               for speaker, voice in voices.items()}
    talking = [speaker for speaker, seconds in covered.items() if seconds > 0]
    if len(talking) > 1 and previous is not None and previous.speaker in talking \
            and word.start - previous.end < TURN_PAUSE:
        return previous.speaker
    if talking:
        return max(talking, key=covered.get)
    middle = (word.start + word.end) / 2
    distance = {speaker: min((min(abs(s.start - middle), abs(s.end - middle)) for s in voice.spans),
                             default=float("inf"))
                for speaker, voice in voices.items()}
    return min(distance, key=distance.get)


def _fit_to_voice(words: Sequence[Word], voice: SpanIndex) -> list[Word]:
    """One person's time-ordered `words` fitted to their voice.

    Each word is first cut to the voice it touches (Whisper's edges drift into silence and into
    the other voice), then each run's first start and last end move out to its voice's edges. A
    run is the person's words inside one voice span; edges never move past neighbouring words.
    """
    fitted = [cut_to_voice(word, voice) or word for word in words]
    for i, word in enumerate(fitted):
        spans = voice.overlapping(word.start, word.end)
        if not spans:
            continue
        previous_end = fitted[i - 1].end if i else 0.0
        if spans[0].start < word.start and spans[0].start >= previous_end:
            fitted[i] = word = replace(word, start=round(spans[0].start, 3))
        next_start = fitted[i + 1].start if i + 1 < len(fitted) else float("inf")
        if spans[-1].end > word.end and spans[-1].end <= next_start:
            fitted[i] = replace(word, end=round(spans[-1].end, 3))
    return fitted

