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


def caveat(analysis: Analysis) -> str | None:
    """What the reader must know before trusting the figures (one voice, or more than two), else None."""
    if len(analysis.speakers) == 1:
        return ("Only one voice was heard, so there are no listening scores: they need a partner to "
                "listen to. If you were two, sit closer to the microphone or use one each.")
    if (analysis.voices_heard or 0) > 2:
        return (f"{analysis.voices_heard} different voices were heard. listening-coach follows two "
                "partners, so only the two heard most are analysed.")
    return None


def speaker_names(analysis: Analysis) -> dict[str, str]:
    """Display name of each speaker id, in the analysis' speaker order."""
    names = {s.id: s.name for s in analysis.speakers}
    for turn in analysis.turns:
        names.setdefault(turn.speaker, turn.speaker)
    return names


def possible_interruptions(analysis: Analysis) -> dict[int, str]:
    """Turn index -> id of the partner it may have interrupted, for interruptions heard unsure."""
    return {o.turn: analysis.turns[o.other_turn].speaker
            for o in analysis.overlaps if o.kind == "possible-interruption"}


def interruption_summary(analysis: Analysis) -> str:
    """The interruption count: "2 interruptions", or "2 interruptions (+1 possible)" if some were unsure."""
    made = len(analysis.interruptions)
    text = f"{made} interruption{'' if made == 1 else 's'}"
    unsure = len(possible_interruptions(analysis))
    return f"{text} (+{unsure} possible)" if unsure else text


@dataclass(frozen=True)
class Row:
    """One line of the per-turn report: a turn (with the interruption it made, if any) or a backchannel.

    `possibly_cut` is the partner the turn may have interrupted, when the interruption was unsure.
    """

    start: float
    turn: Turn | None = None
    interruption: Interruption | None = None
    backchannel: Backchannel | None = None
    possibly_cut: str | None = None


def rows(analysis: Analysis) -> list[Row]:
    """Turns and backchannels in time order; backchannels that start together with a turn follow it."""
    made = {i.turn: i for i in analysis.interruptions}
    unsure = possible_interruptions(analysis)
    found = [Row(t.start, turn=t, interruption=made.get(t.index), possibly_cut=unsure.get(t.index))
             for t in analysis.turns]
    found += [Row(b.start, backchannel=b) for b in analysis.backchannels]
    return sorted(found, key=lambda r: (r.start, r.turn is None))
