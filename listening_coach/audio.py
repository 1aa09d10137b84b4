"""Load and validate a recording, keeping its channels apart (channels first, 16 kHz float32).

A recording is read block by block (`open_audio`, `AudioFile.blocks`), so a long one never needs
a whole-file copy at its own rate, in float64 or before resampling; `load_audio` joins the blocks
for callers that want the whole signal (enrollment clips, tests).
"""

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

BLOCK_SECONDS = 30.0
"""Audio decoded at a time (s): 1.9 MB per channel at 16 kHz."""


@dataclass(frozen=True)
class Recording:
    """Decoded audio: `samples` has shape (channels, frames) at `SAMPLE_RATE`, values in [-1, 1].

    `info` describes the file; `samples` may hold only the channels' mix (one row) when nothing
    else is needed.
    """

    samples: np.ndarray
    info: AudioInfo

    @property
    def mono(self) -> np.ndarray:
        """The channels averaged into one signal, shape (frames,)."""
        return self.samples.mean(axis=0) if self.samples.shape[0] > 1 else self.samples[0]


class AudioFile:
    """A recording whose header has been checked, read block by block (`blocks`) as often as needed.

    `duration` is the header's (an estimate for files FFmpeg reads) until a pass of `blocks` has
    counted the frames; `info` then describes the file exactly.
    """

    def __init__(self, path: Path, channels: int, rate: int, frames: int | None, libsndfile: bool) -> None:
        self.path, self.channels, self.rate = path, channels, rate
        self._frames, self._libsndfile = frames, libsndfile

    @property
    def duration(self) -> float:
        """Length in seconds (0 if the header does not say and no pass has been made)."""
        return (self._frames or 0) / self.rate

    @property
    def info(self) -> AudioInfo:
        return AudioInfo(path=str(self.path), duration=round(self.duration, 3), sample_rate=self.rate,
                         channels=self.channels)

    def frames_at_16k(self) -> int | None:
        """About how many frames a pass of `blocks` yields (exact for a 16 kHz file libsndfile reads)."""
        if self._frames is None:
            return None
        return self._frames if self.rate == SAMPLE_RATE else int(np.ceil(self._frames * SAMPLE_RATE / self.rate))

    def blocks(self, seconds: float = BLOCK_SECONDS) -> Iterator[np.ndarray]:
        """The recording in consecutive blocks, each (channels, frames) float32 at `SAMPLE_RATE`.

        The file is decoded `seconds` of audio at a time and resampled by a streaming resampler, so
        memory holds about one block however long the recording. Blocks hold about `seconds` s
        each (the resampler's delay shifts a few ms between them); the last one may be shorter.

        Raises
        ------
        AudioError
            The file holds samples that are not numbers, cannot be decoded to its end, or is
            shorter than `MIN_DURATION` (found at the end when the header did not say).
        """
        source = self._libsndfile_blocks(seconds) if self._libsndfile else _av_blocks(self.path, seconds)
        counted = 0

        def checked() -> Iterator[tuple[np.ndarray, int]]:
            nonlocal counted
            for block in source:
                if not np.isfinite(block).all():
                    raise AudioError(f"{self.path}: holds samples that are not numbers (NaN or infinite); "
                                     "the file is damaged. Export it again from the recording program.")
                counted += block.shape[1]
                yield block, self.rate

        yield from _resampled(checked())
        self._frames = counted
        _check_duration(self.path, self.duration)

    def _libsndfile_blocks(self, seconds: float) -> Iterator[np.ndarray]:
        import soundfile

        try:
            with soundfile.SoundFile(str(self.path)) as source:
                frames = max(1, int(seconds * source.samplerate))
                for block in source.blocks(frames, dtype="float32", always_2d=True):
                    yield block.T
        except (soundfile.LibsndfileError, RuntimeError, TypeError):
            raise AudioError(f"{self.path}: could not be decoded to its end (damaged or cut short); "
                             "export it again from the recording program.") from None


def open_audio(path: str | Path) -> AudioFile:
    """Open a WAV, FLAC, OGG or MP3 file (any rate, 1 or 2 channels) and check its header.

    Raises
    ------
    InputError
        The file is missing, a folder or empty.
    AudioError
        The file is not audio, has more than two channels, an implausible sample rate or is too
        short.
    """
    import soundfile

    path = Path(path)
    _check_file(path)
    try:
        with soundfile.SoundFile(str(path)) as source:
            audio = AudioFile(path, source.channels, int(source.samplerate), source.frames, libsndfile=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        audio = _av_open(path)
    rate, channels = audio.rate, audio.channels
    if not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
        raise AudioError(f"{path}: says its sample rate is {rate} Hz; speech recordings use "
                         f"{RATE_RANGE[0]}-{RATE_RANGE[1]} Hz, so the file is damaged. Export it "
                         "again from the recording program.")
    if channels > MAX_CHANNELS:
        raise AudioError(
            f"{path}: has {channels} channels; listening-coach reads 1 (one shared microphone) or 2 "
            "(one microphone per partner). Keep the partners' two channels, e.g. "
            f"'sox {path.name} out.wav remix 1 2'."
        )
    if audio._libsndfile:
        _check_duration(path, audio.duration)
    return audio


def load_audio(path: str | Path) -> Recording:
    """Read WAV, FLAC, OGG or MP3 at any rate with 1 or 2 channels and resample to 16 kHz.

    The same samples as joining `stream_blocks(path)`.

    Raises
    ------
    InputError
        The file is missing, a folder or empty.
    AudioError
        The file is not audio, has more than two channels, an implausible sample rate, samples
        that are not numbers (NaN, infinite) or is too short.
    """
    audio = open_audio(path)
    signal = SignalBuffer(audio.channels, audio.frames_at_16k())
    for block in audio.blocks():
        signal.append(block)
    return Recording(samples=signal.samples, info=audio.info)


def stream_blocks(path: str | Path, seconds: float = BLOCK_SECONDS) -> Iterator[np.ndarray]:
    """The recording at `path` in consecutive blocks, each (channels, frames) float32 at `SAMPLE_RATE`
    (see `AudioFile.blocks`). Joined, the blocks are `load_audio(path).samples`.

    Raises what `open_audio` and `AudioFile.blocks` raise.
    """
    yield from open_audio(path).blocks(seconds)


class SignalBuffer:
    """A signal assembled from consecutive (channels, frames) blocks without a final copy: the room
    is allocated once for the `expected` frames (untouched room costs no memory) and grows if short."""

    def __init__(self, channels: int, expected: int | None) -> None:
        room = int((expected or 10 * 60 * SAMPLE_RATE) * 1.01) + SAMPLE_RATE
        self._data = np.empty((channels, room), dtype=np.float32)
        self._used = 0

    def append(self, block: np.ndarray) -> None:
        end = self._used + block.shape[-1]
        if end > self._data.shape[1]:
            grown = np.empty((self._data.shape[0], int(end * 1.25)), dtype=np.float32)
            grown[:, : self._used] = self._data[:, : self._used]
            self._data = grown
        self._data[:, self._used: end] = block
        self._used = end

    @property
    def samples(self) -> np.ndarray:
        """The signal so far, (channels, frames)."""
        return self._data[:, : self._used]


class ChannelReader:
    """One channel of an `AudioFile` read forward on demand: `reader[a:b]` is samples a to b (16 kHz)
    of that channel, the same as `load_audio(path).samples[channel][a:b]`.

    Only the stretch asked for last and the block being read are held; asking for an earlier
    stretch reads the file again from its start, so stretches should come in time order.
    """

    def __init__(self, audio: AudioFile, channel: int, seconds: float = BLOCK_SECONDS) -> None:
        self._audio, self._channel, self._seconds = audio, channel, seconds
        self._restart()

    def _restart(self) -> None:
        self._blocks = self._audio.blocks(self._seconds)
        self._held = np.zeros(0, dtype=np.float32)
        self._offset = 0  # index of self._held[0] in the channel
        self._end = 0  # samples of the channel decoded so far
        self._ended = False

    def __getitem__(self, key: slice) -> np.ndarray:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("a ChannelReader is read by contiguous slices, reader[start:stop]")
        start, stop = max(key.start or 0, 0), key.stop
        if start < self._offset:
            self._restart()
        pieces = [self._held[start - self._offset:]] if start < self._end else []
        while (stop is None or self._end < stop) and not self._ended:
            block = next(self._blocks, None)
            if block is None:
                self._ended = True
                break
            if self._end + block.shape[1] > start:
                pieces.append(block[self._channel, max(start - self._end, 0):])
            self._end += block.shape[1]
        if pieces:
            self._offset, self._held = start, np.concatenate(pieces)  # a copy: no block stays referenced
        else:
            self._offset, self._held = self._end, np.zeros(0, dtype=np.float32)
        return self._held[: None if stop is None else max(stop - self._offset, 0)]


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path (try 'ls {path.parent}').")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the audio file inside it.")
    if not path.is_file():
        raise InputError(f"{path}: is not a regular file (a FIFO or device); give an audio file.")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes); record again or pick another file.")


def _check_duration(path: Path, duration: float) -> None:
    if duration < MIN_DURATION:
        raise AudioError(
            f"{path}: is only {duration:.1f} s long; record at least a few seconds of conversation."
        )


def _not_audio(path: Path) -> AudioError:
    return AudioError(f"{path}: is not a readable audio file (damaged, or another kind of file); "
                      "use a WAV, FLAC, OGG or MP3 recording.")


def _av_open(path: Path) -> AudioFile:
    """The header of a file only FFmpeg (PyAV) reads; its length, estimated, is counted by the first pass."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise ValueError("no audio stream")
            context = container.streams.audio[0].codec_context
            channels, rate = context.channels, context.sample_rate
            seconds = container.duration / 1e6 if container.duration else None  # FFmpeg's estimate
    except Exception:  # PyAV raises many kinds; all mean "not audio we can read"
        raise _not_audio(path) from None
    if not rate:
        raise _not_audio(path)
    return AudioFile(path, channels, int(rate), None if seconds is None else int(seconds * rate), libsndfile=False)


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


def _av_blocks(path: Path, seconds: float) -> Iterator[np.ndarray]:
    """Blocks of about `seconds` s decoded by FFmpeg (PyAV), as (channels, frames) float32."""
    import av

    try:
        container = av.open(str(path), metadata_errors="ignore")
        if not container.streams.audio:
            raise ValueError("no audio stream")
    except Exception:  # PyAV raises many kinds; all mean "not audio we can read"
        raise _not_audio(path) from None
    with container:
        stream = container.streams.audio[0]
        channels, rate = stream.codec_context.channels, stream.codec_context.sample_rate
        pending, held, any_frames = [], 0, False
        try:
            for frame in container.decode(stream):
                any_frames = True
                block = frame.to_ndarray()
                block = block if frame.format.is_planar else block.reshape(-1, channels).T
                if np.issubdtype(block.dtype, np.integer):
                    block = block.astype(np.float32) / np.iinfo(block.dtype).max
                pending.append(block.astype(np.float32))
                held += block.shape[1]
                if held >= seconds * rate:
                    yield np.concatenate(pending, axis=1)
                    pending, held = [], 0
        except Exception:  # PyAV raises many kinds; all mean "not audio we can read"
            raise _not_audio(path) from None
        if not any_frames:
            raise _not_audio(path)
        if pending:
            yield np.concatenate(pending, axis=1)
