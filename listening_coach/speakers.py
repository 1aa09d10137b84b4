"""Who said each word: by channel with one microphone per partner, by voice with a shared one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .audio import SAMPLE_RATE, Recording
from .diarize import diarize
from .errors import InputError
from .features import log_mel
from .overlap import absorb_flips, settle_changes, show_overlaps
from .transcribe import ProgressCallback, Region, TranscribeOptions, transcribe
from .two_voices import edge_uncertainty, overlap_spans
from .types import Span, Transcript, Word
from .vad import (
    SpanIndex, channel_separation, frame_levels, merge_spans, own_voice_spans, pad_spans, spans_to_mask,
)

SPEAKER_IDS = ("A", "B")
SEPARATE_MICS_DB = 6.0
"""Channels whose levels differ by more than this (90th percentile, dB) come from separate mics."""

REGION_PAD = 0.25
"""Seconds of context kept around each speech region sent to Whisper."""


def check_mics(recording: Recording, requested: str) -> None:
    """Refuse a set-up the recording cannot have: one microphone per partner needs two channels."""
    channels = recording.info.channels
    if requested == "per-partner" and channels != 2:
        raise InputError(
            f"{recording.info.path}: has {channels} channel; --mics per-partner needs a stereo file "
            "with one partner per channel. Use --mics shared for one microphone."
        )


def choose_mics(recording: Recording, requested: str, speech: Sequence[Span]) -> tuple[str, str]:
    """Resolve `requested` ("auto", "shared" or "per-partner") to a set-up and say why.

    `speech` is where anyone speaks in the recording (s); `check_mics` has accepted `requested`.

    Returns the set-up and a one-line reason for the user.
    """
    channels = recording.info.channels
    if requested == "per-partner":
        return "per-partner", "one microphone per partner (--mics per-partner)"
    if requested == "shared":
        return "shared", "one shared microphone (--mics shared)"
    if channels == 1:
        return "shared", "one channel, so one shared microphone"
    levels = frame_levels(recording.samples)
    separation = channel_separation(levels, spans_to_mask(speech, levels.shape[1]))
    if separation > SEPARATE_MICS_DB:
        return "per-partner", f"two channels {separation:.0f} dB apart, so one microphone per partner"
    return "shared", f"two channels that carry the same sound ({separation:.0f} dB apart), so one shared microphone"


def transcribe_speakers(
    recording: Recording,
    mics: str,
    speech: Sequence[Span],
    *,
    model_spec: str | None = None,
    options: TranscribeOptions = TranscribeOptions(),
    n_speakers: int = 2,
    voices: Mapping[str, np.ndarray] | None = None,
    on_start: Callable[[float], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> Transcript:
    """Transcribe the `speech` spans of `recording` and give every word a speaker id ("A", "B").

    `on_start` is told the total seconds of speech to transcribe, `on_progress` how many are done.
    """
    if mics == "per-partner":
        return _per_partner(recording, speech, model_spec, options, on_start, on_progress)
    return _shared(recording, speech, model_spec, options, n_speakers, voices, on_start, on_progress)


def _per_partner(recording, speech, model_spec, options, on_start, on_progress) -> Transcript:
    duration = recording.info.duration
    owners = own_voice_spans(recording.samples, speech)
    regions = [pad_spans(spans, REGION_PAD, duration) for spans in owners]
    if on_start:
        on_start(sum(s.duration for spans in regions for s in spans))
    to_hear = [Region(recording.samples[channel], span, speaker)
               for channel, speaker in enumerate(SPEAKER_IDS) for span in regions[channel]]
    heard = transcribe(to_hear, model_spec=model_spec, options=options, on_progress=on_progress)
    words: list[Word] = []
    for channel, speaker in enumerate(SPEAKER_IDS):
        voice = SpanIndex(owners[channel])
        words += _onsets_to_voice(_own_words([w for w in heard if w.speaker == speaker], voice), voice)
    words.sort(key=lambda w: (w.start, w.end))
    activity = {speaker: tuple(spans) for speaker, spans in zip(SPEAKER_IDS, owners)}
    return Transcript(words=tuple(words), activity=activity, mics="per-partner")


def _own_words(words: Sequence[Word], voice: SpanIndex, *, tolerance: float = 0.15) -> list[Word]:
    """The `words` that lie (within `tolerance` s) in their channel's own voice, trimmed to it.

    Words outside it are the other partner's bleed; Whisper's word edges drift into silence, so
    each kept word is cut to the voice activity it overlaps.
    """
    kept = []
    for word in words:
        touching = voice.overlapping(word.start - tolerance, word.end + tolerance)
        if touching:
            start = min(max(word.start, touching[0].start), word.end)
            end = max(min(word.end, touching[-1].end), start)
            kept.append(Word(word.text, round(start, 3), round(end, 3), word.probability, word.speaker))
    return kept


def _onsets_to_voice(words: Sequence[Word], voice: SpanIndex, *, reach: float = 0.5) -> list[Word]:
    """Move the first word after each pause back to where the voice started, up to `reach` s.

    Whisper often places a first word's start late; interruption onsets need it where it is.
    """
    moved = []
    for i, word in enumerate(words):
        previous_end = moved[-1].end if moved else 0.0
        onsets = voice.starts_in(max(previous_end, word.start - reach), word.start)
        if i and word.start - previous_end < reach or not onsets:
            moved.append(word)
        else:
            moved.append(Word(word.text, round(onsets[0], 3), word.end, word.probability, word.speaker))
    return moved


def _shared(recording, speech, model_spec, options, n_speakers, voices, on_start, on_progress) -> Transcript:
    signal = recording.mono
    regions = pad_spans(speech, REGION_PAD, recording.info.duration)
    if on_start:
        on_start(sum(s.duration for s in regions))
    heard = transcribe([Region(signal, span) for span in regions], model_spec=model_spec, options=options,
                       on_progress=on_progress)
    mel = log_mel(signal, SAMPLE_RATE)
    overlaps = overlap_spans(mel, speech) if n_speakers == 2 else []
    segments = diarize(signal, SAMPLE_RATE, speech, n_speakers=n_speakers, voices=voices, mel=mel,
                       overlapped=overlaps, bridge=0.0)
    activity = {speaker: tuple(span for span, index in segments if index == i)
                for i, speaker in enumerate(SPEAKER_IDS[:n_speakers])}
    voices_by_speaker = {speaker: SpanIndex(spans) for speaker, spans in activity.items()}
    words = settle_changes([_with_speaker(w, voices_by_speaker) for w in heard], overlaps)
    if n_speakers != 2:
        return Transcript(words=tuple(words), activity=activity, mics="shared")
    words, both = show_overlaps(words, overlaps, edge_uncertainty())
    words = absorb_flips(words, overlaps)
    activity = {s: tuple(merge_spans([*activity[s], *both.get(s, [])])) for s in activity}
    speech_time = sum(s.duration for s in speech)
    share = sum(s.duration for s in overlaps) / speech_time if speech_time else 0.0
    return Transcript(words=tuple(words), activity=activity, mics="shared", two_voice_share=round(share, 3))


def _with_speaker(word: Word, voices: Mapping[str, SpanIndex]) -> Word:
    """`word` with the speaker whose voice overlaps it most (the nearest voice if none does)."""
    overlap = {speaker: sum(word.span.overlap(s) for s in voice.overlapping(word.start, word.end))
               for speaker, voice in voices.items()}
    if max(overlap.values()) > 0:
        best = max(overlap, key=overlap.get)
    else:
        middle = (word.start + word.end) / 2
        distance = {speaker: min((min(abs(s.start - middle), abs(s.end - middle)) for s in voice.spans),
                                 default=float("inf"))
                    for speaker, voice in voices.items()}
        best = min(distance, key=distance.get)
    return Word(word.text, word.start, word.end, word.probability, best)
