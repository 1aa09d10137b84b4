"""Speech activity: where anyone speaks (Silero VAD) and, with one mic per partner, whose voice it is.

With one microphone per partner each channel carries its own partner loudly and the other partner
quietly (bleed). A partner is speaking where their channel is both speech and clearly louder than
the bleed level, so both partners count as speaking where they talk at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .audio import SAMPLE_RATE
from .spans import mask_to_spans, spans_to_mask
from .types import Span

FRAME = 0.02
"""Length and hop of the frames used for levels, in seconds."""

_SILENCE_DB = -100.0


def speech_spans(signal: np.ndarray, *, min_silence: float = 0.3, pad: float = 0.1) -> list[Span]:
    """Spans of speech in a 16 kHz mono `signal` found by Silero VAD.

    Parameters
    ----------
    min_silence
        Pauses shorter than this many seconds do not split a span.
    pad
        Seconds added on each side of each span.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=int(min_silence * 1000), speech_pad_ms=int(pad * 1000))
    found = get_speech_timestamps(signal, options, sampling_rate=SAMPLE_RATE)
    return [Span(f["start"] / SAMPLE_RATE, f["end"] / SAMPLE_RATE) for f in found]


def frame_levels(samples: np.ndarray) -> np.ndarray:
    """RMS level in dBFS of each `FRAME` of each channel; shape (channels, frames)."""
    hop = int(FRAME * SAMPLE_RATE)
    frames = samples.shape[1] // hop
    blocks = samples[:, : frames * hop].reshape(samples.shape[0], frames, hop)
    power = np.mean(blocks.astype(np.float64) ** 2, axis=2)
    return np.maximum(10 * np.log10(power + 1e-12), _SILENCE_DB)


def channel_separation(levels: np.ndarray, speech: np.ndarray) -> float:
    """How far apart the channels are in speech frames: the 90th percentile of |level difference| (dB).

    Near 0 for one microphone copied to two channels; 10 dB or more for one microphone per partner.
    """
    if levels.shape[0] < 2 or not speech.any():
        return 0.0
    difference = np.abs(levels[0, speech] - levels[1, speech])
    return float(np.percentile(difference, 90))


def own_voice_spans(samples: np.ndarray, speech: Sequence[Span]) -> list[list[Span]]:
    """For a two-channel recording, the spans where each channel's own partner speaks.

    A frame belongs to channel i when it lies in `speech`, channel i is well above its noise floor,
    and the level difference to the other channel is above halfway between the bleed level and
    parity. Both channels can own a frame (overlapping speech).
    """
    levels = frame_levels(samples)
    mask = spans_to_mask(speech, levels.shape[1], FRAME)
    difference = levels[0] - levels[1]
    bleed_into_0 = _typical_dominance(-difference[mask])
    bleed_into_1 = _typical_dominance(difference[mask])
    owners = []
    for channel, other_lead in ((0, difference), (1, -difference)):
        floor = np.percentile(levels[channel], 10)
        bleed = bleed_into_0 if channel == 0 else bleed_into_1
        voiced = mask & (levels[channel] > floor + 12.0) & (other_lead > -bleed / 2)
        owners.append(mask_to_spans(_smooth(voiced), FRAME, min_gap=0.25, min_length=0.1))
    return owners


def _typical_dominance(lead: np.ndarray) -> float:
    """Median lead (dB) of a channel over the other in frames it dominates; 12 dB if none."""
    dominant = lead[lead > 3.0]
    return float(np.median(dominant)) if dominant.size >= 10 else 12.0


def _smooth(mask: np.ndarray, width: int = 5) -> np.ndarray:
    """Majority vote over `width` frames, removing single-frame flicker."""
    if mask.size < width:
        return mask
    counts = np.convolve(mask.astype(int), np.ones(width, dtype=int), mode="same")
    return counts > width // 2
