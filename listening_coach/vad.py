"""Speech activity: where anyone speaks (Silero VAD) and, with one mic per partner, whose voice it is.

With one microphone per partner each channel carries its own partner loudly and the other partner
quietly (bleed). A partner is speaking where their channel is both speech and clearly louder than
the bleed level, so both partners count as speaking where they talk at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .audio import SAMPLE_RATE, AudioFile, SignalBuffer
from .spans import mask_to_spans, merge_spans, pad_spans, spans_to_mask, subtract_spans
from .types import AudioInfo, Span

FRAME = 0.02
"""Length and hop of the frames used for levels, in seconds."""

_SILENCE_DB = -100.0

ABOVE_FLOOR_DB = 12.0
"""How far (dB) above its channel's noise floor a frame must be to be that partner's voice."""

VOICE_RANGE_DB = 50.0
"""A frame this far (dB) below its channel's loud speech (95th percentile) is never voice: a phone
line or a gated microphone keeps its pauses at digital silence, far under any noise floor, so
the 10th percentile is no floor there."""

EDGE_PAD = 0.2
"""Seconds a partner's voice is widened by on both sides for who spoke when and talk time: the
level test misses the soft start and fading end of a phrase (on the tune conversations the found
edges lay 0.2-0.3 s inside the spoken ones; docs/interaction.md). Words keep the narrow voice."""


WINDOW = 512
"""Samples per Silero VAD window (32 ms); each is scored with the `CONTEXT` samples before it."""

CONTEXT = 64

BATCH_WINDOWS = 10000
"""Windows scored per model call, carrying the model's state from call to call; the same batches
as faster-whisper's `SileroVADModel`, so the probabilities are the same bit for bit."""


def speech_spans(signal: np.ndarray, *, min_silence: float = 0.3, pad: float = 0.1) -> list[Span]:
    """Spans of speech in a 16 kHz mono `signal` found by Silero VAD.

    The same spans as faster-whisper's `get_speech_timestamps` (see `SpeechFinder`).

    Parameters
    ----------
    min_silence
        Pauses shorter than this many seconds do not split a span.
    pad
        Seconds added on each side of each span.
    """
    finder = SpeechFinder(min_silence=min_silence, pad=pad)
    finder.feed(signal)
    return finder.spans()


class SpeechFinder:
    """Silero VAD over a 16 kHz mono signal given block by block (`feed`), in bounded memory.

    `spans` gives what faster-whisper's `get_speech_timestamps` gives on the whole signal: the
    signal is scored in the same batches of `BATCH_WINDOWS` windows with the same context and
    padding, and the probabilities become spans by the same rules (`_speech_timestamps`). Memory
    holds one batch (20 MB) and a float per window (about 7 kB a minute).
    """

    def __init__(self, *, min_silence: float = 0.3, pad: float = 0.1) -> None:
        from faster_whisper.vad import VadOptions, get_vad_model

        self._options = VadOptions(min_silence_duration_ms=int(min_silence * 1000),
                                   speech_pad_ms=int(pad * 1000))
        self._session = get_vad_model().session
        self._state = (np.zeros((1, 1, 128), dtype=np.float32), np.zeros((1, 1, 128), dtype=np.float32))
        self._context = np.zeros(CONTEXT, dtype=np.float32)  # the samples before the next window
        self._pending: list[np.ndarray] = []
        self._held = 0
        self._probs: list[np.ndarray] = []
        self._length = 0

    def feed(self, samples: np.ndarray) -> None:
        """The next `samples` of the signal (1-D)."""
        samples = np.asarray(samples, dtype=np.float32)
        self._pending.append(samples)
        self._held += samples.size
        self._length += samples.size
        batch = BATCH_WINDOWS * WINDOW
        if self._held >= batch:
            held = np.concatenate(self._pending)
            whole = held.size // batch * batch
            for first in range(0, whole, batch):
                self._score(held[first: first + batch])
            self._pending, self._held = [held[whole:]], held.size - whole

    def spans(self) -> list[Span]:
        """The speech spans of everything fed (s)."""
        rest = np.concatenate(self._pending) if self._pending else np.zeros(0, dtype=np.float32)
        rest = np.pad(rest, (0, WINDOW - rest.size % WINDOW))  # as faster-whisper: at least one window
        rest[-CONTEXT:] = 0  # faster-whisper zeroes the end of the last window (its context trick)
        for first in range(0, rest.size, BATCH_WINDOWS * WINDOW):
            self._score(rest[first: first + BATCH_WINDOWS * WINDOW])
        self._pending, self._held = [], 0
        probs = np.concatenate(self._probs)
        found = _speech_timestamps(probs, self._length, self._options)
        return [Span(f["start"] / SAMPLE_RATE, f["end"] / SAMPLE_RATE) for f in found]

    def _score(self, audio: np.ndarray) -> None:
        windows = audio.reshape(-1, WINDOW)
        context = np.concatenate([self._context[None], windows[:-1, -CONTEXT:]])
        self._context = windows[-1, -CONTEXT:].copy()
        h, c = self._state
        out, h, c = self._session.run(None, {"input": np.concatenate([context, windows], axis=1), "h": h, "c": c})
        self._state = (h, c)
        self._probs.append(out)


def _speech_timestamps(speech_probs: np.ndarray, audio_length_samples: int, vad_options) -> list[dict]:
    """Speech chunks ({"start", "end"} in samples) from the window probabilities: the rules of
    faster-whisper 1.2.1's `get_speech_timestamps` after its model call, unchanged (MIT licence,
    SYSTRAN), so that scoring can be done block by block."""
    sampling_rate = SAMPLE_RATE
    threshold = vad_options.threshold
    neg_threshold = vad_options.neg_threshold
    min_speech_duration_ms = vad_options.min_speech_duration_ms
    max_speech_duration_s = vad_options.max_speech_duration_s
    min_silence_duration_ms = vad_options.min_silence_duration_ms
    window_size_samples = WINDOW
    speech_pad_ms = vad_options.speech_pad_ms
    min_speech_samples = sampling_rate * min_speech_duration_ms / 1000
    speech_pad_samples = sampling_rate * speech_pad_ms / 1000
    max_speech_samples = (sampling_rate * max_speech_duration_s - window_size_samples - 2 * speech_pad_samples)
    min_silence_samples = sampling_rate * min_silence_duration_ms / 1000
    min_silence_samples_at_max_speech = sampling_rate * 98 / 1000

    triggered = False
    speeches = []
    current_speech = {}
    if neg_threshold is None:
        neg_threshold = max(threshold - 0.15, 0.01)
    temp_end = 0  # to save potential segment end (and tolerate some silence)
    prev_end = next_start = 0  # to save potential segment limits in case of maximum segment size reached

    for i, speech_prob in enumerate(speech_probs):
        if (speech_prob >= threshold) and temp_end:
            temp_end = 0
            if next_start < prev_end:
                next_start = window_size_samples * i
        if (speech_prob >= threshold) and not triggered:
            triggered = True
            current_speech["start"] = window_size_samples * i
            continue
        if triggered and (window_size_samples * i) - current_speech["start"] > max_speech_samples:
            if prev_end:
                current_speech["end"] = prev_end
                speeches.append(current_speech)
                current_speech = {}
                # previously reached silence (< neg_thres) and is still not speech (< thres)
                if next_start < prev_end:
                    triggered = False
                else:
                    current_speech["start"] = next_start
                prev_end = next_start = temp_end = 0
            else:
                current_speech["end"] = window_size_samples * i
                speeches.append(current_speech)
                current_speech = {}
                prev_end = next_start = temp_end = 0
                triggered = False
                continue
        if (speech_prob < neg_threshold) and triggered:
            if not temp_end:
                temp_end = window_size_samples * i
            # condition to avoid cutting in very short silence
            if (window_size_samples * i) - temp_end > min_silence_samples_at_max_speech:
                prev_end = temp_end
            if (window_size_samples * i) - temp_end < min_silence_samples:
                continue
            current_speech["end"] = temp_end
            if (current_speech["end"] - current_speech["start"]) > min_speech_samples:
                speeches.append(current_speech)
            current_speech = {}
            prev_end = next_start = temp_end = 0
            triggered = False
            continue

    if current_speech and (audio_length_samples - current_speech["start"]) > min_speech_samples:
        current_speech["end"] = audio_length_samples
        speeches.append(current_speech)

    for i, speech in enumerate(speeches):
        if i == 0:
            speech["start"] = int(max(0, speech["start"] - speech_pad_samples))
        if i != len(speeches) - 1:
            silence_duration = speeches[i + 1]["start"] - speech["end"]
            if silence_duration < 2 * speech_pad_samples:
                speech["end"] += int(silence_duration // 2)
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - silence_duration // 2))
            else:
                speech["end"] = int(min(audio_length_samples, speech["end"] + speech_pad_samples))
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - speech_pad_samples))
        else:
            speech["end"] = int(min(audio_length_samples, speech["end"] + speech_pad_samples))
    return speeches


def frame_levels(samples: np.ndarray) -> np.ndarray:
    """RMS level in dBFS of each `FRAME` of each channel; shape (channels, frames)."""
    hop = int(FRAME * SAMPLE_RATE)
    frames = samples.shape[1] // hop
    blocks = samples[:, : frames * hop].reshape(samples.shape[0], frames, hop)
    power = np.mean(blocks.astype(np.float64) ** 2, axis=2)
    return np.maximum(10 * np.log10(power + 1e-12), _SILENCE_DB)


class LevelMeter:
    """`frame_levels` of a signal given block by block: the same values, one float per frame kept."""

    def __init__(self, channels: int) -> None:
        self._rest = np.zeros((channels, 0), dtype=np.float32)
        self._levels: list[np.ndarray] = []

    def feed(self, block: np.ndarray) -> None:
        """The next (channels, frames) samples."""
        data = np.concatenate([self._rest, block], axis=1) if self._rest.shape[1] else block
        hop = int(FRAME * SAMPLE_RATE)
        whole = data.shape[1] // hop * hop
        if whole:
            self._levels.append(frame_levels(data[:, :whole]))
        self._rest = data[:, whole:].copy()

    def levels(self) -> np.ndarray:
        """(channels, frames) levels of everything fed (dBFS)."""
        if not self._levels:
            return np.zeros((self._rest.shape[0], 0))
        return np.concatenate(self._levels, axis=1)


@dataclass(frozen=True)
class Scan:
    """What one pass over a recording found: where anyone speaks, each channel's frame levels (two
    channels only), the channels' mix if it was asked for, and the file's exact description."""

    speech: list[Span]
    levels: np.ndarray | None
    mono: np.ndarray | None
    info: AudioInfo


def scan(audio: AudioFile, *, keep_mono: bool, on_progress: Callable[[float], None] | None = None) -> Scan:
    """Decode `audio` once, block by block, finding speech (on the channels' mix) and, for two
    channels, the frame levels; keep the mix (float32, 3.84 MB a minute) only if `keep_mono`.

    `on_progress` is told the seconds of audio read after each block. Memory holds one block, one
    VAD batch and, with `keep_mono`, the mix: no whole-file copy at the file's rate, in float64 or
    of the channels apart.
    """
    finder = SpeechFinder()
    meter = LevelMeter(audio.channels) if audio.channels == 2 else None
    mono = SignalBuffer(1, audio.frames_at_16k()) if keep_mono else None
    for block in audio.blocks():
        mix = _mix(block)
        finder.feed(mix)
        if meter is not None:
            meter.feed(block)
        if mono is not None:
            mono.append(mix[None])
        if on_progress:
            on_progress(block.shape[1] / SAMPLE_RATE)
    return Scan(speech=finder.spans(), levels=None if meter is None else meter.levels(),
                mono=None if mono is None else mono.samples[0], info=audio.info)


def _mix(block: np.ndarray) -> np.ndarray:
    """The channels' mix of one (channels, frames) block, 1-D."""
    return block[0] if block.shape[0] == 1 else block.mean(axis=0)


def read_mono(audio: AudioFile, on_progress: Callable[[float], None] | None = None) -> np.ndarray:
    """The channels' mix of `audio` (16 kHz float32), read block by block (one block of the
    channels apart at a time): the same as `load_audio(path).mono`."""
    mono = SignalBuffer(1, audio.frames_at_16k())
    for block in audio.blocks():
        mono.append(_mix(block)[None])
        if on_progress:
            on_progress(block.shape[1] / SAMPLE_RATE)
    return mono.samples[0]


def channel_separation(levels: np.ndarray, speech: np.ndarray) -> float:
    """How far apart the channels are in speech frames: the 90th percentile of |level difference| (dB).

    Near 0 for one microphone copied to two channels; 10 dB or more for one microphone per partner.
    """
    if levels.shape[0] < 2 or not speech.any():
        return 0.0
    difference = np.abs(levels[0, speech] - levels[1, speech])
    return float(np.percentile(difference, 90))


def own_voice_spans(levels: np.ndarray, speech: Sequence[Span]) -> list[list[Span]]:
    """For a two-channel recording with frame `levels` (`frame_levels`), the spans where each
    channel's own partner speaks.

    A frame belongs to channel i when it lies in `speech`, channel i is well above its noise floor
    (and within `VOICE_RANGE_DB` of its loud speech), and the level difference to the other
    channel is above halfway between the bleed level and parity. Both channels can own a frame
    (overlapping speech).
    """
    mask = spans_to_mask(speech, levels.shape[1], FRAME)
    difference = levels[0] - levels[1]
    bleed_into_0 = _typical_dominance(-difference[mask])
    bleed_into_1 = _typical_dominance(difference[mask])
    owners = []
    for channel, other_lead in ((0, difference), (1, -difference)):
        threshold = np.percentile(levels[channel], 10) + ABOVE_FLOOR_DB
        if mask.any():
            threshold = max(threshold, np.percentile(levels[channel][mask], 95) - VOICE_RANGE_DB)
        bleed = bleed_into_0 if channel == 0 else bleed_into_1
        voiced = mask & (levels[channel] > threshold) & (other_lead > -bleed / 2)
        owners.append(mask_to_spans(_smooth(voiced), FRAME, min_gap=0.25, min_length=0.1))
    return owners


def widened_voices(owners: Sequence[Sequence[Span]], duration: float) -> list[list[Span]]:
    """Both partners' `own_voice_spans` widened by `EDGE_PAD` s on each side (within 0..`duration`
    s), but never into the other partner's widened voice: a gap between their turns is shared out,
    not turned into overlap."""
    grown = [pad_spans(spans, EDGE_PAD, duration) for spans in owners]
    return [merge_spans([*owners[i], *subtract_spans(grown[i], grown[1 - i])]) for i in range(2)]


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
