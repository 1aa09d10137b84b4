"""One microphone per partner: each channel's own voice decides whose words it carries."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..spans import SpanIndex, pad_spans
from ..transcribe import Region, transcribe
from ..types import AudioInfo, Span, Transcript, Word
from ..vad import own_voice_spans, widened_voices
from .speakers import REGION_PAD, SPEAKER_IDS
from .words import onsets_to_voice, own_words


def attribute_per_partner(info: AudioInfo, speech: Sequence[Span], levels: np.ndarray, channels: Sequence,
                          model_spec, options, progress) -> Transcript:
    """Transcribe each channel where its own partner speaks; words keep their channel's speaker.

    `levels` are the channels' `frame_levels`; `channels` the two 16 kHz signals, arrays or
    `ChannelReader`s (read in time order, each channel once). Where both partners talk at once
    both channels are transcribed, so overlaps keep both voices.
    """
    duration = info.duration
    owners = own_voice_spans(levels, speech)
    regions = [pad_spans(spans, REGION_PAD, duration) for spans in owners]
    progress.transcribing(sum(s.duration for spans in regions for s in spans))
    to_hear = [Region(channels[channel], span, speaker)
               for channel, speaker in enumerate(SPEAKER_IDS) for span in regions[channel]]
    heard = transcribe(to_hear, model_spec=model_spec, options=options, on_progress=progress.advance)
    words: list[Word] = []
    for channel, speaker in enumerate(SPEAKER_IDS):
        voice = SpanIndex(owners[channel])
        words += onsets_to_voice(own_words([w for w in heard if w.speaker == speaker], voice), voice)
    words.sort(key=lambda w: (w.start, w.end))
    activity = {speaker: tuple(spans) for speaker, spans in zip(SPEAKER_IDS, widened_voices(owners, duration))}
    return Transcript(words=tuple(words), activity=activity, mics="per-partner")
