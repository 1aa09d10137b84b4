"""Criticism and contempt: attacks on the partner's character, absolutes, scorn.

"You always" / "you never" / "every time you" absolutes, name-calling ("you're so selfish", "you're
such a slob"), and contempt ("that's ridiculous", "whatever", "what's wrong with you"). Contempt
words count when the turn addresses the partner or opens with them as a reaction; positive
absolutes ("you always make me laugh") and idioms ("you never know") do not count.
"""

from __future__ import annotations

import re

from listening_coach.detectors.text import Utterance

_INSULTS = (
    "selfish|lazy|useless|pathetic|stupid|ridiculous|childish|immature|hopeless|impossible|"
    "insufferable|unbelievable|crazy|paranoid|dramatic|irresponsible|inconsiderate|careless|rude|"
    "mean|cold|heartless|clueless|incompetent|annoying|a slob|a mess|a joke|an idiot|a baby|"
    "a child|a liar|an embarrassment|a nightmare|so sensitive|too sensitive|the worst|exhausting|"
    "disgusting|unreliable|always late|never there|so negative|so controlling|controlling|a nag|"
    "hypocritical|a hypocrite|spoiled|ungrateful|lazy|dumb|an ass|a jerk"
)
_POSITIVE = (
    r"(?:make me (?:laugh|smile|happy|feel)|fail to|let me down|forget (?:my|our) (?:birthday|"
    r"anniversary)|know (?:how|what|when) to|help|support|cheer|look (?:great|good|nice)|"
    r"surprise me|have my back|been there|listen so|put us first|judge me|complain|give up)"
)
# What "it's always ... with you" complains of: "something", "one email", "some excuse".
_NAGGING = (r"something|one (?:more )?\w+|some \w+|the same(?: \w+)?|"
            r"an? (?:\w+ )?(?:excuse|drama|problem|fight)")
_ABSOLUTE = re.compile(
    r"(?<!\bif )(?<!\bwhen )\byou(?:'re| are)? (?:always|never|constantly|only ever)\b"
    rf"(?! {_POSITIVE})(?! know\b)|\byou(?:'re| are)? (?:just )?keep (?:on )?\w+ing\b|"
    r"\bevery single time\b|\byou (?:\w+ ){0,3}every single (?:time|day)\b|\byou say that every time\b|"
    r"\b(?:can't|won't|don't|didn't) you ever\b|\bwhy (?:can't|won't|don't|do|are) you "
    r"(?:ever|always|never)\b|\balways (?:some|an|another) excuse|\byou only (?:ever )?(?:think|care)|"
    r"\byou (?:don't|didn't|can't|won't) (?:even )?(?:care|listen|bother|try|notice|ask|help)\b|"
    rf"\bas usual\b(?=.*\byou)|\b(?:(?:it's|it is) always (?:{_NAGGING}) with you|with you it's always "
    rf"(?:{_NAGGING}))\b|"
    r"\b(?:it's|it is) (?:always )?all about you\b|\btypical (?:of )?you\b"
)
_NAME_CALLING = re.compile(
    rf"\b(?:you(?:'re| are)|your (?:\w+ )?(?:is|are)) (?:(?:so|such|just|really|being|completely|"
    rf"totally|acting|a total|an absolute|honestly|always|too) )*(?:{_INSULTS})\b"
    # "hopeless about it" names a state; "lazy about the bins" still judges character
    r"(?:(?! about)|(?<=lazy)|(?<=careless)|(?<=selfish)|(?<=useless)|(?<=irresponsible)|(?<=rude))|"
    # A judgement of the partner's behaviour; is_criticism requires the turn to address them.
    r"\b(?:that's|that is|that was|this is) (?:so |really |just |incredibly )?(?:disrespectful|rude|"
    r"selfish|childish|immature|inconsiderate|condescending|patroni[sz]ing)\b"
)
_CONTEMPT = re.compile(
    r"\b(?:(?:that's|that is|this is|it's|you're|you are) (?:so |just |completely |totally )?"
    r"(?:ridiculous|pathetic|absurd|stupid|a joke|nonsense|laughable)|"
    r"what(?:'s| is) wrong with you|are you kidding|are you serious|you've got to be kidding|"
    r"what(?:'s| is) your problem|how (?:hard|difficult) (?:is|can) it be)\b"
)
# Scornful replies that only mean contempt when they open the turn ("Whatever. ...").
_RETORT = re.compile(
    r"(?:whatever(?=[.,!?]|$)|seriously|typical|here we go|grow up|get over it|give me a break|oh please|"
    r"big deal|who cares|you wish|as if|yeah right|oh my god|of course you did|shut up)\b"
)
# A scornful last word: "Fine. It's done. Happy now?"
_PARTING_SHOT = re.compile(r"(?:^|[.!?] )(?:are you )?happy now\W*$")
_OPENER = re.compile(r"^(?:(?:oh|oh come on|come on|no|well|wow|ugh|god|okay|so|and|yeah|honestly),? )*")
_ADDRESSED = re.compile(r"\byou(?:r|'re|'ve|'d|'ll)?\b")


def is_criticism(utterance: Utterance) -> bool:
    """True when the turn criticises the partner or shows contempt."""
    text = utterance.text
    if _ABSOLUTE.search(text) or _PARTING_SHOT.search(text):
        return True
    named = _NAME_CALLING.search(text)
    if named and (named.group().startswith("you") or _ADDRESSED.search(text)):
        return True
    opening = _OPENER.match(text).end()
    if _RETORT.match(text, opening):
        return True
    contempt = _CONTEMPT.search(text)
    if not contempt:
        return False
    return contempt.start() <= opening or bool(_ADDRESSED.search(text))
