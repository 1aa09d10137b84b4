"""Reflections (MISC): a statement that restates or infers the meaning of the partner's last turn.

Four kinds of cue, each only in a sentence that is not a question by its word order: a reflective
frame ("it sounds like", "what I'm hearing", "so you're saying", "part of you"); a statement about
the partner's inner state ("you feel", "you're worried", "you don't want"); one with the partner
as subject, including "so ..." summaries ("so, a long week at your mum's"); a "so ..." summary that
names the gist ("so the real worry is March, not the pizzas"); and one that reuses much of the
partner's wording without the speaker talking about themselves. A sentence that holds the
partner's past doings against them ("you said you'd ...", "you didn't even ...", "you left the
gate open", "you've said that three times") is an accusation and gives no cue, and so is one that
judges the partner's feeling legitimate ("you're right to be annoyed": validation), or one that
only names the partner ("you're such a softie", "you old romantic"). Two kinds
together, or one in a statement said without '?', make a confident reflection; one kind only in
sentences ending with '?' makes a possible one (on AnnoMI about half of those are reflections).
"""

from __future__ import annotations

import re

from listening_coach.detectors.questions import is_interrogative
from listening_coach.detectors.text import Sentence, Utterance

_FRAME = re.compile(
    # not "that does sound like me" (about the speaker) or "silly as it sounds"
    r"\b(?:sounds? (?:like(?! (?:me|us)\b)|as if|as though)|(?<!\bas )it sounds|(?:it|that) seems (?:like|that|as if|to me)|"
    r"seems like|you seem|you sound|what i(?:'m| am) hearing|what i hear|i hear (?:that )?you(?:'re)? "
    r"(?:say|feel|want|need|think)|i(?:'m| am) hearing|you(?:'re| are) saying|you said|you mentioned|"
    r"if i understand|in other words|part of you|on (?:the )?one hand|on the other hand|"
    r"it feels like you|for you it's|what you(?:'re| are) (?:telling|describing))\b"
)
_STATE = (
    "feel feels felt feeling think thought want wanted wanting need needed wish wished hope hoped "
    "believe believed worry worried like liked love loved hate hated miss missed care cared enjoy "
    "enjoyed know knew see saw notice noticed realise realize realised realized find found wonder "
    "sense value prefer struggle struggled fear mean meant expect expected started decided tried "
    "got get been"
)
_YOU_STATE = re.compile(
    r"(?:^|\b(?:so|and|but|because|now|yet|that|like|then)\s)you(?:'re| are|'ve| have| were|'d| had)?"
    r"(?: not| never| really| just| also| still| kind of| sort of| a little| pretty| very| so| too)*"
    rf" (?:{'|'.join(_STATE.split())}|don't|didn't (?:{'|'.join(_STATE.split())})|can't|aren't|weren't|haven't|worried|afraid|scared|"
    r"concerned|upset|angry|frustrated|sad|tired|proud|happy|ready|sure|unsure|torn|stuck|able|"
    r"willing|interested|thinking|wondering|hoping|trying|doing|going through|dealing|having|"
    r"getting|finding|struggling|saying|looking|feeling|missing|considering|open|comfortable|confident|"
    r"determined|committed|ambivalent|hesitant|reluctant|overwhelmed|stressed|lonely|alone|"
    r"right that|quite|certainly|definitely|someone|somebody|a person|the kind|the type|one of)\b"
)
_ADVICE = re.compile(
    r"\b(?:you (?:should|could|might|may|can|must|need to|have to|'ll|will|ought)|you'll|"
    r"thank you|you're welcome|see you|you guys|if you|when you|do you|would you|could you|can you|"
    r"will you|are you|have you|did you|you never know)\b"
)
_FOR_YOU = re.compile(r"\b(?:for|to) you(?:rself)?$|\b(?:it|that|this) (?:feels|felt|seems|seemed) ")
# A "so ..." summary that names the gist of the partner's turn without "you": "so the real worry is
# March", "so it's the waiting, not the result".
_GIST = re.compile(
    r"\bthe (?:real|main|hardest|worst|biggest|scariest|toughest|key) (?:thing|part|worry|issue|problem|"
    r"fear|concern|question|point)\b|\b(?:it's|it is|it was) (?:not|less|more) (?:really |so much |just )?"
    r"(?:about|that|the)\b|\bnot (?:just |really |so much )?(?:about )?(?:the |a |an )?\w+(?: \w+)?, "
    r"(?:it's|it is|but)\b|, (?:more than|rather than|not so much)\b|"
    r"\b(?:it's|it was|this is) (?:really |all )?about\b"
)
# The speaker's doing as the partner sees it: "so when I forget, it tells you I don't care".
_SPEAKER_AS_SEEN = re.compile(r"^when i\b.*\b(?:you (?:feel|felt|think|hear)|tells you|for you)\b")
# What the partner did, told back as a complaint, is no reflection of what they said (couples'
# arguments are full of these; MI counselling has few): a broken promise ("you said you'd do the
# school run"), their words held against them ("you said nothing", "you said that last year
# too", "you've said it three times", "you said that, and then you ..."), "you didn't even ...",
# their view put down to a motive ("you think that because ..."), and a plain "you + past action"
# ("you left the gate open", "you were out till one").
_PAST_ACTION = (
    r"\w+ed|said|left|let|spent|changed|had|got|went|came|made|took|told|gave|did|didn't|forgot|ate|"
    r"bought|sat|stood|ran|threw|broke|put|sent|kept|lost|won|wore|drove|rode|paid|brought|caught|"
    r"chose|hid|hit|knew|met|read|saw|sold|spoke|stole|swore|wrote|woke|slept"
)
_ACCUSES = re.compile(
    r"\byou (?:said|told me|promised)(?: me)?(?: that)? (?:you'd|you would|you'll|you were going to|"
    r"you were gonna)(?! (?:like|love|prefer|rather|want)\b)|"
    r"\byou (?:said|told me) (?:nothing|sure|yes|fine|okay|no)\b|"
    r"\byou(?:'ve| have)? said (?:that|it|this)\b(?:.*\b(?:too|again|last \w+|before)$|"
    r".*\b(?:\w+ times|twice)\b|,? (?:and|but) (?:then )?you\b)|"
    r"\byou (?:didn't|couldn't|wouldn't) even\b|"
    r"\byou say that(?:,? but| now| every time| all the time| a lot)\b|"
    # the partner's view put down to a motive: "you think that because you went there"
    r"\byou (?:only )?(?:think|say) (?:that|so) because\b"
)
# The speaker's own view: "I feel like I'm the cop and you get to be the fun parent".
# A judgement that the partner's feeling is legitimate is validation, not a restatement (our
# couple labels; AnnoMI has none of these): "you have every right to be angry", "you're right to
# be annoyed", "anyone would feel knocked", "it's not stupid", "you're not a failure".
_LEGIT = re.compile(
    r"\b(?:you(?:'ve got| have) every right|you(?:'re| are) right to|any(?:one|body) would|"
    r"would \w+ any(?:one|body)|(?:it's|that's) not (?:silly|stupid)|you(?:'re| are) not (?:a|an) \w+$|of course it)\b"
)
_OWN_VIEW = re.compile(r"^i (?:feel|felt|think|thought)\b")
# A partner's proposal ("let's each have fifty", "maybe you own towels") or their own "so ..."
# summary: a reply that only reuses its words takes it up ("Fifty each sounds good"), it does not
# reflect it.
_PROPOSAL = re.compile(
    r"\b(?:let's|maybe you|maybe we|how about|how would you feel about|what if|why don't we|we could|can we|"
    r"could we|shall we|should we|"
    r"you could)\b"
)
_ACTION = re.compile(rf"^you (?!used\b)(?:{_PAST_ACTION})\b|^you were (?:up|out|on|at|in)\b")
# A past action told with what it meant to the partner can still be a reflection:
# "you put effort in and it felt like nobody noticed".
_FELT = re.compile(
    r"\b(?:felt|feel|feeling|hurt|scared|afraid|frightened|fright|worried|lonely|alone|upset|angry|sad|"
    r"nobody|noticed)\b"
)
_YOU = frozenset("you you're you've you'd".split())
_PARTNER = frozenset("you you're you've you'd your yourself".split())
_FIRST_PERSON = frozenset("i i'm i've i'd i'll me my".split())
_SPEAKER = _FIRST_PERSON | frozenset("we we're we've we'll us our let's".split())
_STOP = frozenset(
    """a an the and or but so if then than that this these those there here it its it's is are was
    were be been being am do does did done have has had having i me my mine you your yours you're
    you've you'd we us our they them their he him his she her what which who whom how why when where
    not no yes yeah okay ok just really very too also of to in on at by for with about from into out
    up down over again all any some more most much many can could would will should shall may might
    must don't didn't doesn't can't won't isn't aren't wasn't i'm i've i'd i'll like know think get
    got go going gonna want kind sort lot thing things something anything one well um uh right now
    say said mean""".split()
)


# A name or label for the partner is no reflection of what they said: "you're such a softie",
# "you're a diplomat, you", "you're the one sighing", "you old romantic".
EPITHET_WORDS = 8
"""Longest such sentence, in words: a longer one may go on to reflect ("you're a student, and it
adds to your stress")."""
_EPITHET = re.compile(
    r"^you(?:'re| are) (?:such an? |so |an? |some |something |the one )|^you (?:old|little|daft|silly) "
)


def _content(tokens: tuple[str, ...]) -> set[str]:
    """Content-word stems of `tokens` (stop words and very short words dropped)."""
    stems = set()
    for token in tokens:
        if token in _STOP or len(token) < 3:
            continue
        token = token.split("'")[0]
        for suffix in ("ing", "ed", "es", "s", "ly"):
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                token = token[: -len(suffix)]
                break
        stems.add(token)
    return stems


def _about_partner(sentence: Sentence, text: str) -> bool:
    """True for a statement about the partner ("you've been trying ...", "so your mum ...").

    It opens with "you", is a "so ..." summary that mentions the partner, or ends "... for you"; and
    it is not about the speaker ("I", "we") and is not advice.
    """
    core = sentence.core
    leaders = sentence.tokens[: len(sentence.tokens) - len(core)]
    opens = (
        core[0] in _YOU
        or "so" in leaders and _PARTNER & set(core)
        or _FOR_YOU.search(text)
    )
    return (
        bool(opens)
        and len(core) >= 3
        and not _SPEAKER & set(sentence.tokens)
        and not _ADVICE.search(text)
    )


def _restates(sentence: Sentence, previous: set[str]) -> bool:
    """True when a statement reuses the partner's words and is not about the speaker."""
    if not previous or set(sentence.core[:2]) & _FIRST_PERSON:
        return False
    own = _content(sentence.tokens)
    shared = own & previous
    return len(shared) >= 2 and len(shared) >= 0.4 * len(own)


def _cues(sentence: Sentence, earlier: set[str]) -> set[str]:
    """Names of the reflection cues found in a statement (an empty set for none)."""
    text = " ".join(sentence.core)
    found = set()
    if _FRAME.search(text):
        found.add("frame")
    if (len(sentence.core) >= 3 and _YOU_STATE.search(text) and not _ADVICE.search(text)
            and not _OWN_VIEW.search(text)):
        found.add("inner state")
    if _restates(sentence, earlier):
        found.add("restates")
    if _about_partner(sentence, text):
        found.add("about partner")
    leaders = sentence.tokens[: len(sentence.tokens) - len(sentence.core)]
    if "so" in leaders and (_GIST.search(text) and not _SPEAKER & set(sentence.tokens)
                            or _SPEAKER_AS_SEEN.search(text)):
        found.add("gist")
    if _ACCUSES.search(text) or _LEGIT.search(text):
        return set()
    if found == {"about partner"} and not _FELT.search(text) and (
            _ACTION.search(text) or _EPITHET.search(text) and len(sentence.core) <= EPITHET_WORDS):
        return set()
    return found


def _takes_up(previous: Utterance) -> bool:
    """True when the partner's turn proposes something or sums up with "so ..." (a gist cue)."""
    if _PROPOSAL.search(previous.text):
        return True
    return any("gist" in _cues(sentence, set()) for sentence in previous.sentences
               if not is_interrogative(sentence))


def reflection_certainty(utterance: Utterance, previous: Utterance | None) -> str | None:
    """How surely `utterance` reflects `previous`, the partner's last turn.

    Returns
    -------
    "confident" when two kinds of cue agree or a cue lies in a statement said without '?';
    "possible" when one kind of cue lies only in statements ending with '?' (MISC codes many of
    those as questions); None when no cue is found.
    """
    if len(utterance.tokens) < 3:
        return None
    earlier = _content(previous.tokens) if previous else set()
    cues: set[str] = set()
    plain = False
    for sentence in utterance.sentences:
        if is_interrogative(sentence):
            continue
        found = _cues(sentence, earlier)
        cues |= found
        plain = plain or bool(found) and not sentence.asked
    if not cues or cues == {"restates"} and previous is not None and _takes_up(previous):
        return None
    return "confident" if len(cues) >= 2 or plain else "possible"
