"""Feeling statements: the speaker names their own emotion ("I feel...", "I'm scared").

First person plus "feel", or first person plus an emotion word ("I'm so frustrated", "it makes me
sad", "that really hurt"). Hypotheticals ("I'd be annoyed too") and tiredness alone are not
counted; a bare emotion word as a whole short sentence ("scared, honestly") is, and so is "me
too" after the partner's feeling.
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
    "uncomfortable|unhappy|unloved|upset|worried|worn out|frazzled|rattled|shaken|thrilled|delighted|"
    "mortified|panicky|uneasy|petrified|livid|fuming|homesick|sick with worry|over the moon|on edge|"
    "freaking out|dreading|a wreck|a mess|heartsick|envious|hurting|restless|isolated|"
    "exhilarated|elated|ecstatic|nervy|jittery|despondent|distraught|horrified|appalled|outraged|"
    "exasperated|startled|blessed|at peace|unsafe|wobbly|"
    "humiliated|useless|worthless|unwanted|neglected|overlooked|taken for granted|let down"
)
_INTENSIFIERS = (
    r"(?:(?:so|really|very|a bit|a little|kind of|sort of|quite|pretty|just|too|also|still|more|sometimes|often|"
    r"getting|starting to|feeling|honestly|actually|totally|incredibly|extremely|super|already) )*"
)
_FEELING = re.compile(
    rf"\b(?:i {_INTENSIFIERS}(?:feel|felt)\b(?! free)|"
    r"my (?:stomach|heart)(?:'s| is| was)? (?:still )?(?:dropped|sank|sinks|pounding|races|racing|going)\b|"
    r"i(?:'ve| have) been (?:shaking|crying|in tears|on edge)|(?:it|that) (?:really |still )?stings\b|"
    # "I'm so tired and so sad": an emotion after another state still counts
    rf"i(?:'m| am|'ve been| have been| was| get| got) {_INTENSIFIERS}(?:\w+,? (?:and|but) {_INTENSIFIERS})?"
    rf"(?:{EMOTIONS})\b|"
    r"(?:scares|terrifies|frightens|worries|upsets|stresses) me\b|"
    rf"(?:makes?|made|making) me {_INTENSIFIERS}(?:feel|{EMOTIONS})\b|"
    r"i (?:love|hate|miss|dread|fear|worry)\b|i'm in love\b|breaks my heart|"
    # verbs of feeling: "I just panicked", "I'm starting to resent it", "I've started to dread"
    r"i(?:'m|'ve| am| have)? (?:(?:just|really|totally|kind of|a bit|started|starting|begun|beginning) "
    r"(?:to )?)*(?:panic|panicked|panicking|resent|resented|dread|dreaded|worried|freaked out)\b|"
    r"part of me (?:worries|fears|dreads|feels|is (?:scared|worried|afraid|sad|angry|relieved))\b|"
    r"(?:has|have|'s) (?:really |properly |totally )?(?:shaken|rattled|scared|upset|frightened) me\b|"
    r"i (?:just |really )?can't (?:bear|stand) (?:the thought|the idea|being|it)\b|"
    r"(?<!\bhear that )(?<!\bknow that )(?<!\bsee that )"
    r"(?:it|that|this) (?:really |still |kind of )?(?:hurts|hurt)\b(?! (?:you|him|her|them))|"
    r"i keep (?:panicking|worrying|crying|shaking))"
)
# A sentence that is only an emotion word: "Thrilled." "Scared, honestly."
_BARE = re.compile(rf"^(?:(?:yeah|honestly|just|so|really|pretty|a bit|kind of|and),? )*(?:{EMOTIONS})\b")
# Sharing the partner's feeling: "Me too." after "I'm so nervous about Friday".
_SHARED = re.compile(r"^(?:(?:yeah|yes|oh|honestly),? )*(?:me too|same here|so am i|so do i|i do too|"
                     r"i am too|me as well)\b")
# An answer that is a list of emotion words: "Excited, and terrified, and guilty about it."
_LISTED = re.compile(rf"^(?:{EMOTIONS}),? (?:and |but |yet )?(?:{EMOTIONS})\b")


def is_feeling(utterance: Utterance, previous: Utterance | None = None) -> bool:
    """True when the speaker states a feeling of their own.

    `previous` is the partner's last turn: "me too" shares a feeling only after one.
    """
    text = utterance.text
    if _FEELING.search(text) or _LISTED.search(text):
        return True
    if any(len(s.tokens) <= 4 and not s.asked and _BARE.search(s.text) for s in utterance.sentences):
        return True
    return bool(previous and _SHARED.search(text) and is_feeling(previous))
