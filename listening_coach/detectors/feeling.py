"""Feeling statements: the speaker names their own emotion ("I feel...", "I'm scared").

First person plus "feel", or first person plus an emotion word ("I'm so frustrated", "it makes me
sad", "that really hurt"). Hypotheticals ("I'd be annoyed too") and tiredness alone are not
counted; a bare emotion word as a whole short answer ("scared, honestly") is.
"""

from __future__ import annotations

import re

from listening_coach.detectors.text import Utterance

EMOTIONS = (
    "afraid|angry|annoyed|anxious|ashamed|attacked|betrayed|bitter|confused|crushed|defensive|"
    "depressed|devastated|disappointed|discouraged|disgusted|embarrassed|excited|"
    "fed up|frightened|frustrated|furious|glad|grateful|guilty|gutted|happy|heartbroken|helpless|"
    "hopeful|hopeless|humiliated|hurt|ignored|insecure|invisible|irritated|jealous|judged|left out|"
    "lonely|loved|lucky|mad|miserable|nervous|overwhelmed|panicked|proud|rejected|relieved|"
    "resentful|sad|scared|shocked|stressed|terrified|thankful|tired of|torn|unappreciated|"
    "uncomfortable|unhappy|unloved|upset|worried|worn out"
)
_INTENSIFIERS = (
    r"(?:(?:so|really|very|a bit|a little|kind of|sort of|quite|pretty|just|too|also|still|more|"
    r"getting|starting to|feeling|honestly|actually|totally|incredibly|extremely|super) )*"
)
_FEELING = re.compile(
    rf"\b(?:i {_INTENSIFIERS}(?:feel|felt)\b(?! free)|"
    r"my (?:stomach|heart) (?:dropped|sank|sinks|is pounding|was pounding|races|was racing)|"
    r"i(?:'ve| have) been (?:shaking|crying|in tears|on edge)|(?:it|that) (?:really |still )?stings\b|"
    rf"i(?:'m| am|'ve been| have been| was| get| got) {_INTENSIFIERS}(?:{EMOTIONS})\b|"
    rf"(?:makes?|made|making) me {_INTENSIFIERS}(?:feel|{EMOTIONS})\b|"
    r"i (?:love|hate|miss|dread|fear|worry)\b|i'm in love\b|breaks my heart|"
    r"(?:it|that|this) (?:really |still |kind of )?(?:hurts|hurt)\b(?! (?:you|him|her|them)))"
)
_BARE = re.compile(rf"^(?:(?:yeah|honestly|just|so|really|pretty|a bit|kind of|and),? )*(?:{EMOTIONS})\b")
# An answer that is a list of emotion words: "Excited, and terrified, and guilty about it."
_LISTED = re.compile(rf"^(?:{EMOTIONS}),? (?:and |but |yet )?(?:{EMOTIONS})\b")


def is_feeling(utterance: Utterance) -> bool:
    """True when the speaker states a feeling of their own."""
    text = utterance.text
    if _FEELING.search(text):
        return True
    return len(utterance.tokens) <= 4 and bool(_BARE.search(text)) or bool(_LISTED.search(text))
