"""The typed values that pass between pipeline stages.

All times are seconds from the start of the recording, as floats. Speakers are identified by short
ids ("A", "B"); display names live in `Speaker.name`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A time interval [start, end) in seconds."""

    start: float
    end: float

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"span ends ({self.end}) before it starts ({self.start})")

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.end - self.start

    def overlap(self, other: Span) -> float:
        """Seconds shared with `other` (0 when they do not meet)."""
        return max(0.0, min(self.end, other.end) - max(self.start, other.start))


@dataclass(frozen=True)
class Word:
    """One transcribed word with its timing, recogniser confidence (0-1) and speaker id."""

    text: str
    start: float
    end: float
    probability: float = 1.0
    speaker: str | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass(frozen=True)
class Labels:
    """What the language detectors found in one turn.

    `question` is "open", "closed" or None. The booleans say whether the turn reflects the
    partner's previous turn, validates them, criticises them, apologises or states a feeling, and
    are True only when the detectors are confident. `possible` names the labels whose cues were
    found but are too weak to be sure of (e.g. ("reflection",)); those booleans stay False, so
    counts and scores never rest on them, and reports show them as "possible reflection".
    """

    question: str | None = None
    reflection: bool = False
    validation: bool = False
    criticism: bool = False
    apology: bool = False
    feeling: bool = False
    possible: tuple[str, ...] = ()


@dataclass(frozen=True)
class Turn:
    """A maximal run of one partner's speech (pauses under 1 s bridged) that is not a backchannel.

    `reply_to` is the index of the partner's turn this one answers (None for the first),
    `latency` the seconds from the end of that turn to the start of this one (negative when they
    overlap), `interruption` whether this turn interrupted the partner.
    """

    index: int
    speaker: str
    start: float
    end: float
    words: tuple[Word, ...]
    reply_to: int | None = None
    latency: float | None = None
    interruption: bool = False
    labels: Labels = field(default_factory=Labels)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Backchannel:
    """A short listener response ("mm-hmm", "right") that did not take the floor.

    `text` is empty when the response was heard by voice activity but not transcribed.
    """

    speaker: str
    start: float
    end: float
    text: str = ""


@dataclass(frozen=True)
class Interruption:
    """The `interrupter` started turn `turn` while `interrupted` was still speaking turn `cut_turn`.

    `time` is the interrupter's onset, `overlap` how long both talked (s), `cut_off_text` what the
    interrupted partner was saying around the onset, `took_floor` whether the interrupter was still
    speaking when the interrupted partner stopped.
    """

    time: float
    interrupter: str
    interrupted: str
    turn: int
    cut_turn: int
    overlap: float
    cut_off_text: str
    took_floor: bool = True


@dataclass(frozen=True)
class Overlap:
    """Turn `turn` started while the partner's turn `other_turn` was still going, from `start` to `end` (s).

    `kind` is "interruption" (it took the floor), "possible-interruption" (the same heard with too
    little overlap to be sure, shared mic only), "terminal" (it started in the partner's last
    0.3 s) or "no-takeover" (the partner kept talking and this turn ended first).
    """

    start: float
    end: float
    turn: int
    other_turn: int
    kind: str


@dataclass(frozen=True)
class Speaker:
    """A partner: id used throughout the analysis and the display name."""

    id: str
    name: str


@dataclass(frozen=True)
class AudioInfo:
    """Where the audio came from and its shape as read from disk."""

    path: str
    duration: float
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class Transcript:
    """Every word with its speaker, plus each speaker's voice activity and the mic set-up used.

    `activity` maps speaker id to the spans where that speaker's voice was detected; it lets the
    interaction analysis find backchannels that the recogniser dropped. `two_voice_share` is, with a
    shared mic and two partners, the share (0-1) of the speech where two voices were heard at once;
    `voices_heard`, with a shared mic, how many distinct voices were heard (it may exceed two).
    """

    words: tuple[Word, ...]
    activity: dict[str, tuple[Span, ...]]
    mics: str
    two_voice_share: float | None = None
    voices_heard: int | None = None


@dataclass(frozen=True)
class SpeakerStats:
    """One partner's figures over the whole conversation (times in seconds)."""

    id: str
    name: str
    talk_time: float
    talk_share: float
    turns: int
    words: int
    words_per_minute: float
    interruptions_made: int
    times_interrupted: int
    backchannels: int
    open_questions: int
    closed_questions: int
    reflections: int
    validations: int
    criticisms: int
    apologies: int
    feelings: int
    mean_turn: float
    longest_turn: float
    median_latency: float | None
    latency_p25: float | None
    latency_p75: float | None


@dataclass(frozen=True)
class TechniqueScore:
    """A 0-100 score for one technique of the guide, the turn indices behind it and why."""

    score: int
    evidence: tuple[int, ...]
    explanation: str


@dataclass(frozen=True)
class PartnerScore:
    """A partner's overall score, per-technique scores, strongest technique and one tip."""

    overall: int
    techniques: dict[str, TechniqueScore]
    strength: str
    tip: str


@dataclass(frozen=True)
class Analysis:
    """Everything the tool found in one conversation; what reports and history are made from.

    `two_voice_share` is, with a shared mic, the share (0-1) of the speech heard as two voices;
    `voices_heard`, with a shared mic, how many distinct voices were heard; `voice` each speaker's
    voice activity (s), overlapping where both talk.
    """

    audio: AudioInfo
    mics: str
    speakers: tuple[Speaker, ...]
    turns: tuple[Turn, ...]
    interruptions: tuple[Interruption, ...]
    backchannels: tuple[Backchannel, ...]
    stats: tuple[SpeakerStats, ...]
    overlaps: tuple[Overlap, ...] = ()
    pauses: tuple[Span, ...] = ()
    scores: dict[str, PartnerScore] = field(default_factory=dict)
    model: str = ""
    two_voice_share: float | None = None
    voices_heard: int | None = None
    voice: dict[str, tuple[Span, ...]] = field(default_factory=dict)
