"""Hand-built analyses for rubric and report tests: turns written as compact rows, labels as tags."""

from __future__ import annotations

from dataclasses import replace

from listening_coach.interaction import find_overlaps, speaker_stats
from listening_coach.types import Analysis, AudioInfo, Backchannel, Labels, Speaker, Turn, Word

NAMES = {"A": "Sam", "B": "Alex"}

TAGS = {
    "open": {"question": "open"}, "closed": {"question": "closed"}, "reflection": {"reflection": True},
    "validation": {"validation": True}, "criticism": {"criticism": True}, "apology": {"apology": True},
    "feeling": {"feeling": True}, "possible reflection": {"possible": ("reflection",)},
}
"""Row tags and the `Labels` fields they set."""


def build(
    rows: list[tuple],
    *,
    backchannels: list[tuple[str, float, float, str]] = (),
    names: dict[str, str] = NAMES,
    duration: float | None = None,
    audio_path: str = "talk.wav",
    mics: str = "per-partner",
) -> Analysis:
    """An Analysis (without scores) from rows `(speaker, start, end, text, *tags)`.

    Words are spread evenly over each turn; `reply_to` is the partner's latest earlier turn and
    interruptions are found by the project's own `find_overlaps`, with the limits of `mics`.
    `backchannels` are rows `(speaker, start, end, text)`. `duration` defaults to the end of the
    last turn (s).
    """
    turns = []
    for index, (speaker, start, end, text, *tags) in enumerate(rows):
        tokens = text.split()
        step = (end - start) / len(tokens)
        words = tuple(Word(tok, round(start + i * step, 3), round(start + (i + 1) * step, 3), 0.9, speaker)
                      for i, tok in enumerate(tokens))
        previous = next((t for t in reversed(turns) if t.speaker != speaker), None)
        labels = Labels(**{k: v for tag in tags for k, v in TAGS[tag].items()})
        turns.append(Turn(index, speaker, start, end, words,
                          reply_to=previous.index if previous else None,
                          latency=round(start - previous.end, 3) if previous else None,
                          labels=labels))
    turns, interruptions, overlaps = find_overlaps(turns, mics)
    heard = {t.speaker for t in turns} | {b[0] for b in backchannels}
    speakers = [Speaker(sid, name) for sid, name in names.items() if sid in heard]
    bcs = [Backchannel(*b) for b in backchannels]
    stats = speaker_stats(speakers, turns, interruptions, bcs)
    end = max([t.end for t in turns] + [b.end for b in bcs], default=0.0)
    return Analysis(
        audio=AudioInfo(audio_path, duration if duration is not None else end, 16000, 2),
        mics=mics, speakers=tuple(speakers), turns=tuple(turns), overlaps=tuple(overlaps),
        interruptions=tuple(interruptions), backchannels=tuple(bcs), stats=tuple(stats), model="test",
    )


def scored(analysis: Analysis) -> Analysis:
    """`analysis` with the rubric's scores filled in, as the pipeline does."""
    from listening_coach.rubric import score_partners

    return replace(analysis, scores=score_partners(analysis))


def sample() -> Analysis:
    """A short, scored conversation with every label, an interruption and backchannels."""
    return scored(build([
        ("A", 0.0, 6.0, "I feel worn out, like I do the dishes every single night and nobody notices", "feeling"),
        ("B", 6.4, 10.0, "So it sounds like you feel invisible when the dishes pile up", "reflection"),
        ("A", 10.5, 14.0, "Yes. Exactly that. And you always say you'll do it later", "criticism"),
        ("B", 13.0, 17.0, "That's not fair, I cooked twice this week, didn't I?", "closed"),
        ("A", 17.5, 20.0, "Sorry, you did. I'm sorry I said always", "apology"),
        ("B", 20.4, 24.0, "That makes sense. What would help you most on busy nights?", "validation", "open"),
        ("A", 24.5, 30.0, "Maybe we take turns and I tell you earlier when I'm tired", ),
    ], backchannels=[("B", 2.0, 2.5, "mm-hmm"), ("A", 8.0, 8.4, "yeah"), ("B", 26.0, 26.4, "")]))


LINES = (
    "I feel like the week got away from us again and I never saw you",
    "So it sounds like you missed having time together",
    "What would make the evenings easier for you?",
    "Maybe if we planned one quiet night and kept it free",
    "You always say that and then something comes up",
    "That makes sense, I understand why that is frustrating",
    "Sorry, I did cancel twice this month",
    "Do you want to pick the night?",
    "I think Thursday works because work is lighter then",
    "I hear that you want it to be something we both protect",
)
"""Sentences a synthetic long talk cycles through (feelings, reflections, questions, criticism...)."""


def long_talk(minutes: float, *, seed: int = 7):
    """A scored Analysis of a synthetic `minutes`-long talk, built through `analyze_transcript`.

    Partners alternate with pauses of 0.3-1.5 s; about one turn in ten starts before the partner
    has finished (an interruption) and about one in four gets a "mm-hmm" from the listener. That
    gives roughly 13 turns a minute, like the sample conversations.
    """
    import random

    from listening_coach.pipeline import analyze_transcript

    from timeline import WORD_TIME, line, transcript

    rng = random.Random(seed)
    lines, speaker, clock = [], "A", 0.0
    while clock < minutes * 60 - 6:
        text = LINES[rng.randrange(len(LINES))]
        words = line(speaker, round(clock, 3), text)
        lines.append(words)
        end = words[-1].end
        listener = "B" if speaker == "A" else "A"
        if rng.random() < 0.25 and end - clock > 2.5:
            lines.append(line(listener, round(clock + 1.2, 3), "mm-hmm", 0.4))
        if rng.random() < 0.1:
            clock = end - 4 * WORD_TIME
        else:
            clock = end + rng.uniform(0.3, 1.5)
        speaker = listener
    heard = transcript(*lines)
    info = AudioInfo("long.wav", round(minutes * 60, 3), 16000, 2)
    return analyze_transcript(heard, info, names=("Sam", "Alex"), model="test")
