"""Apologies and taking responsibility ("I'm sorry", "that's on me", "you're right, that was harsh").

"Sorry" that expresses sympathy ("sorry to hear that", "sorry you had a rough day") or asks
for a repeat ("sorry?", "sorry, what?") is not an apology.
"""

from __future__ import annotations

import re

from listening_coach.detectors.text import Utterance

_RESPONSIBILITY = re.compile(
    r"\b(?:i apologi[sz]e|apologi[sz]e for|my apologies|my fault|my bad|(?:that's|that is|it's) on me|"
    r"i was wrong|i was out of line|i shouldn't have|i should not have|i should have|"
    r"i should've|i take (?:full |complete )?responsibility|forgive me|i messed up|i screwed up|"
    r"i blew it|i dropped the ball|i let you down|i owe you an apology|make it up to you|"
    r"i didn't mean to (?:hurt|upset|snap|yell|make)|(?:that|it) was (?:mean|unfair|wrong|rude|"
    r"out of line|not fair|uncalled for|harsh) of me|i'm to blame|that came out wrong|"
    r"i (?:wasn't|was not) (?:thinking|listening|fair)|"
    # a concession that judges the speaker's own words: "You're right, that was harsh."
    r"(?:you're|you are) right,? (?:that|it) was (?:a bit |really |so |pretty )?(?:harsh|mean|unfair|nasty|"
    r"unkind|low|a low blow|a cheap shot|uncalled for|out of order|childish))\b"
)
_SORRY = re.compile(r"\bsorry\b")
_SYMPATHY = re.compile(
    r"\bsorry (?:to hear|for your loss|about your|that (?:happened|you|he|she|they|it happened)|"
    r"you (?:had|have|went|are|were|'re|feel)|(?:it|this) happened|what|i didn't catch)"
    r"|^(?:sorry[?.!]?)$|\bsorry\?"
)


def is_apology(utterance: Utterance) -> bool:
    """True when the turn apologises or takes responsibility."""
    text = utterance.text
    if _RESPONSIBILITY.search(text):
        return True
    return bool(_SORRY.search(text)) and len(_SORRY.findall(text)) > len(_SYMPATHY.findall(text))
