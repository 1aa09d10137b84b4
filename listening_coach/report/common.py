"""What the terminal and HTML reports share: clock times, label tags, names and the time-ordered rows."""

from __future__ import annotations

from dataclasses import dataclass

from ..types import Analysis, Backchannel, Interruption, Labels, Turn


def clock(seconds: float) -> str:
    """Seconds as mm:ss ("01:05"), or h:mm:ss from an hour on."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def label_tags(labels: Labels) -> list[str]:
    """Short tags for what the detectors found in a turn, e.g. ["open question", "feeling"].

    Labels the detectors were unsure of come last, as "possible reflection".
    """
    tags = [f"{labels.question} question"] if labels.question else []
    flags = (("reflection", "reflects"), ("validation", "validates"), ("feeling", "feeling"),
             ("apology", "apology"), ("criticism", "criticism"))
    return (tags + [tag for field, tag in flags if getattr(labels, field)]
            + [f"possible {field}" for field in labels.possible])


DOUBTFUL_TWO_VOICE_SHARE = 0.25
"""Share of the speech heard as two voices above which a shared mic's overlap figures are doubtful.

Partners do not talk over each other that much: the densest synthetic benchmark conversations,
made with many interruptions and backchannels, reach 0.13. Beyond about twice that, the overlap
model is more likely mishearing these voices or this room (measured in docs/interaction.md)."""


def overlap_doubt(analysis: Analysis) -> str | None:
    """A warning for the reader when a shared mic heard implausibly much overlap, else None."""
    share = analysis.two_voice_share
    if share is None or share <= DOUBTFUL_TWO_VOICE_SHARE:
        return None
    return (f"Two voices were heard in {share:.0%} of the speech, far more than partners talk over "
            "each other: these voices or this room mislead the overlap model, so the interruption "
            "and backchannel counts are unreliable. A microphone per partner avoids this.")


def speaker_names(analysis: Analysis) -> dict[str, str]:
    """Display name of each speaker id, in the analysis' speaker order."""
    names = {s.id: s.name for s in analysis.speakers}
    for turn in analysis.turns:
        names.setdefault(turn.speaker, turn.speaker)
    return names


@dataclass(frozen=True)
class Row:
    """One line of the per-turn report: a turn (with the interruption it made, if any) or a backchannel."""

    start: float
    turn: Turn | None = None
    interruption: Interruption | None = None
    backchannel: Backchannel | None = None


def rows(analysis: Analysis) -> list[Row]:
    """Turns and backchannels in time order; backchannels that start together with a turn follow it."""
    made = {i.turn: i for i in analysis.interruptions}
    found = [Row(t.start, turn=t, interruption=made.get(t.index)) for t in analysis.turns]
    found += [Row(b.start, backchannel=b) for b in analysis.backchannels]
    return sorted(found, key=lambda r: (r.start, r.turn is None))
