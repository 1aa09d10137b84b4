"""The analysis pipeline: audio -> words with speakers -> turns -> interaction -> labels -> scores.

`analyze_audio` runs it all; `analyze_transcript` enters after transcription, so every stage
downstream can run without audio or a model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .audio import load_audio
from .detectors import label_turn
from .errors import AudioError, InputError
from .interaction import find_overlaps, pauses, speaker_stats
from .rubric import score_partners
from .attribution import check_mics, choose_mics, transcribe_speakers
from .attribution.speakers import SPEAKER_IDS
from .transcribe import DEFAULT_MODEL, TranscribeOptions, model_location
from .turns import build_turns
from .types import Analysis, AudioInfo, Speaker, Transcript, Turn
from .vad import speech_spans


@dataclass(frozen=True)
class AnalyzeOptions:
    """What the user chose for one analysis."""

    mics: str = "auto"
    model: str | None = None
    names: tuple[str, ...] = ()
    n_speakers: int | None = None
    """1, 2 or None: decide from the voices heard (one or two)."""
    transcribe: TranscribeOptions = TranscribeOptions()


class Progress:
    """Receives pipeline events; the CLI shows them, tests and scripts may ignore them."""

    def mics_chosen(self, mics: str, reason: str) -> None: ...

    def transcribing(self, total_seconds: float) -> None: ...

    def advance(self, seconds: float) -> None: ...


def analyze_audio(
    path: str | Path,
    options: AnalyzeOptions = AnalyzeOptions(),
    *,
    voices: Mapping[str, np.ndarray] | None = None,
    progress: Progress = Progress(),
) -> Analysis:
    """Analyse the conversation recorded in the audio file at `path`."""
    model_location(options.model)
    recording = load_audio(path)
    check_mics(recording, options.mics)
    speech = speech_spans(recording.mono)
    if not speech:
        raise AudioError(f"{path}: no speech found, only silence or noise; check that the microphone "
                         "was on and not muted, then record again.")
    mics, reason = choose_mics(recording, options.mics, speech)
    progress.mics_chosen(mics, reason)
    transcript = transcribe_speakers(
        recording, mics, speech, model_spec=options.model, options=options.transcribe,
        n_speakers=options.n_speakers, voices=voices,
        on_start=progress.transcribing, on_progress=progress.advance,
    )
    if not transcript.words:
        raise AudioError(
            f"{path}: no speech was recognised; check that the microphone was on and the partners "
            "spoke close enough to it."
        )
    names = options.names or tuple(voices or ())
    return analyze_transcript(transcript, recording.info, names=names,
                              model=options.model or DEFAULT_MODEL)


def analyze_transcript(
    transcript: Transcript,
    audio: AudioInfo,
    *,
    names: Sequence[str] = (),
    model: str = "",
) -> Analysis:
    """Everything downstream of transcription: turns, interaction, labels, figures and scores."""
    speakers = _speakers(transcript, names)
    turns, backchannels = build_turns(transcript)
    turns, interruptions, overlaps = find_overlaps(turns)
    turns = label_turns(turns)
    stats = speaker_stats(speakers, turns, interruptions, backchannels, transcript.activity)
    analysis = Analysis(
        audio=audio, mics=transcript.mics, speakers=tuple(speakers), turns=tuple(turns),
        interruptions=tuple(interruptions), backchannels=tuple(backchannels), stats=tuple(stats),
        overlaps=tuple(overlaps), pauses=tuple(pauses(turns)), model=model,
        two_voice_share=transcript.two_voice_share, voices_heard=transcript.voices_heard,
        voice={s.id: tuple(transcript.activity.get(s.id, ())) for s in speakers},
    )
    if len(speakers) < 2:  # every technique of the guide is about listening to a partner
        return analysis
    return replace(analysis, scores=score_partners(analysis))


def label_turns(turns: Sequence[Turn]) -> list[Turn]:
    """Run the language detectors on each turn, with the partner's turn it replies to as context."""
    return [
        replace(t, labels=label_turn(t.text, turns[t.reply_to].text if t.reply_to is not None else None))
        for t in turns
    ]


def _speakers(transcript: Transcript, names: Sequence[str]) -> list[Speaker]:
    ids = [s for s in SPEAKER_IDS if s in transcript.activity or any(w.speaker == s for w in transcript.words)]
    if names and len(names) < len(ids):
        raise InputError(f"--names gives {len(names)} name(s) but {len(ids)} partners were heard; "
                         "give one name per partner, e.g. --names Sam,Alex.")
    return [Speaker(id=s, name=names[i] if names else f"Partner {s}") for i, s in enumerate(ids)]
