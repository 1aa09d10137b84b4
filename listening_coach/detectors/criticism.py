"""Criticism and contempt: attacks on the partner's character, absolutes, scorn.

"You always" / "you never" / "every time you" absolutes and sweeping complaints ("you make a drama
out of every bill"), name-calling ("you're so selfish", "you're such a <noun>" unless the noun is
kind), and contempt ("that's ridiculous", "what's wrong with you", a sentence opening "whatever" or
"for God's sake"). Contempt words count when the turn addresses the partner or opens with them as
a reaction; positive absolutes ("you always make me laugh") and idioms ("you never know") do not.
Also comparisons ("you sound like my mother", "you act like a spoiled child"), absolutes without
"always" ("you do this every time", "nothing is ever your fault", "back me up for once"), sarcasm
("that's rich coming from you", "another one of your little projects"), mockery ("You? You get
out of breath on the stairs.") and a closing "Happy?". Habits held against the partner ("this is
what you do", "you panic about everything"), blame turned back ("I'm the child? You're the one
keeping score"), mock sympathy ("boo hoo") and dismissals ("calm down").
"""

from __future__ import annotations

import re

from listening_coach.detectors.text import Utterance

_INSULTS = (
    "selfish|lazy|useless|pathetic|stupid|ridiculous|childish|immature|hopeless|impossible|"
    "insufferable|unbelievable|crazy|paranoid|dramatic|irresponsible|inconsiderate|careless|rude|"
    "mean|so cold|cold-hearted|heartless|clueless|incompetent|annoying|a slob|a mess|a joke|an idiot|a baby|"
    "a child|a liar|an embarrassment|a nightmare|so sensitive|too sensitive|the worst|exhausting|"
    "disgusting|unreliable|always late|never there|so negative|so controlling|controlling|a nag|"
    "hypocritical|a hypocrite|spoiled|ungrateful|lazy|dumb|an ass|a jerk|a martyr|a drama queen|a snob|"
    "a know-it-all|a control freak|a neat freak|a brat|a coward|a bully|a pushover|a doormat|"
    "a child|a toddler|a teenager|a spoiled child|the problem|so touchy|so defensive|so petty|petty|"
    "so stubborn|stubborn|so judgmental|judgmental|so bossy|bossy|so needy|needy|so clingy|clingy"
)
_POSITIVE = (
    r"(?:make me (?:laugh|smile|happy|feel)|fail to|let me down|forget (?:my|our) (?:birthday|"
    r"anniversary)|know (?:how|what|when) to|help|support|cheer|look (?:great|good|nice)|"
    r"surprise me|have my back|been there|listen so|put us first|judge me|complain|give up)"
)
# What "it's always ... with you" complains of: "something", "one email", "some excuse".
_NAGGING = (r"something|one (?:more )?\w+|some \w+|the same(?: \w+)?|"
            r"an? (?:\w+ )?(?:excuse|drama|problem|fight|complaint|crisis|argument|lecture|emergency)")
# A complaint that sweeps over everything the partner does: "you make a drama out of every bill",
# "you say that about everything", "you treat every chore like it's optional".
_SWEEPING = (
    r"\byou(?:'d| would)? (?:just )?(?:(?:make|made) (?:a |such a )?(?:drama|fuss|big deal|scene|problem|issue) "
    r"(?:out of|about|over)|turn|say that about|ruin|spoil|shoot down|critici[sz]e|complain about|moan about|"
    r"whine about|quit|give up on|forget|question|argue about|nitpick|mock|laugh at|sulk about|"
    r"overreact to|lie about|twist) (?:\w+ ){0,4}?(?:every|everything|anything|everyone|anybody|anyone)\b|"
    r"\byou treat (?:\w+ ){0,4}?(?:every|everything|anything|everyone|anybody|anyone)\b(?: \w+){0,4}? "
    r"like (?:it's|it is|they're|i'm|dirt|garbage|rubbish|a joke|an afterthought|"
    r"some(?:one|body) else's)|"
    r"\byou(?:'d| would) rather (?:\w+ ){1,6}?than (?:\w+ ){0,2}?(?:anything|anyone|anybody)\b|"
    r"\byou(?:'re| are) (?:always |just )?glued to (?:that|your|the) \w+"
)
_ABSOLUTE = re.compile(
    r"(?<!\bif )(?<!\bwhen )\byou(?:'re| are)? (?:always|never|constantly|only ever)\b"
    rf"(?! {_POSITIVE})(?! know\b)|\byou(?:'re| are)? (?:just )?keep (?:on )?\w+ing\b|"
    r"\bevery single time\b|\byou (?:\w+ ){0,3}every single (?:time|day)\b|\byou say that every time\b|"
    r"\b(?:can't|won't|don't|didn't) you ever\b|\bwhy (?:can't|won't|don't|do|are) you "
    r"(?:ever|always|never)\b|\balways (?:some|an|another) excuse|\byou only (?:ever )?(?:think|care)|"
    r"(?<!not that )\byou (?:don't|can't|won't) (?:even )?(?:care|listen|bother|try|notice|ask|help)\b|"
    rf"\bas usual\b(?=.*\byou)|\b(?:(?:it's|it is) always (?:{_NAGGING}) with you|with you it's always "
    rf"(?:{_NAGGING}))\b|"
    r"\b(?:it's|it is) (?:always )?all about you\b|\btypical (?:of )?you\b|"
    rf"\b(?:something|some \w+) always (?:\w+ ){{0,3}}with you\b|{_SWEEPING}|"
    # "you do this every time money gets tight", "you pull that whenever we argue"
    r"\byou (?:do|did|pull|say|said) (?:this|that|it)(?: (?:to me|again))? (?:every (?:single )?time|whenever|"
    r"all the time)\b|\byou say (?:this|that|it) every (?:single )?\w+|"
    # a habit held against the partner: "this is what you do", "you panic about everything"
    r"\b(?:this|that)(?:'s| is) (?:exactly |just )?what you (?:always )?do\b|"
    r"\byou (?!(?:can|could|may|might|should|would|will|are|were|have to|need to)\b)(?:\w+ )?\w+ "
    r"(?:about|with|over) (?:everything|every little thing)\b|"
    r"\byou (?:turn|blow|make) (?:\w+ ){0,4}?(?:into|out of) (?:a |an )?(?:disaster|drama|crisis|catastrophe|"
    r"big deal|tragedy|federal case)\b|\bblow (?:\w+ ){0,3}?out of (?:all )?proportion\b|"
    # ranking the partner's priorities: "you care more about strangers online than me"
    r"\byou (?:care|think|worry) more about (?:\w+ ){1,5}?than (?:me|us|your (?:own )?(?:family|kids|children))\b|"
    # An absolute that names no "always": "nothing is ever your fault", "nothing's good enough for you"
    r"\b(?:nothing|no one|nobody)(?:'s| is| was) ever (?:your fault|good enough for you|enough for you)\b|"
    r"\bnothing(?:'s| is) (?:ever )?good enough for you\b"
)
_KIND = (
    r"good|great|sweet|sweetheart|kind|lovely|amazing|wonderful|star|angel|gem|darling|treasure|catch|"
    r"big help|help|softie|good sport|nice|brilliant|legend|romantic|sweetie|love|dear|pro|natural"
)
_NAME_CALLING = re.compile(
    rf"\byou(?:'re| are) (?:(?:being|just|really|honestly) )?such an? (?!(?:{_KIND})\b)\w+|"
    rf"\b(?:you(?:'re| are)|your (?:\w+ )?(?:is|are)) (?:(?:so|such|just|really|being|completely|"
    rf"totally|acting|a total|an absolute|honestly|always|too) )*(?:{_INSULTS})\b"
    # "hopeless about it" names a state; "lazy about the bins" still judges character
    r"(?:(?! about)|(?<=lazy)|(?<=careless)|(?<=selfish)|(?<=useless)|(?<=irresponsible)|(?<=rude))|"
    # A judgement of the partner's behaviour; is_criticism requires the turn to address them.
    r"\b(?:that's|that is|that was|this is) (?:so |really |just |incredibly )?(?:disrespectful|rude|"
    r"selfish|childish|immature|inconsiderate|condescending|patroni[sz]ing|dismissive)\b"
)
# A comparison that casts the partner as someone else: "you sound like my mother", "you act like a
# spoiled child" (the insults above that name a kind of person).
_FAMILY = r"(?:my|your) (?:mother|mum|mom|father|dad|ex|sister|brother|boss|grandma|grandmother|nan)"
_COMPARISON = re.compile(
    r"\byou(?:'re| are)? (?:(?:just|so|really|always|being) )*(?:sound(?:ing)?|act(?:ing)?|behav(?:e|ing)|"
    rf"talk(?:ing)?) (?:exactly |just )?like (?:{_FAMILY}|(?:{_INSULTS})\b)"
)
_CONTEMPT = re.compile(
    r"\b(?:(?:that's|that is|this is|it's|you're|you are) (?:so |just |completely |totally )?"
    r"(?:ridiculous|pathetic|absurd|stupid|a joke|nonsense|laughable)|"
    r"what(?:'s| is) wrong with you|are you kidding|are you serious|you've got to be kidding|"
    r"what(?:'s| is) your problem|how (?:hard|difficult) (?:is|can) it be|"
    r"are you (?:seriously|really|honestly) still|"
    # sarcasm at the partner: "that's rich coming from you", "look who's talking", "another one of
    # your little projects"
    r"(?:that's |that is )?rich,? coming from you|look who's talking|another one of your(?: little)? \w+|"
    r"your little (?!(?:one|ones|brother|sister|girl|boy|son|daughter|baby|face|hands?|feet)\b)\w+|"
    r"is your favou?rite (?:word|excuse|line|phrase)|"
    r"when(?:ever)? (?:it's|it is) convenient for you|when(?:ever)? it suits you|"
    r"why do you (?:always )?(?:have|need) to (?:be|act) like (?:that|this)|"
    r"i can't (?:trust|believe) (?:a (?:single )?word|anything) you (?:say|said|tell me))\b"
)
# Scornful replies that only mean contempt when they open the turn ("Whatever. ...").
_RETORT = re.compile(
    r"(?:whatever(?=[.,!?]|$)|typical|here we go|(?:you )?grow up|stop nagging|get over it|give me a break|oh please|"
    r"big deal|who cares|you wish|as if|yeah right|oh my god|of course you did|shut up|"
    r"for (?:god's|heaven's|pete's|goodness'|christ's) sake|for crying out loud|don't start|"
    r"lighten up|get a grip|get over yourself|spare me|give it a rest|calm down|boo hoo|cry me a river|"
    # agreement as sarcasm: "Right, because you notice everything."
    r"(?:right|sure|yeah),? because you(?:'re| are)? (?:\w+ )?(?:everything|always|never|so|such|perfect))\b"
)
# A scornful last word: "Fine. It's done. Happy now?"
_PARTING_SHOT = re.compile(
    r"(?:^|[.!?] )(?:are you )?happy now\W*$|[.!?] happy\?$|"
    # without punctuation (a recogniser's text): "fine it's done happy now", not "i'm happy now"
    r"^(?!.*\b(?:i'm|i am|we're|we are|be|so|really|very|feel|felt) happy now)\w.*\bhappy now$"
)
# Mockery that repeats the partner back in disbelief: "You? You get out of breath on the stairs."
_MOCK_ECHO = re.compile(r"^(?:oh,? )?you\?+ you\b[^?]*$")
# Blame turned back on the partner: "I'm the child? You're the one keeping score." (not "you're the
# one keeping us going", which is praise).
_BLAME_BACK = re.compile(
    r"(?:\b(?:i(?:'m| am) the \w+|me)\?+|^no,?) you(?:'re| are) the one "
    r"(?:who(?:'s| is) |that's )?(?:always |still )?\w+ing\b"
)
# "Back me up, for once." "Could you listen, for once?" (not "the bus was on time for once").
_FOR_ONCE = re.compile(r"\b(?:me|us)(?: up| out| back)?,? for once\b|\byou\b[^.!?]* for once\b")
_OPENER = re.compile(r"^(?:(?:oh|oh come on|come on|no|well|wow|ugh|god|okay|so|and|yeah|honestly),? )*")
# "you", or an order to the partner about the speaker ("don't whatever me").
_ADDRESSED = re.compile(r"\byou(?:r|'re|'ve|'d|'ll)?\b|^don't \w+ me\b")


def is_criticism(utterance: Utterance) -> bool:
    """True when the turn criticises the partner or shows contempt."""
    text = utterance.text
    if (_ABSOLUTE.search(text) or _PARTING_SHOT.search(text) or _MOCK_ECHO.search(text)
            or _COMPARISON.search(text) or _FOR_ONCE.search(text) or _BLAME_BACK.search(text)):
        return True
    named = _NAME_CALLING.search(text)
    if named and (named.group().startswith("you") or _ADDRESSED.search(text)):
        return True
    for sentence in utterance.sentences:
        # Try the retort at the sentence start too: the openers include "oh", which begins
        # "oh please" and would otherwise be stripped before the retort is looked for.
        starts = {0, _OPENER.match(sentence.text).end()}
        if any(_RETORT.match(sentence.text, start) for start in starts):
            return True
    opening = _OPENER.match(text).end()
    contempt = _CONTEMPT.search(text)
    if not contempt:
        return False
    return contempt.start() <= opening or bool(_ADDRESSED.search(text))
