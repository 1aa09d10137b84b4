"""Hand-built word timelines for tests that need no audio or model."""

from __future__ import annotations

from listening_coach.types import Span, Transcript, Word

WORD_TIME = 0.3
"""Seconds each word takes in a hand-built line (about 200 words per minute)."""


def line(speaker: str, start: float, text: str, word_time: float = WORD_TIME) -> list[Word]:
    """The words of `text` said by `speaker` from `start`, back to back, `word_time` s each."""
    return [
        Word(token, round(start + i * word_time, 3), round(start + (i + 1) * word_time, 3), 0.9, speaker)
        for i, token in enumerate(text.split())
    ]


def transcript(*lines: list[Word], activity: dict[str, list[Span]] | None = None,
               mics: str = "per-partner") -> Transcript:
    """A Transcript of the given lines; voice activity defaults to the words' own spans."""
    words = sorted((w for ln in lines for w in ln), key=lambda w: w.start)
    if activity is None:
        activity = {}
        for word in words:
            activity.setdefault(word.speaker, []).append(word.span)
    return Transcript(words=tuple(words), activity={k: tuple(v) for k, v in activity.items()}, mics=mics)
