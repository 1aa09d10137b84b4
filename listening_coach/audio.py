"""Load and validate a recording, keeping its channels apart (channels first, 16 kHz float32)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import AudioError, InputError
from .types import AudioInfo

SAMPLE_RATE = 16000
"""Rate in Hz at which every stage works (the rate Whisper expects)."""

MIN_DURATION = 1.0
"""Shortest recording, in seconds, that can hold a conversation."""

MAX_CHANNELS = 2

RATE_RANGE = (8000, 384000)
"""Sample rates (Hz) accepted: below 8 kHz there is no intelligible speech, and a header that
claims such a rate (1 Hz) would make resampling allocate gigabytes."""


@dataclass(frozen=True)
class Recording:
    """Decoded audio: `samples` has shape (channels, frames) at `SAMPLE_RATE`, values in [-1, 1]."""

    samples: np.ndarray
    info: AudioInfo

    @property
    def mono(self) -> np.ndarray:
        """The channels averaged into one signal, shape (frames,)."""
        return self.samples.mean(axis=0) if self.samples.shape[0] > 1 else self.samples[0]


def load_audio(path: str | Path) -> Recording:
    """Read WAV, FLAC, OGG or MP3 at any rate with 1 or 2 channels and resample to 16 kHz.

    Raises
    ------
    InputError
        The file is missing, a folder or empty.
    AudioError
        The file is not audio, has more than two channels, an implausible sample rate, samples
        that are not numbers (NaN, infinite) or is too short.
    """
    path = Path(path)
    _check_file(path)
    data, rate = _decode(path)
    if not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
        raise AudioError(f"{path}: says its sample rate is {rate} Hz; speech recordings use "
                         f"{RATE_RANGE[0]}-{RATE_RANGE[1]} Hz, so the file is damaged. Export it "
                         "again from the recording program.")
    if not np.isfinite(data).all():
        raise AudioError(f"{path}: holds samples that are not numbers (NaN or infinite); the file "
                         "is damaged. Export it again from the recording program.")
    channels = data.shape[0]
    duration = data.shape[1] / rate if rate else 0.0
    if channels > MAX_CHANNELS:
        raise AudioError(
            f"{path}: has {channels} channels; listening-coach reads 1 (one shared microphone) or 2 "
            "(one microphone per partner). Keep the partners' two channels, e.g. "
            f"'sox {path.name} out.wav remix 1 2'."
        )
    if duration < MIN_DURATION:
        raise AudioError(
            f"{path}: is only {duration:.1f} s long; record at least a few seconds of conversation."
        )
    info = AudioInfo(path=str(path), duration=round(duration, 3), sample_rate=rate, channels=channels)
    return Recording(samples=_resample(data, rate), info=info)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path (try 'ls {path.parent}').")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the audio file inside it.")
    if not path.is_file():
        raise InputError(f"{path}: is not a regular file (a FIFO or device); give an audio file.")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes); record again or pick another file.")


def _decode(path: Path) -> tuple[np.ndarray, int]:
    """Decode to float32 (channels, frames) with libsndfile, falling back to FFmpeg via PyAV."""
    import soundfile

    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        return np.ascontiguousarray(data.T), int(rate)
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        pass
    try:
        return _decode_with_av(path)
    except Exception:  # PyAV raises many kinds; all mean "not audio we can read"
        raise AudioError(
            f"{path}: is not a readable audio file (damaged, or another kind of file); "
            "use a WAV, FLAC, OGG or MP3 recording."
        ) from None


def _decode_with_av(path: Path) -> tuple[np.ndarray, int]:
    import av

    with av.open(str(path), metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels
        rate = stream.codec_context.sample_rate
        chunks = []
        for frame in container.decode(stream):
            block = frame.to_ndarray()
            chunks.append(block if frame.format.is_planar else block.reshape(-1, channels).T)
    if not chunks:
        raise ValueError("no audio frames")
    data = np.concatenate(chunks, axis=1)
    if np.issubdtype(data.dtype, np.integer):
        data = data.astype(np.float32) / np.iinfo(data.dtype).max
    return data.astype(np.float32), int(rate)


def _resample(data: np.ndarray, rate: int) -> np.ndarray:
    if rate == SAMPLE_RATE:
        return data
    import soxr

    return np.ascontiguousarray(soxr.resample(data.T, rate, SAMPLE_RATE, quality="HQ").T)


def stream_blocks(path: str | Path, seconds: float = 30.0) -> Iterator[np.ndarray]:
    """The recording at `path` in consecutive blocks, each (channels, frames) float32 at `SAMPLE_RATE`.

    The file is decoded `seconds` of audio at a time and resampled by a streaming resampler, so
    memory holds about one block however long the recording. Joined, the blocks equal
    `load_audio(path).samples` up to resampling rounding. Blocks hold about `seconds` s each
    (the resampler's delay shifts a few ms between them); the last one may be shorter.

    Raises
    ------
    InputError
        The file is missing, a folder or empty.
    AudioError
        The file is not audio.
    """
    import soundfile

    path = Path(path)
    _check_file(path)
    try:
        source = soundfile.SoundFile(str(path))
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        source = None
    if source is None:
        yield from _resampled(_av_blocks(path, seconds))
        return
    with source:
        frames = max(1, int(seconds * source.samplerate))
        blocks = (block.T for block in source.blocks(frames, dtype="float32", always_2d=True))
        yield from _resampled(((b, source.samplerate) for b in blocks))


def _resampled(blocks: Iterator[tuple[np.ndarray, int]]) -> Iterator[np.ndarray]:
    """(channels, frames) blocks at any one rate -> the same audio at `SAMPLE_RATE`, block by block."""
    import soxr

    stream, channels = None, 0
    for block, rate in blocks:
        if rate == SAMPLE_RATE:
            yield np.ascontiguousarray(block, dtype=np.float32)
            continue
        if stream is None:
            channels = block.shape[0]
            stream = soxr.ResampleStream(rate, SAMPLE_RATE, channels, dtype="float32", quality="HQ")
        out = stream.resample_chunk(np.ascontiguousarray(block.T, dtype=np.float32))
        if out.shape[0]:
            yield np.ascontiguousarray(out.T)
    if stream is not None:
        tail = stream.resample_chunk(np.zeros((0, channels), dtype=np.float32), last=True)
        if tail.shape[0]:
            yield np.ascontiguousarray(tail.T)


def _av_blocks(path: Path, seconds: float) -> Iterator[tuple[np.ndarray, int]]:
    """Blocks of about `seconds` s decoded by FFmpeg (PyAV), as ((channels, frames) float32, rate)."""
    import av

    try:
        container = av.open(str(path), metadata_errors="ignore")
        if not container.streams.audio:
            raise ValueError("no audio stream")
    except Exception:  # PyAV raises many kinds; all mean "not audio we can read"
        raise AudioError(
            f"{path}: is not a readable audio file (damaged, or another kind of file); "
            "use a WAV, FLAC, OGG or MP3 recording."
        ) from None
    with container:
        stream = container.streams.audio[0]
        channels, rate = stream.codec_context.channels, stream.codec_context.sample_rate
        pending, held = [], 0
        for frame in container.decode(stream):
            block = frame.to_ndarray()
            block = block if frame.format.is_planar else block.reshape(-1, channels).T
            if np.issubdtype(block.dtype, np.integer):
                block = block.astype(np.float32) / np.iinfo(block.dtype).max
            pending.append(block.astype(np.float32))
            held += block.shape[1]
            if held >= seconds * rate:
                yield np.concatenate(pending, axis=1), rate
                pending, held = [], 0
        if pending:
            yield np.concatenate(pending, axis=1), rate
