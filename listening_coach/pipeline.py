"""The analysis pipeline: audio -> words with speakers -> turns -> interaction -> labels -> scores.

`analyze_audio` runs it all; `analyze_transcript` enters after transcription, so every stage
downstream can run without audio or a model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .audio import open_audio
from .detectors import label_turn
from .errors import AudioError, CoachError, InputError, MemoryShortage
from .interaction import find_overlaps, pauses, speaker_stats
from .rubric import score_partners
from .attribution import check_mics, choose_mics, transcribe_speakers
from .attribution.speakers import SPEAKER_IDS
from .transcribe import DEFAULT_MODEL, TranscribeOptions, model_location
from .turns import build_turns
from .types import Analysis, AudioInfo, Speaker, Transcript, Turn
from .vad import scan


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
    except Exception as error:
        if not _out_of_memory(error):
            raise
        name = Path(path).name
        raise MemoryShortage(
            f"{path}: the computer ran out of memory analysing this recording; close other programs "
            "and try again, or split it into parts of about 30 minutes, e.g. 'ffmpeg -i "
            f"{name} -f segment -segment_time 1800 part%d{Path(path).suffix}', and analyse each part."
        ) from None


def _out_of_memory(error: Exception) -> bool:
    """A MemoryError, or an allocation that failed in a native library: ONNX Runtime (the speech
    detector, the speaker models) and CTranslate2 report one as a runtime error naming std::bad_alloc."""
    if isinstance(error, MemoryError):
        return True
    text = str(error)
    return not isinstance(error, CoachError) and ("bad_alloc" in text or "Failed to allocate memory" in text)


def _analyze_audio(path: str | Path, options: AnalyzeOptions, voices: Mapping[str, np.ndarray] | None,
                   progress: Progress) -> Analysis:
    model_location(options.model)
    progress.stage("Reading the audio")
    audio = open_audio(path)
    check_mics(audio.info, options.mics)
    progress.stage("Finding speech", audio.duration or None)
    # the mix is kept for a shared mic; a stereo file that may have one mic per partner is read
    # again only if it turns out to be a shared mic
    found = scan(audio, keep_mono=audio.channels == 1 or options.mics == "shared", on_progress=progress.advance)
    if not found.speech:
        raise AudioError(f"{path}: no speech found, only silence or noise; check that the microphone "
                         "was on and not muted, then record again.")
    mics, reason = choose_mics(found, options.mics)
    progress.mics_chosen(mics, reason)
    transcript = transcribe_speakers(
        audio, found, mics, model_spec=options.model, options=options.transcribe,
        n_speakers=options.n_speakers, voices=voices, progress=progress,
    )
    if not transcript.words:
        raise AudioError(
            f"{path}: no speech was recognised; check that the microphone was on and the partners "
            "spoke close enough to it."
        )
    names = options.names or tuple(voices or ())
    return analyze_transcript(transcript, found.info, names=names,
                              model=options.model or DEFAULT_MODEL, progress=progress)


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
    turns, interruptions, overlaps = find_overlaps(turns, transcript.mics)
    progress.stage("Reading the turns", len(turns))
    turns = label_turns(turns, on_turn=progress.advance)
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
