"""Words to turns and backchannels (definitions in DESIGN.md).

A turn is a maximal run of one partner's words with pauses under `TURN_PAUSE` bridged (unless the
other partner talks through the pause), unless the run is a backchannel: a short listener response
such as "mm-hmm" that leaves the floor with the partner. Backchannels that Whisper did not
transcribe are found from the listener's voice activity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from .types import Backchannel, Span, Transcript, Turn, Word
from .spans import SpanIndex, merge_spans

TURN_PAUSE = 1.0
"""Pauses shorter than this (s) inside one partner's speech do not end the turn."""

TAKEOVER_PAUSE = 0.4
"""Shortest pause (s) in a partner's words in which the other partner can take the floor; a
pause ends the turn when the other's speech covers at least half of it."""

BACKCHANNEL_MAX = 1.2
"""Longest listener response (s) that can still be a backchannel."""

BACKCHANNEL_MAX_WORDS = 3
"""Most words a backchannel can have."""

BACKCHANNEL_MIN_VOICE = 0.2
"""Shortest untranscribed voice activity (s) counted as a backchannel."""

BACKCHANNEL_WORDS = frozenset(
    "mm mmm mhm mm-hmm mmhmm hmm hm uh-huh uhhuh uh huh yeah yep yes yup yeah right okay ok "
    "oh no wow sure i see got it true really ah aha exactly totally gotcha alright all".split()
)
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


def is_backchannel_text(text: str) -> bool:
    """Whether `text` consists only of listener tokens such as "mm-hmm", "yeah" or "oh no"."""
    tokens = _WORD.findall(text.lower())
    return 0 < len(tokens) <= BACKCHANNEL_MAX_WORDS and all(t in BACKCHANNEL_WORDS for t in tokens)


def speech_runs(words: Sequence[Word], pause: float = TURN_PAUSE) -> list[tuple[Word, ...]]:
    """Group one speaker's time-ordered `words` into runs separated by pauses of `pause` s or more."""
    runs: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.start):
        if runs and word.start - runs[-1][-1].end < pause:
            runs[-1].append(word)
        else:
            runs.append([word])
    return [tuple(run) for run in runs]


def build_turns(transcript: Transcript) -> tuple[list[Turn], list[Backchannel]]:
    """Split `transcript` into time-ordered turns (with `reply_to` and `latency`) and backchannels."""
    speakers = sorted({w.speaker for w in transcript.words if w.speaker})
    runs = {s: speech_runs([w for w in transcript.words if w.speaker == s]) for s in speakers}
    turns_runs: list[tuple[str, tuple[Word, ...]]] = []
    backchannels: list[Backchannel] = []
    for speaker in speakers:
        others = [run for s in speakers if s != speaker for run in runs[s]]
        for run in runs[speaker]:
            if _is_backchannel_run(run, others):
                text = " ".join(w.text for w in run)
                backchannels.append(Backchannel(speaker, run[0].start, run[-1].end, text))
            else:
                turns_runs.append((speaker, run))
    partners = {speaker: SpanIndex([Span(run[0].start, run[-1].end)
                                    for who, run in turns_runs if who != speaker])
                for speaker in speakers}
    turns_runs = [(speaker, part) for speaker, run in turns_runs
                  for part in _split_where_partner_spoke(run, partners[speaker])]
    turns_runs.sort(key=lambda item: (item[1][0].start, item[1][-1].end))
    turns = [Turn(i, s, run[0].start, run[-1].end, run) for i, (s, run) in enumerate(turns_runs)]
    if transcript.mics == "shared":
        turns = _over_voice(turns, transcript.activity)
    turns = _link(turns)
    backchannels += _silent_backchannels(transcript, turns)
    backchannels.sort(key=lambda b: b.start)
    return turns, backchannels


def _split_where_partner_spoke(run: tuple[Word, ...], partner: SpanIndex) -> list[tuple[Word, ...]]:
    """`run` cut at each pause that the partner's speech (`partner`: the spans of their runs that
    are not backchannels) fills.

    A pause is bridged only while the floor stays with the speaker: when the partner talks through
    it, the speaker's next words start a new turn, even after less than `TURN_PAUSE` s.
    """
    parts = [[run[0]]]
    for previous, word in zip(run, run[1:]):
        pause = word.start - previous.end  # negative where Whisper's word times overlap
        if pause >= TAKEOVER_PAUSE:
            gap = Span(previous.end, word.start)
            if any(2 * gap.overlap(r) >= pause for r in partner.overlapping(gap.start, gap.end)):
                parts.append([])
        parts[-1].append(word)
    return [tuple(part) for part in parts]


def _is_backchannel_run(run: tuple[Word, ...], others: Sequence[tuple[Word, ...]]) -> bool:
    """Short listener tokens said while the partner holds the floor, not an answer to a question.

    A few words wholly inside the partner's speech count whatever they are: Whisper often hears
    "mm-hmm" as "and then", and such a burst leaves the floor with the partner anyway.
    """
    start, end = run[0].start, run[-1].end
    if end - start > BACKCHANNEL_MAX:
        return False
    if len(run) <= BACKCHANNEL_MAX_WORDS and any(o[0].start < start and end < o[-1].end for o in others):
        return True
    if not is_backchannel_text(" ".join(w.text for w in run)):
        return False
    before = [o for o in others if o[0].start < start]
    if not before:
        return False
    previous = max(before, key=lambda o: o[-1].end)
    if previous[-1].end > start:  # said while the partner was still talking
        return True
    if previous[-1].text.endswith("?"):  # an answer to a question is a turn
        return False
    return any(0 <= o[0].start - end < TURN_PAUSE for o in others)  # partner carries on


def _over_voice(turns: list[Turn], activity) -> list[Turn]:
    """Each turn stretched over its speaker's voice that goes on within `TURN_PAUSE` of its words.

    On one shared microphone Whisper often drops what the partner who is being talked over says
    last, though their voice is heard: a turn is a run of speech, not only of transcribed words.
    A turn never reaches into the speaker's next turn, nor over voice that starts after the
    partner took over from a speaker who had stopped (that is a backchannel, not more of the turn).
    """
    voices = {speaker: SpanIndex(spans) for speaker, spans in activity.items()}
    next_start: dict[str, float] = {}
    stretched = list(turns)
    for i in range(len(turns) - 1, -1, -1):  # latest first, so each speaker's next turn is known
        turn = turns[i]
        limit = next_start.get(turn.speaker, float("inf"))
        partner_next = min((t for s, t in next_start.items() if s != turn.speaker), default=float("inf"))
        next_start[turn.speaker] = turn.start
        end = turn.end
        voice = voices.get(turn.speaker)
        for span in voice.overlapping(turn.start, limit) if voice else ():
            talked_over = end > partner_next  # still speaking when the partner started
            resumes = span.start < end + TURN_PAUSE and (span.start < partner_next or talked_over)
            if resumes and span.end > end:
                end = min(span.end, limit)
        stretched[i] = replace(turn, end=round(end, 3))
    return stretched


def _link(turns: list[Turn]) -> list[Turn]:
    """Set `reply_to` (the partner's latest earlier turn) and `latency` (only at a change of speaker)."""
    linked = []
    for i, turn in enumerate(turns):
        earlier = [t for t in turns[:i] if t.speaker != turn.speaker]
        reply_to = earlier[-1].index if earlier else None
        latency = None
        if i > 0 and turns[i - 1].speaker != turn.speaker:
            latency = round(turn.start - turns[i - 1].end, 3)
        linked.append(replace(turn, reply_to=reply_to, latency=latency))
    return linked


def _silent_backchannels(transcript: Transcript, turns: Sequence[Turn]) -> list[Backchannel]:
    """Short bursts of a listener's voice, with no transcribed word and not part of the listener's
    own turns, inside the partner's speech: their turns and their voice, pauses under `TURN_PAUSE`
    bridged (Whisper may write nothing for a stretch of speech the voices show)."""
    found = []
    for speaker, spans in transcript.activity.items():
        own_words = SpanIndex([w.span for w in transcript.words if w.speaker == speaker]
                              + [Span(t.start, t.end) for t in turns if t.speaker == speaker])
        partner = [*(Span(t.start, t.end) for t in turns if t.speaker != speaker),
                   *(v for other, voice in transcript.activity.items() if other != speaker for v in voice)]
        partner_speech = SpanIndex(merge_spans(partner, TURN_PAUSE))
        for span in spans:
            if not BACKCHANNEL_MIN_VOICE <= span.duration <= BACKCHANNEL_MAX:
                continue
            if own_words.overlapping(span.start, span.end):
                continue
            if any(t.start < span.start and span.end < t.end
                   for t in partner_speech.overlapping(span.start, span.end)):
                found.append(Backchannel(speaker, round(span.start, 3), round(span.end, 3), ""))
    return found
