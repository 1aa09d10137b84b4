"""Open and closed questions (MISC): open asks for more than yes/no or a specific fact.

Speech-recognition text often drops the '?', so the rules rely on word order: a wh-word followed by
an auxiliary or a verb ("what did you", "what happened"), an auxiliary followed by a subject ("do
you", "is it"), requests to elaborate ("tell me more"), embedded questions ("I wonder what") and
tag questions ("isn't it"). "What time", "how many", "where", "who" and yes/no or either/or
questions are closed, except yes/no invitations to elaborate ("do you have any thoughts about...")
and the MI key questions ("where do you go from here?"), which are open. A '?' after a statement
("you think it's that bad?") makes a closed question, unless the statement is framed as a
reflection ("it sounds like you're ready?"): then it is a reflection, not a question.
"""

from __future__ import annotations

import re

from listening_coach.detectors.text import Sentence, Utterance

_AUX = (
    "do does did is are was were am can could would will should shall have has had may might must "
    "don't doesn't didn't isn't aren't wasn't weren't can't couldn't won't wouldn't shouldn't "
    "haven't hasn't"
)
_SUBJECTS = (
    "i you we he she it they there that this these those your my his her our their anyone anybody "
    "anything someone somebody something everyone everybody everything people the a any what"
)
AUX = frozenset(_AUX.split())
SUBJECTS = frozenset(_SUBJECTS.split())
PRONOUNS = frozenset("i you we he she they i'm you're we're he's she's they're i've you've".split())
WH_OPEN = frozenset("what how why what's how's why's whats hows what're how're what'd how'd why'd".split())
WH_CLOSED = frozenset("when where who whom whose which when's where's who's where'd who'd when'd".split())
_FACT = frozenset("time day date year age many much long often old number".split())
_SCALE = re.compile(r"\bscale\b|\b(?:zero|one|0|1) to (?:ten|10)\b")
_BACKCHANNEL = frozenset("yeah yes okay ok right alright huh really no mm hmm uh-huh".split())

_OPEN_REQUEST = re.compile(
    r"^(?:(?:can|could|would|will) you (?:please )?|would you mind |(?:maybe )?you could |please |"
    r"if you could |i'd like you to |i want you to |why don't you )?"
    r"(?:tell me|tell us|talk (?:to me |a (?:little|bit) )?about|describe|explain|"
    r"say (?:something |a (?:little|bit) )?more|remind me (?:again )?(?:what|why|how)|"
    r"help me understand|walk me through|give me (?:an|some) examples?|"
    r"share (?:with me|more|a (?:little|bit))|fill me in|elaborate|go on$|"
    r"any (?:thoughts|ideas|sense|feelings))\b"
)
# Invitations to elaborate that are yes/no in form or start with a preposition (MITI 4.2.1 codes them
# open): "do you have any thoughts about...", "have you given any thought to...", "in what way...",
# and the MI key questions "where do you go from here?", "where does that leave you?".
_INVITATION = re.compile(
    r"\b(?:(?:do|did|have|has) you (?:have |had |got )?(?:any|some) (?:thoughts?|ideas?|sense|feelings?|"
    r"views?|opinions?)|(?:have|had) you (?:given|had) (?:it |this |that )?(?:any|some|much) thought|"
    r"in what ways?|where (?:do|does|would|should|can|could) (?:\w+ )*?go from here|"
    r"where (?:does|do|did) (?:that|this|it) leave you)\b"
)
_ELABORATE = re.compile(r"\b(?:tell me|describe|explain|talk (?:to me )?about|say more|share)\b")
_EMBEDDED = re.compile(
    r"\b(?:i (?:wonder|wondered|am wondering|was wondering|'m wondering)|i'm wondering|^wondering|"
    r"i'm curious|i am curious|i(?:'d| would) (?:like|love|want) to "
    r"(?:know|hear|understand|find out|learn))\b(?: about)? ?(\w+)?"
)
# A statement said with a rising tone is a reflection, not a question (MITI 4.2.1), when it is framed
# as one: "so it sounds like you're ready?", "you feel like nobody listens?".
_REFLECTIVE = re.compile(
    r"\b(?:sounds? (?:like|as if|as though)|it sounds|(?:it|that) seems|seems like|you seem|part of you|"
    r"on (?:the )?one hand|on the other hand|what i(?:'m| am) hearing|you(?:'re| are) saying|"
    r"you (?:feel|felt) (?:like|as if|as though|that))\b"
)
_TAG = re.compile(
    r"\b(?:(?:isn't|aren't|wasn't|weren't|don't|doesn't|didn't|won't|can't|haven't|hasn't|"
    r"wouldn't|couldn't|shouldn't) (?:it|you|they|he|she|we|i|there|that)|is that right|"
    r"am i right|is that correct|you know what i mean)$"
)
_WH_INVERSION = re.compile(
    r"\b(?:what|how|why)(?: else)? (?:do|does|did|is|are|was|were|can|could|would|will|should|have|"
    r"has|might) (?:you|i|we|they|he|she|it|that|this|your|things)\b"
)
_MID_YES_NO = re.compile(
    r"(?<!\bwhat)(?<!\bhow)(?<!\bwhy)(?<!\bwhen)(?<!\bwhere)(?<!\bwho)(?<!\bwhich)(?<!\bthat)"
    r"(?<!\bif)(?<!\bthan)(?<!\bas)(?<!\bway)(?<!\bthings)(?<!\bwhatever)"
    r" (?:do|does|did) (?:you|we|they) (?!know\b)\w+"
)


# A sentence-initial "which" + is/was/means that does not end with '?' continues the previous sentence
# as a relative clause ("Which is why it matters.", "Which is fine.", "which means ...", a trailing
# "which-"), unless it offers a choice ("which is better tea or coffee": either/or, a closed question).
_RELATIVE_WHICH = re.compile(r"^which(?: (?:is|was|means|meant)\b(?!.*\bor\b)|$)")


def _wh_type(core: tuple[str, ...], asked: bool) -> str | None:
    """Type of a clause that starts with a wh-word, or None when it is not a question."""
    first = core[0]
    second = core[1] if len(core) > 1 else ""
    if second in PRONOUNS and not first.endswith("'d"):
        # "what you're saying is ...", "when you drink, you ...?"; but "what'd you" = "what did you".
        return None
    if first in WH_CLOSED:
        if not asked and second not in AUX and first in ("when", "where"):
            return None  # "when the kids are asleep ..."
        if not asked and _RELATIVE_WHICH.match(" ".join(core)):
            return None  # "Which is why it's so important.", a trailing "which-"
        return "closed"
    return "closed" if second in _FACT else "open"


def _clause_type(core: tuple[str, ...], asked: bool) -> str | None:
    """Type of one clause from its form alone, or None when the form says nothing."""
    text = " ".join(core)
    embedded = _EMBEDDED.search(text)
    if embedded and embedded.group(1) in ("if", "whether"):
        return "open" if _ELABORATE.search(text, embedded.end()) else "closed"
    if embedded or _OPEN_REQUEST.search(text) or _INVITATION.search(text) or _WH_INVERSION.search(text):
        return "open"
    if core[0] in WH_OPEN or core[0] in WH_CLOSED:
        return _wh_type(core, asked)
    if core[0] in AUX and len(core) > 1 and core[1] in SUBJECTS:
        # "do the dishes", "do that again": an instruction, not a question.
        return None if core[0] == "do" and core[1] not in PRONOUNS else "closed"
    return None


def is_interrogative(sentence: Sentence) -> bool:
    """True when a clause of `sentence` has question word order or asks to elaborate."""
    return any(_clause_type(core, sentence.asked) for core in sentence.clauses)


def sentence_type(sentence: Sentence) -> str | None:
    """Return "open", "closed" or None for one sentence: the type of its last question clause."""
    clauses = sentence.clauses
    kind = None
    for i, core in enumerate(clauses):
        kind = _clause_type(core, sentence.asked and i == len(clauses) - 1) or kind
    if kind:
        return "closed" if _SCALE.search(sentence.text) else kind
    if sentence.asked:
        reflective = _REFLECTIVE.search(sentence.text)
        return None if reflective or set(sentence.tokens) <= _BACKCHANNEL else "closed"
    text = " ".join(sentence.core)
    if _TAG.search(text) or _MID_YES_NO.search(" " + text):
        return "closed"
    return None


def question_type(utterance: Utterance) -> str | None:
    """Return "open", "closed" or None for a turn; one open question makes the turn open."""
    kinds = {sentence_type(sentence) for sentence in utterance.sentences}
    return "open" if "open" in kinds else "closed" if "closed" in kinds else None
