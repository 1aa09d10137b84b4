"""Text normalisation shared by the detectors.

Speech-recognition text is often lower case, lacks punctuation and carries fillers ("um",
"you know"). `parse` turns a turn into lower-case, filler-free sentences and tokens so the rules in
the detector modules can match on words instead of on punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": ", "})

# Fillers removed everywhere; "you know" and "like" only where they cannot be part of the sentence.
_FILLERS = re.compile(r"\b(?:u+m+|u+h+m*|e+r+m*|h+m+|m+-?hm+|mm+|ah+)\b[,.]?")
_YOU_KNOW = re.compile(
    r"(?<!\bdo )(?<!\bdid )(?<!\bdon't )(?<!\bdidn't )(?<!\bif )(?<!\bwould )(?<!\bwhat )"
    r"(?<!\bhow )(?<!\bi )(?<!\bthat )\byou know\b(?! (?:what|how|why|when|where|who|that|if|about)\b)[,.]?"
)
_LIKE = re.compile(r"(?:^|(?<=[,.!?;] ))like,? |,? like,(?= )")
_I_MEAN = re.compile(r"(?:^|(?<=[,.!?;] ))i mean,? ")
_REPEAT = re.compile(r"\b(\w+)( \1\b)+")  # stutters: "i i think"
_SPACES = re.compile(r"\s+")
_SENTENCE = re.compile(r"[^.!?;]+[.!?;]*")
_CLAUSE = re.compile(r",|\s-+\s|-{2,}")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Words that open a clause without carrying its meaning ("so", "okay", "and").
LEADERS = frozenset(
    "so and but okay ok alright well now then oh yeah yes no right hey just also or because "
    "cause sure great good fine wow anyway".split()
)


def strip_leaders(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """`tokens` without leading discourse markers, keeping at least one token."""
    i = 0
    while i < len(tokens) - 1 and tokens[i] in LEADERS:
        i += 1
    return tokens[i:]


@dataclass(frozen=True)
class Sentence:
    """One sentence: its lower-case text, its tokens, and whether it ended with '?'."""

    text: str
    tokens: tuple[str, ...]
    asked: bool

    @property
    def core(self) -> tuple[str, ...]:
        """Tokens after leading discourse markers ("so", "okay", "and" ...)."""
        return strip_leaders(self.tokens)

    @property
    def clauses(self) -> tuple[tuple[str, ...], ...]:
        """Tokens of each comma- or dash-separated clause, leading discourse markers removed."""
        parts = (strip_leaders(tuple(_TOKEN.findall(p))) for p in _CLAUSE.split(self.text))
        return tuple(p for p in parts if p)


@dataclass(frozen=True)
class Utterance:
    """A normalised turn: the cleaned lower-case text, its sentences and all tokens."""

    text: str
    sentences: tuple[Sentence, ...]
    tokens: tuple[str, ...]


def normalise(text: str) -> str:
    """Lower-case `text`, unify quotes and strip fillers, stutters and extra spaces."""
    text = text.translate(_QUOTES).lower()
    text = _FILLERS.sub(" ", text)
    text = _YOU_KNOW.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _LIKE.sub("", text)
    text = _I_MEAN.sub("", text)
    text = _REPEAT.sub(r"\1", text)
    text = re.sub(r"\s+([,.!?;])", r"\1", text)
    text = re.sub(r"^[,.;\s]+", "", text)
    return _SPACES.sub(" ", text).strip()


def parse(text: str | None) -> Utterance:
    """Normalise `text` (None counts as empty) and split it into sentences and tokens."""
    clean = normalise(text or "")
    sentences = []
    for match in _SENTENCE.finditer(clean):
        chunk = match.group().strip(" ,")
        tokens = tuple(_TOKEN.findall(chunk))
        if tokens:
            sentences.append(Sentence(chunk, tokens, chunk.rstrip().endswith("?")))
    tokens = tuple(t for s in sentences for t in s.tokens)
    return Utterance(clean, tuple(sentences), tokens)
