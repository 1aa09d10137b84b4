"""Who said each word: by channel with one microphone per partner, by voice with a shared one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..audio import Recording
from ..errors import InputError
from ..spans import spans_to_mask
from ..transcribe import TranscribeOptions
from ..types import Span, Transcript
from ..vad import FRAME, channel_separation, frame_levels
from .per_partner import attribute_per_partner
from .shared import attribute_shared

if TYPE_CHECKING:
    from ..pipeline import Progress

SEPARATE_MICS_DB = 6.0
"""Channels whose levels differ by more than this (90th percentile, dB) come from separate mics."""


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
    separation = channel_separation(levels, spans_to_mask(speech, levels.shape[1], FRAME))
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
    n_speakers: int | None = None,
    voices: Mapping[str, np.ndarray] | None = None,
    progress: Progress,
) -> Transcript:
    """Transcribe the `speech` spans of `recording` and give every word a speaker id ("A", "B").

    `n_speakers` (shared mic only) is 1, 2 or None to decide from the voices heard. `progress`
    hears of the transcription and, with a shared mic, of finding the speakers.
    """
    if mics == "per-partner":
        return attribute_per_partner(recording, speech, model_spec, options, progress)
    return attribute_shared(recording, speech, model_spec=model_spec, options=options,
                            n_speakers=n_speakers, voices=voices, progress=progress)
