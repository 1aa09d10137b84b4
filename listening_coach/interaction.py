"""Interruptions, overlaps and each partner's turn-taking figures (definitions in DESIGN.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from .turns import TURN_PAUSE
from .types import Backchannel, Interruption, Overlap, Span, Speaker, SpeakerStats, Turn
from .spans import merge_spans

TERMINAL_OVERLAP = 0.3
"""A turn that starts less than this (s) before the partner's speech ends overlaps it terminally."""

SHARED_MIC_TERMINAL_OVERLAP = 0.4
"""The same on one shared microphone, where the end of a voice is heard up to a few tenths of a
second late (the room's echo, the segmentation model's smoothing), so that the terminal overlaps
of the tune conversations measure 0.34-0.56 s (docs/diarization.md, "Ninth session")."""

SHARED_MIC_SURE_OVERLAP = 0.6
"""On one shared microphone an interruption heard with less overlap than this (s) is only a
possible one: the partner's voice is heard to end late, so terminal overlaps measure up to about
0.6 s. On the tune conversations 7 of 19 interruptions heard under 0.6 s were real, 28 of 36 above
(docs/diarization.md, "Eleventh session")."""

CUT_OFF_WORDS = 8
"""How many of the interrupted partner's last words are kept as what they were saying."""


def find_overlaps(
    turns: Sequence[Turn], mics: str = "per-partner"
) -> tuple[list[Turn], list[Interruption], list[Overlap]]:
    """Classify every turn that starts while the partner is still talking.

    Returns the turns with `interruption` set, the interruptions and all overlaps.
    An interruption starts at least `TERMINAL_OVERLAP` s (`SHARED_MIC_TERMINAL_OVERLAP` when
    `mics` is "shared") before the partner's speech ends and is still going when the partner
    stops (it takes the floor). On a shared mic one during which both talk for less than
    `SHARED_MIC_SURE_OVERLAP` s is an overlap of kind "possible-interruption" only: no turn is
    marked and it is not among the interruptions, so that no count or score rests on it.
    """
    shared = mics == "shared"
    terminal = SHARED_MIC_TERMINAL_OVERLAP if shared else TERMINAL_OVERLAP
    sure = SHARED_MIC_SURE_OVERLAP if shared else 0.0
    marked = list(turns)
    interruptions: list[Interruption] = []
    overlaps: list[Overlap] = []
    for turn in turns:
        if turn.reply_to is None:
            continue
        partner = turns[turn.reply_to]
        if not partner.start < turn.start < partner.end:
            continue
        end = min(partner.end, turn.end)
        remaining = partner.end - turn.start
        if remaining < terminal:
            kind = "terminal"
        elif turn.end > partner.end:
            kind = "interruption" if end - turn.start >= sure else "possible-interruption"
        else:
            kind = "no-takeover"
        overlaps.append(Overlap(turn.start, end, turn.index, partner.index, kind))
        if kind == "interruption":
            marked[turn.index] = replace(turn, interruption=True)
            said = [w.text for w in partner.words if w.start < turn.end]
            interruptions.append(Interruption(
                time=turn.start, interrupter=turn.speaker, interrupted=partner.speaker,
                turn=turn.index, cut_turn=partner.index, overlap=round(end - turn.start, 3),
                cut_off_text=" ".join(said[-CUT_OFF_WORDS:]), took_floor=True,
            ))
    return marked, interruptions, overlaps


def speaker_stats(
    speakers: Sequence[Speaker],
    turns: Sequence[Turn],
    interruptions: Sequence[Interruption],
    backchannels: Sequence[Backchannel],
    activity: Mapping[str, Sequence[Span]] | None = None,
) -> list[SpeakerStats]:
    """Each partner's talk time and share, turn figures, latency and label counts.

    Talk time (s) is the time covered by the partner's voice activity, turns and backchannels, with
    pauses under `TURN_PAUSE` bridged as in a turn: voice activity counts speech that the recogniser
    skipped. Words per minute use turn time only.
    """
    activity = activity or {}
    talk = {}
    for s in speakers:
        spoken = [*activity.get(s.id, ()), *(Span(t.start, t.end) for t in turns if t.speaker == s.id),
                  *(Span(b.start, b.end) for b in backchannels if b.speaker == s.id)]
        talk[s.id] = sum(span.duration for span in merge_spans(spoken, TURN_PAUSE))
    total = sum(talk.values())
    stats = []
    for speaker in speakers:
        own = [t for t in turns if t.speaker == speaker.id]
        turn_time = sum(t.duration for t in own)
        words = sum(len(t.words) for t in own)
        latencies = [t.latency for t in own if t.latency is not None]
        stats.append(SpeakerStats(
            id=speaker.id,
            name=speaker.name,
            talk_time=round(talk[speaker.id], 2),
            talk_share=round(talk[speaker.id] / total, 3) if total else 0.0,
            turns=len(own),
            words=words,
            words_per_minute=round(60 * words / turn_time, 1) if turn_time else 0.0,
            interruptions_made=sum(i.interrupter == speaker.id for i in interruptions),
            times_interrupted=sum(i.interrupted == speaker.id for i in interruptions),
            backchannels=sum(b.speaker == speaker.id for b in backchannels),
            open_questions=sum(t.labels.question == "open" for t in own),
            closed_questions=sum(t.labels.question == "closed" for t in own),
            reflections=sum(t.labels.reflection for t in own),
            validations=sum(t.labels.validation for t in own),
            criticisms=sum(t.labels.criticism for t in own),
            apologies=sum(t.labels.apology for t in own),
            feelings=sum(t.labels.feeling for t in own),
            mean_turn=round(turn_time / len(own), 2) if own else 0.0,
            longest_turn=round(max((t.duration for t in own), default=0.0), 2),
            median_latency=_percentile(latencies, 50),
            latency_p25=_percentile(latencies, 25),
            latency_p75=_percentile(latencies, 75),
        ))
    return stats


def _percentile(values: Sequence[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def pauses(turns: Sequence[Turn], minimum: float = 1.5) -> list[Span]:
    """Silences of at least `minimum` s between the end of all speech so far and the next turn."""
    found = []
    spoken_until = None
    for turn in sorted(turns, key=lambda t: t.start):
        if spoken_until is not None and turn.start - spoken_until >= minimum:
            found.append(Span(round(spoken_until, 3), round(turn.start, 3)))
        spoken_until = turn.end if spoken_until is None else max(spoken_until, turn.end)
    return found
