"""Language detectors: label one turn, using the partner's previous turn as context.

>>> labels = label_turn("so it sounds like you felt left out", "nobody asked me what I wanted")
>>> labels.reflection, labels.possible
(True, ())
"""

from __future__ import annotations

from listening_coach.detectors.apology import is_apology
from listening_coach.detectors.criticism import is_criticism
from listening_coach.detectors.feeling import is_feeling
from listening_coach.detectors.questions import question_type
from listening_coach.detectors.reflection import reflection_certainty
from listening_coach.detectors.text import parse
from listening_coach.detectors.validation import is_validation
from listening_coach.types import Labels

__all__ = ["label_turn"]


def label_turn(text: str, previous: str | None) -> Labels:
    """Label `text`; `previous` is the partner's previous turn (None when there is none)."""
    utterance = parse(text)
    before = parse(previous) if previous else None
    criticism = is_criticism(utterance)
    apology = is_apology(utterance)
    # An attack on the partner is not a reflection of what they said, and an apology speaks of
    # the speaker's own doing ("you're right, I should have called when you said").
    certainty = None if criticism or apology else reflection_certainty(utterance, before)
    return Labels(
        question=question_type(utterance),
        reflection=certainty == "confident",
        validation=is_validation(utterance),
        criticism=criticism,
        apology=apology,
        feeling=is_feeling(utterance, before),
        possible=("reflection",) if certainty == "possible" else (),
    )
