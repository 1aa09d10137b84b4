"""Who said each word: by channel with one microphone per partner, by voice with a shared one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..audio import AudioFile, ChannelReader, Recording
from ..errors import InputError
from ..spans import spans_to_mask
from ..transcribe import TranscribeOptions
from ..types import AudioInfo, Span, Transcript
from ..vad import FRAME, Scan, channel_separation, read_mono
from .per_partner import attribute_per_partner
from .shared import attribute_shared

if TYPE_CHECKING:
    from ..pipeline import Progress

SEPARATE_MICS_DB = 6.0
"""Channels whose levels differ by more than this (90th percentile, dB) come from separate mics."""


def check_mics(info: AudioInfo, requested: str) -> None:
    """Refuse a set-up the recording cannot have: one microphone per partner needs two channels."""
    channels = info.channels
    if requested == "per-partner" and channels != 2:
        raise InputError(
            f"{info.path}: has {channels} channel; --mics per-partner needs a stereo file "
            "with one partner per channel. Use --mics shared for one microphone."
        )


def choose_mics(scan: Scan, requested: str) -> tuple[str, str]:
    """Resolve `requested` ("auto", "shared" or "per-partner") to a set-up and say why.

    `scan` tells where anyone speaks and the channels' levels; `check_mics` has accepted `requested`.

    Returns the set-up and a one-line reason for the user.
    """
    channels = scan.info.channels
    if requested == "per-partner":
        return "per-partner", "one microphone per partner (--mics per-partner)"
    if requested == "shared":
        return "shared", "one shared microphone (--mics shared)"
    if channels == 1:
        return "shared", "one channel, so one shared microphone"
    levels = scan.levels
    separation = channel_separation(levels, spans_to_mask(scan.speech, levels.shape[1], FRAME))
    if separation > SEPARATE_MICS_DB:
        return "per-partner", f"two channels {separation:.0f} dB apart, so one microphone per partner"
    return "shared", f"two channels that carry the same sound ({separation:.0f} dB apart), so one shared microphone"


def transcribe_speakers(
    audio: AudioFile,
    scan: Scan,
    mics: str,
    *,
    model_spec: str | None = None,
    options: TranscribeOptions = TranscribeOptions(),
    n_speakers: int | None = None,
    voices: Mapping[str, np.ndarray] | None = None,
    progress: Progress,
) -> Transcript:
    """Transcribe the speech of `audio` (found by `scan`) and give every word a speaker id ("A", "B").

    With one microphone per partner each channel is read again, block by block, where its partner
    speaks; a shared microphone needs its whole mix in memory (3.84 MB a minute), kept by `scan`
    or read now. `n_speakers` (shared mic only) is 1, 2 or None to decide from the voices heard.
    `progress` hears of the transcription and, with a shared mic, of finding the speakers.
    """
    if mics == "per-partner":
        channels = [ChannelReader(audio, channel) for channel in range(2)]
        return attribute_per_partner(scan.info, scan.speech, scan.levels, channels, model_spec, options, progress)
    mono = scan.mono
    if mono is None:
        progress.stage("Reading the audio", scan.info.duration)
        mono = read_mono(audio, progress.advance)
    return attribute_shared(Recording(samples=mono[None], info=scan.info), scan.speech, model_spec=model_spec,
                            options=options, n_speakers=n_speakers, voices=voices, progress=progress)
