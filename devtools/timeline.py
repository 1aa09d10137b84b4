"""Lay speech clips out as a two-person conversation, mix it and write its ground truth.

Shared by the espeak-ng generator (scripts/make_conversations.py) and the real-voice generator
(devtools/realvoice.py): both turn their speech into `Clip`s and give `layout` a function that
returns the clip of a text said by a speaker. Placement rules (all in seconds):

- "gap": starts 0.15-0.8 s after the previous line ends;
- "pause": starts 1.5-3.0 s after the previous line ends;
- "interrupt": starts while the previous speaker still has at least 1 s of speech left; the
  previous line is cut off at a word boundary 0.5-1.2 s later (with a short fade);
- "overlap": a terminal overlap, starting 0.05-0.25 s before the previous line ends;

and a line's backchannels are put inside it, in the listener's voice, away from the listener's
own turns. The truth record follows schema "listening-coach.truth/1" (sample_audio/README.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

SCHEMA = "listening-coach.truth/1"
SAMPLE_RATE = 16000  # Hz, of every file written

LEAD_IN = 0.5  # s of room noise before the first line
TAIL = 0.6  # s of room noise after the last speech
GAP = (0.15, 0.8)  # s, normal gap between lines
PAUSE = (1.5, 3.0)  # s, long pause
OVERLAP = (0.05, 0.25)  # s, how early a terminal overlap starts
CUT_AFTER_ONSET = (0.5, 1.2)  # s from an interrupter's onset to the interrupted speaker's stop
MIN_LEFT_AT_INTERRUPT = 1.0  # s of speech the interrupted line still had left at the onset
BACKCHANNEL_MARGIN = 1.2  # s kept between a backchannel and the listener's own turns
BACKCHANNEL_SPACING = 1.5  # s kept between two backchannels of the same listener
BACKCHANNEL_EDGE = 0.6  # s kept between a backchannel and the start or end of the host line
MIN_PAUSE = 1.5  # s of silence reported as a pause
SAME_SPEAKER_GAP = 1.1  # s at least between two lines of one speaker (turns bridge < 1.0 s)
FADE = 0.02  # s fade-out where a line is cut off
BLEED_DELAY = 0.001  # s, delay of the other voice reaching a mic
PEAK_DBFS = -3.0  # peak level of each written file
NOISE_DBFS = -50.0  # RMS level of the added noise
CLIP_PEAK = 0.5  # peak level each clip is scaled to before mixing
TRIM_DB = -40.0  # dB below the clip peak that counts as silence when trimming

PLACEMENTS = ("gap", "pause", "interrupt", "overlap")
QUESTION_KINDS = ("open", "closed")
FLAGS = ("reflection", "validation", "criticism", "apology", "feeling")

Speak = Callable[[str, str], "Clip"]
"""Gives the clip of a text (a line or a backchannel) said by speaker "A" or "B"."""


@dataclass(frozen=True)
class Line:
    """One line of a dialogue.

    `place` is how it starts relative to the previous line (one of PLACEMENTS). `backchannels`
    are said by the other partner during this line. `min_words` is how many words are always
    spoken if this line is interrupted (its labels hold from there on); None means the line
    cannot be interrupted.
    """

    speaker: str
    text: str
    labels: dict
    place: str = "gap"
    backchannels: tuple[str, ...] = ()
    min_words: int | None = None



@dataclass(frozen=True)
class Clip:
    """Trimmed speech at SAMPLE_RATE with the onset (s) of each word after the first.

    `word_onsets` pairs a character index into the text with the time the word starts.
    """

    audio: np.ndarray
    word_onsets: tuple[tuple[int, float], ...]


@dataclass
class PlacedLine:
    """A line put on the timeline: start sample, audio (possibly cut) and spoken text."""

    line: Line
    clip: Clip
    start: int
    audio: np.ndarray
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.audio)


@dataclass
class Timeline:
    """The result of a layout: placed turns, backchannels and events (samples)."""

    turns: list[PlacedLine] = field(default_factory=list)
    backchannels: list[tuple[str, int, np.ndarray, str]] = field(default_factory=list)
    interruptions: list[tuple[int, str, str]] = field(default_factory=list)
    overlaps: list[tuple[int, str, str]] = field(default_factory=list)


def labels(*tags: str) -> dict:
    """Ground-truth labels from tags: "open" or "closed" and any of FLAGS."""
    unknown = set(tags) - set(QUESTION_KINDS) - set(FLAGS)
    if unknown:
        raise ValueError(f"unknown label tags {sorted(unknown)}")
    questions = [t for t in tags if t in QUESTION_KINDS]
    if len(questions) > 1:
        raise ValueError(f"a line is one kind of question at most, got {questions}")
    out: dict = {"question": questions[0] if questions else None}
    out.update({flag: flag in tags for flag in FLAGS})
    return out




def speech_bounds(x: np.ndarray, threshold: float) -> tuple[int, int]:
    """First and one-past-last sample whose magnitude exceeds `threshold` ((0, 0) if none)."""
    loud = np.flatnonzero(np.abs(x) > threshold)
    if len(loud) == 0:
        return 0, 0
    return int(loud[0]), int(loud[-1]) + 1


def trim_threshold() -> float:
    """Amplitude below which a clip (scaled to CLIP_PEAK) counts as silence."""
    return CLIP_PEAK * 10 ** (TRIM_DB / 20)




def _seconds(rng: np.random.Generator, bounds: tuple[float, float]) -> int:
    """A uniform random duration within `bounds` (s), in samples."""
    return round(rng.uniform(*bounds) * SAMPLE_RATE)


def _cut(placed: PlacedLine, onset: int) -> int | None:
    """Cut `placed` off at a word boundary so that it stops 0.5-1.2 s after `onset` (samples).

    At least the line's `min_words` are kept. Returns the sample where its speech now ends, or
    None when no word boundary fits.
    """
    line, clip = placed.line, placed.clip
    lo, hi = (round(s * SAMPLE_RATE) for s in CUT_AFTER_ONSET)
    for pos, word_onset in clip.word_onsets:
        spoken = line.text[:pos].rstrip(" ,;:-")
        if len(spoken.split()) < line.min_words:
            continue
        cut = round(word_onset * SAMPLE_RATE)
        audio = clip.audio[:cut].copy()
        fade = min(round(FADE * SAMPLE_RATE), len(audio))
        audio[len(audio) - fade:] *= np.linspace(1.0, 0.0, fade)
        _, stop = speech_bounds(audio, trim_threshold())
        end = placed.start + stop
        if onset + lo <= end <= onset + hi:
            placed.audio, placed.text = audio[:stop], spoken
            return end
    return None


def _interrupt(placed: PlacedLine, earliest: int, rng: np.random.Generator) -> int | None:
    """Choose an interruption onset (absolute sample, >= `earliest`) in `placed` and cut it there.

    Onsets are tried from a random point onwards so that they fall at varied places. Returns
    None when the line cannot be interrupted.
    """
    if placed.line.min_words is None:
        return None
    step = round(0.05 * SAMPLE_RATE)
    first = max(earliest, placed.start + round(0.8 * SAMPLE_RATE))
    latest = placed.end - round(MIN_LEFT_AT_INTERRUPT * SAMPLE_RATE)
    onsets = np.arange(first, latest + 1, step)
    for onset in np.roll(onsets, -int(rng.integers(max(len(onsets), 1)))):
        if _cut(placed, int(onset)) is not None:
            return int(onset)
    return None


def _free_ranges(lo: int, hi: int, busy: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Parts of [lo, hi) not covered by the `busy` intervals (all in samples)."""
    free, cursor = [], lo
    for start, end in sorted(busy):
        if start > cursor:
            free.append((cursor, min(start, hi)))
        cursor = max(cursor, end)
    if cursor < hi:
        free.append((cursor, hi))
    return [(a, b) for a, b in free if b > a]


def _place_backchannels(timeline: Timeline, speak: Speak, rng: np.random.Generator) -> None:
    """Put each line's backchannels inside it, away from the listener's own speech.

    A backchannel that does not fit is left out (the truth only lists what is in the audio).
    """
    margin = round(BACKCHANNEL_MARGIN * SAMPLE_RATE)
    spacing = round(BACKCHANNEL_SPACING * SAMPLE_RATE)
    edge = round(BACKCHANNEL_EDGE * SAMPLE_RATE)
    for host in timeline.turns:
        listener = "B" if host.line.speaker == "A" else "A"
        for text in host.line.backchannels:
            clip = speak(text, listener)
            busy = [(t.start - margin, t.end + margin)
                    for t in timeline.turns if t.line.speaker == listener]
            busy += [(start - spacing, start + len(audio) + spacing)
                     for who, start, audio, _ in timeline.backchannels if who == listener]
            starts = [(a, b - len(clip.audio))
                      for a, b in _free_ranges(host.start + edge, host.end - edge, busy)
                      if b - a >= len(clip.audio)]
            if not starts:
                continue
            a, b = starts[rng.integers(len(starts))]
            start = int(rng.integers(a, b + 1))
            timeline.backchannels.append((listener, start, clip.audio, text))
    timeline.backchannels.sort(key=lambda bc: bc[1])


def layout(lines: Sequence[Line], seed: int, speak: Speak, name: str = "conversation") -> Timeline:
    """Place `lines` on a timeline, applying each one's placement rule; `seed` fixes the timing.

    `speak(text, speaker)` gives the clip of a line's text or of a backchannel in that voice.

    A line starts at least SAME_SPEAKER_GAP after its speaker's previous line, so that the two
    stay separate turns. An "interrupt" or "overlap" that cannot be fitted falls back to a gap.
    """
    rng = np.random.default_rng(seed)
    timeline = Timeline()
    same_gap = round(SAME_SPEAKER_GAP * SAMPLE_RATE)
    for i, line in enumerate(lines):
        clip = speak(line.text, line.speaker)
        if i == 0:
            start = round(LEAD_IN * SAMPLE_RATE)
        else:
            prev = timeline.turns[-1]
            if line.speaker == prev.line.speaker:
                raise ValueError(f"{name}: line {i} has the same speaker as the line before")
            own = [t.end for t in timeline.turns if t.line.speaker == line.speaker]
            earliest = own[-1] + same_gap if own else 0
            onset = _interrupt(prev, earliest, rng) if line.place == "interrupt" else None
            overlap = prev.end - _seconds(rng, OVERLAP) if line.place == "overlap" else None
            if onset is not None:
                start = onset
                timeline.interruptions.append((start, line.speaker, prev.line.speaker))
            elif overlap is not None and overlap >= earliest:
                start = overlap
                timeline.overlaps.append((start, line.speaker, prev.line.speaker))
            elif line.place == "pause":
                start = max(earliest, prev.end + _seconds(rng, PAUSE))
            else:
                start = max(earliest, prev.end + _seconds(rng, GAP))
        timeline.turns.append(PlacedLine(line, clip, start, clip.audio, line.text))
    _place_backchannels(timeline, speak, rng)
    return timeline


def track(timeline: Timeline, speaker: str, n: int) -> np.ndarray:
    """One partner's clean voice over the whole conversation (n samples)."""
    out = np.zeros(n)
    pieces = [(t.start, t.audio) for t in timeline.turns if t.line.speaker == speaker]
    pieces += [(start, audio) for who, start, audio, _ in timeline.backchannels if who == speaker]
    for start, audio in pieces:
        out[start:start + len(audio)] += audio
    return out


def to_pcm16(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scale to PEAK_DBFS, add NOISE_DBFS white noise and quantise; x is (samples, channels)."""
    x = x * (10 ** (PEAK_DBFS / 20) / np.max(np.abs(x)))
    x = x + rng.normal(0.0, 10 ** (NOISE_DBFS / 20), size=x.shape)
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


def mix(timeline: Timeline, bleed: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The stereo (samples, 2) and mono (samples, 1) int16 mixes of a laid-out conversation."""
    speech_end = max([t.end for t in timeline.turns]
                     + [start + len(audio) for _, start, audio, _ in timeline.backchannels])
    n = speech_end + round(TAIL * SAMPLE_RATE)
    voice_a, voice_b = track(timeline, "A", n), track(timeline, "B", n)
    delay = round(BLEED_DELAY * SAMPLE_RATE)
    late_a = np.concatenate([np.zeros(delay), voice_a[:-delay]])
    late_b = np.concatenate([np.zeros(delay), voice_b[:-delay]])
    stereo = np.stack([voice_a + bleed * late_b, voice_b + bleed * late_a], axis=1)
    rng = np.random.default_rng([seed, 1])
    return to_pcm16(stereo, rng), to_pcm16((voice_a + voice_b)[:, None], rng)


def seconds(samples: int) -> float:
    """Samples to seconds, rounded to 1 ms."""
    return round(samples / SAMPLE_RATE, 3)


def truth(name: str, timeline: Timeline, n_samples: int, speakers: list[dict], mixing: dict) -> dict:
    """The ground-truth record (schema SCHEMA) of a laid-out conversation.

    `speakers` are the records of partners "A" and "B" (each with "id"), `mixing` says how the
    files were mixed; the files are NAME.stereo.flac and NAME.mono.flac.
    """
    speech = sorted([(t.start, t.end) for t in timeline.turns]
                    + [(start, start + len(audio)) for _, start, audio, _ in timeline.backchannels])
    pauses, covered = [], speech[0][1]
    for start, end in speech[1:]:
        if start - covered >= MIN_PAUSE * SAMPLE_RATE:
            pauses.append({"start": seconds(covered), "end": seconds(start)})
        covered = max(covered, end)
    return {
        "schema": SCHEMA,
        "id": name,
        "duration": seconds(n_samples),
        "sample_rate": SAMPLE_RATE,
        "files": {"stereo": f"{name}.stereo.flac", "mono": f"{name}.mono.flac"},
        "speakers": speakers,
        "mix": mixing,
        "turns": [
            {"speaker": t.line.speaker, "start": seconds(t.start), "end": seconds(t.end), "text": t.text,
             "labels": t.line.labels}
            for t in timeline.turns
        ],
        "interruptions": [{"time": seconds(time), "interrupter": who, "interrupted": other}
                          for time, who, other in timeline.interruptions],
        "terminal_overlaps": [{"time": seconds(time), "speaker": who, "other": other}
                              for time, who, other in timeline.overlaps],
        "backchannels": [{"speaker": who, "start": seconds(start), "end": seconds(start + len(audio)),
                          "text": text}
                         for who, start, audio, text in timeline.backchannels],
        "pauses": pauses,
    }
