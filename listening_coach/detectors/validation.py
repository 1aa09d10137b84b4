"""Validation: the speaker says the partner's feelings or view make sense.

Phrases such as "that makes sense", "I can see why", "no wonder", "anyone would", "it's normal to
feel", "you have every right", "you're right to be annoyed", "of course you do", "I'd have been
gutted too", "that would've freaked me out too", "annoyed is fair", "a totally normal thing to
want", "that sounds hard", "that's a lot to carry", "mornings are hard for you". Agreement
("you're right", "that's fair", "fair point") counts unless the same turn apologises or takes
responsibility ("I should have asked"): there it concedes the speaker's own fault instead.
"""

from __future__ import annotations

import re

from listening_coach.detectors.apology import is_apology
from listening_coach.detectors.feeling import EMOTIONS
from listening_coach.detectors.text import Utterance

_HARD = (
    "hard|tough|difficult|awful|terrible|horrible|rough|painful|frustrating|exhausting|scary|"
    "stressful|upsetting|overwhelming|lonely|heartbreaking|unfair|infuriating|isolating|unbearable"
)
_DISMISSIVE = "silly|stupid|dumb|weird|daft"  # what a worried partner fears their feeling is
_HARD_OR_BAD = _HARD + "|really bad|so bad"  # "bad for you" is advice about health, not validation
_VALIDATION = re.compile(
    r"\b(?:(?:(?:those|these) feelings|they|both) (?:totally |completely |really |all |just )?make (?:total |"
    r"complete |perfect |so much )?sense|"
    r"(?:that|it|this) (?:totally |completely |really |all |just )?makes (?:total |complete |"
    r"perfect |a lot of |so much )?sense|makes (?:total |complete |perfect )?sense (?:that|to me|why)|"
    r"(?:that's|that is|it's|it is) (?:totally |completely |so |very |perfectly )?understandable|"
    r"i (?:totally |completely |really )?(?:understand|get|see|know) (?:why|how|that you|where you|"
    r"what you mean|it(?!'s| is| was)|that)|i can (?:totally |really |completely )?(?:see|understand|imagine) "
    r"(?:why|how|that)|no wonder|of course you(?:'re| are| were| feel| felt|'d| do| want| need)\b|"
    # "Course you're on edge", "Ah, babe. Course you are."
    r"(?:^|[.!?,] |\b(?:oh|yeah|well|ah|babe|love),? )course you(?:'re| are| do| want| need| feel)\b|"
    r"of course (?:it|that)(?:'s|s| is| was| would| does| did| hurts?| stung| matters| (?:got|gets) to you|"
    r" upset you| bother(?:s|ed)? you| scared you)\b|anyone would|"
    r"anybody would|who wouldn't|would (?:\w+ )?(?:anyone|anybody)(?: down| out)?|i would too|i'd feel the same|i would feel the same|"
    r"(?:it's|it is|that's|that is) (?:completely |totally |perfectly |so |such a |a )?"
    r"(?:normal|natural|okay|ok|fine|valid|reasonable|fair) (?:thing )?(?:to (?:feel|be|want|worry|ask|"
    r"need)|way to feel|feeling|reaction)|you(?:'ve| have)(?: got)? every right|"
    r"you(?:'re| are) (?:completely |totally |so )?right to (?:be|feel)|your feelings (?:are|make)|"
    r"(?:that's|that is|it's) valid|i don't blame you|you're not wrong|"
    r"(?:that|it) (?:sounds|must be|must have been|was|is) (?:really |so |very |pretty |incredibly |such an? )?"
    rf"(?:{_HARD_OR_BAD})|i hear you|that's a (?:really |very )?(?:good|fair|great|reasonable) point|"
    r"that's (?:a )?(?:really )?reasonable|that's outrageous|"
    # "a fair thing to be scared about", "a natural reaction", "totally understandable"
    r"(?:that's|that is|it's|it is) a (?:completely |totally |perfectly |really |very )?"
    r"(?:fair|normal|natural|reasonable|understandable|valid|human) (?:thing to|reaction|response)|"
    r"(?:that's|that is|it's|it is) (?:completely|totally|perfectly) (?:reasonable|natural|normal|valid)|"
    # "it's completely fair that you were scared": the feeling judged fair, not a point conceded
    r"(?:that's|that is|it's|it is) (?:completely |totally |perfectly |only )?(?:fair|understandable|natural|"
    r"normal) that you|"
    r"i(?:'d|d| would) (?:have )?(?:feel|felt|be|been|hate (?:that|it)) (?:\w+ ){0,2}(?:too|as well|the same)|"
    r"would \w+ anyone|"
    r"anyone in your (?:position|shoes|place)|you(?:'re| are) allowed to (?:feel|be)|i can only imagine|"
    r"(?:can't|cannot|nobody would|no one would|nobody could|no one could) blame you|"
    # "that's a horrible position to be in", "that's a lot to carry", "mornings are hard for you"
    rf"(?:that's|that is|it's|it is|what) an? (?:really |very |so |pretty |such an? |incredibly )?(?:{_HARD}|scary) "
    r"(?:thing|position|situation|place|spot|image|time|moment|load|weight|road)|"
    r"(?:that's|that is|it's|it is) (?:such |so |really )?(?:a lot|so much) (?:to (?:carry|deal with|handle|"
    r"take in|go through|cope with)|for (?:you|her|him|them|anyone|one person)|on your plate)|"
    rf"(?:is|are|was|were|must be|has been|have been) (?:so |really |very |pretty |incredibly )?(?:{_HARD}) for you|"
    # "what you feel is completely natural": an intensifier keeps out plain facts ("that's normal")
    r"(?:is|are|'s|was|feels?) (?:totally|completely|perfectly|entirely) (?:reasonable|understandable|natural|"
    r"normal|valid)|i hear (?:that (?:it|this|that)|how)\b|"
    r"you(?:'re| are) not (?:overreacting|being (?:silly|dramatic|unreasonable)|imagining (?:it|things))|"
    # reassurance about the partner's feeling: "it's not silly at all", "that's not stupid"
    rf"(?:it's|it is|that's|that is) not (?:{_DISMISSIVE})\b(?! (?:of|to|for) )|"
    rf"(?:^|[.!?] )not (?:{_DISMISSIVE}) at all|"
    # the feeling itself judged fair: "annoyed is fair", "feeling that way is understandable"
    rf"(?:(?:being )?(?:{EMOTIONS})|feeling (?:\w+ )?\w+) is "
    r"(?:totally |completely |perfectly |more than )?"
    r"(?:fair(?! game)|understandable|reasonable|valid|natural|allowed)|"
    r"(?:is|are) a (?:completely |totally |perfectly |really |very )?"
    r"(?:normal|natural|reasonable|fair|human) thing to (?:want|feel|need|worry about|ask for)|"
    # the speaker would feel it too: "that would've freaked me out too", "that'd wind me up as well"
    r"(?:that|it|this)(?:'d|d| would)(?:'ve| have)? (?:really |totally |so |have )?"
    r"(?:freak|scare|upset|stress|wind|throw|rattle|terrif|worr|shak|panick?|drive|get to|hurt|bother|gut|"
    r"devastat|annoy|piss|crush|haunt)"
    r"\w* me(?: \w+){0,2} (?:too|as well)"
    r")\b"
)
_AGREEMENT = re.compile(r"\b(?:you're right|you are right|that's (?:completely |totally |perfectly |more than )?fair|"
                        r"fair enough|(?:good|fair) point|you(?:'ve got| have) a point|(?:that's|that is) true)\b")
_OWN_UNFAIR = re.compile(r"(?:that|it) (?:was|is) (?:really |so |very |pretty |incredibly )?unfair")
_APOLOGY_HINT = re.compile(r"\b(?:sorry|apologi[sz]e|my fault|my bad|on me)\b")


def is_validation(utterance: Utterance) -> bool:
    """True when the turn validates the partner's feelings or view."""
    text = utterance.text
    found = _VALIDATION.search(text)
    # "sorry, that was unfair" judges the speaker's own words, not the partner's situation
    if found and not (_APOLOGY_HINT.search(text) and _OWN_UNFAIR.fullmatch(found.group())):
        return True
    return bool(_AGREEMENT.search(text)) and not is_apology(utterance)
