"""The analysis pipeline: audio -> words with speakers -> turns -> interaction -> labels -> scores.

`analyze_audio` runs it all; `analyze_transcript` enters after transcription, so every stage
downstream can run without audio or a model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .audio import load_audio
from .detectors import label_turn
from .errors import AudioError, InputError, MemoryShortage
from .interaction import find_overlaps, pauses, speaker_stats
from .rubric import score_partners
from .speakers import SPEAKER_IDS, check_mics, choose_mics, transcribe_speakers
from .transcribe import DEFAULT_MODEL, TranscribeOptions, model_location
from .turns import build_turns
from .types import Analysis, AudioInfo, Span, Speaker, Transcript, Turn
from .vad import speech_spans, subtract_spans


@dataclass(frozen=True)
class AnalyzeOptions:
    """What the user chose for one analysis."""

    mics: str = "auto"
    model: str | None = None
    names: tuple[str, ...] = ()
    n_speakers: int = 2
    transcribe: TranscribeOptions = TranscribeOptions()


class Progress:
    """Receives pipeline events; the CLI shows them, tests and scripts may ignore them.

    Work comes in stages, one at a time: `stage` starts one, `advance` reports work done in it.
    Any stage may call them, so every step that takes a while can show how far it is.
    """

    def mics_chosen(self, mics: str, reason: str) -> None: ...

    def stage(self, name: str, total: float | None = None) -> None:
        """Stage `name` ("Finding speakers") starts; `total` units of work (e.g. seconds of audio)
        lie ahead, None when unknown. The previous stage is over."""

    def advance(self, amount: float) -> None:
        """`amount` more units of the current stage are done."""

    def transcribing(self, total_seconds: float) -> None:
        """Transcription of `total_seconds` of speech starts."""
        self.stage("Transcribing", total_seconds)


def analyze_audio(
    path: str | Path,
    options: AnalyzeOptions = AnalyzeOptions(),
    *,
    voices: Mapping[str, np.ndarray] | None = None,
    progress: Progress = Progress(),
) -> Analysis:
    """Analyse the conversation recorded in the audio file at `path`.

    Raises
    ------
    MemoryShortage
        The computer ran out of memory (the message says how to get by).
    """
    try:
        return _analyze_audio(path, options, voices, progress)
    except MemoryError:
        name = Path(path).name
        raise MemoryShortage(
            f"{path}: the computer ran out of memory analysing this recording; close other programs "
            "and try again, or split it into parts of about 30 minutes, e.g. 'ffmpeg -i "
            f"{name} -f segment -segment_time 1800 part%d{Path(path).suffix}', and analyse each part."
        ) from None


def _analyze_audio(path: str | Path, options: AnalyzeOptions, voices: Mapping[str, np.ndarray] | None,
                   progress: Progress) -> Analysis:
    model_location(options.model)
    progress.stage("Reading the audio")
    recording = load_audio(path)
    check_mics(recording, options.mics)
    progress.stage("Finding speech")
    speech = speech_spans(recording.mono)
    if not speech:
        raise AudioError(f"{path}: no speech found, only silence or noise; check that the microphone "
                         "was on and not muted, then record again.")
    mics, reason = choose_mics(recording, options.mics, speech)
    progress.mics_chosen(mics, reason)
    transcription = _Transcription(progress, "Finding speakers" if mics == "shared" else "Matching words to speakers")
    transcript = transcribe_speakers(
        recording, mics, speech, model_spec=options.model, options=options.transcribe,
        n_speakers=options.n_speakers, voices=voices,
        on_start=transcription.start, on_progress=transcription.advance,
    )
    if not transcript.words:
        raise AudioError(
            f"{path}: no speech was recognised; check that the microphone was on and the partners "
            "spoke close enough to it."
        )
    names = options.names or tuple(voices or ())
    return analyze_transcript(transcript, recording.info, names=names,
                              model=options.model or DEFAULT_MODEL, progress=progress)


class _Transcription:
    """Passes transcription progress on, then starts stage `after` once all the speech is done
    (the rest of `transcribe_speakers` runs without events of its own)."""

    def __init__(self, progress: Progress, after: str) -> None:
        self._progress, self._after, self._left = progress, after, None

    def start(self, total_seconds: float) -> None:
        self._left = total_seconds
        self._progress.transcribing(total_seconds)

    def advance(self, seconds: float) -> None:
        self._progress.advance(seconds)
        if self._left is not None:
            self._left -= seconds
            if self._left <= 1e-6:
                self._left = None
                self._progress.stage(self._after)


def analyze_transcript(
    transcript: Transcript,
    audio: AudioInfo,
    *,
    names: Sequence[str] = (),
    model: str = "",
    progress: Progress = Progress(),
) -> Analysis:
    """Everything downstream of transcription: turns, interaction, labels, figures and scores.

    `progress` hears of one stage, "Reading the turns", counted in turns.
    """
    speakers = _speakers(transcript, names)
    turns, backchannels = build_turns(transcript)
    turns, interruptions, overlaps = find_overlaps(turns)
    progress.stage("Reading the turns", len(turns))
    turns = label_turns(turns, on_turn=progress.advance)
    stats = speaker_stats(speakers, turns, interruptions, backchannels, _heard_voice(transcript))
    analysis = Analysis(
        audio=audio, mics=transcript.mics, speakers=tuple(speakers), turns=tuple(turns),
        interruptions=tuple(interruptions), backchannels=tuple(backchannels), stats=tuple(stats),
        overlaps=tuple(overlaps), pauses=tuple(pauses(turns)), model=model,
        two_voice_share=transcript.two_voice_share,
    )
    return replace(analysis, scores=score_partners(analysis))


UNTRANSCRIBED_MARGIN = 0.3
"""Seconds around each word within which a shared mic's voice activity is left to the words."""


def _heard_voice(transcript: Transcript) -> dict[str, list[Span]]:
    """Each partner's voice activity as it counts towards talk time.

    Each partner's own microphone measures their voice directly. On a shared mic the words
    decide who spoke wherever something was transcribed (diarization and the words can disagree,
    and counting both would count that time twice), so only the speech Whisper skipped is taken
    from diarization.
    """
    if transcript.mics == "per-partner":
        return {speaker: list(spans) for speaker, spans in transcript.activity.items()}
    worded = [Span(w.start - UNTRANSCRIBED_MARGIN, w.end + UNTRANSCRIBED_MARGIN) for w in transcript.words]
    return {speaker: subtract_spans(spans, worded) for speaker, spans in transcript.activity.items()}


def label_turns(turns: Sequence[Turn], on_turn: Callable[[float], None] | None = None) -> list[Turn]:
    """Run the language detectors on each turn, with the partner's turn it replies to as context.

    `on_turn` is called with 1 after each turn.
    """
    labelled = []
    for t in turns:
        context = turns[t.reply_to].text if t.reply_to is not None else None
        labelled.append(replace(t, labels=label_turn(t.text, context)))
        if on_turn:
            on_turn(1)
    return labelled


def _speakers(transcript: Transcript, names: Sequence[str]) -> list[Speaker]:
    ids = [s for s in SPEAKER_IDS if s in transcript.activity or any(w.speaker == s for w in transcript.words)]
    if names and len(names) < len(ids):
        raise InputError(f"--names gives {len(names)} name(s) but {len(ids)} partners were heard; "
                         "give one name per partner, e.g. --names Sam,Alex.")
    return [Speaker(id=s, name=names[i] if names else f"Partner {s}") for i, s in enumerate(ids)]
