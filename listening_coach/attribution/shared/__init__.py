"""One shared microphone: who speaks when, overlap included, and so who said each word.

1. `local`: a segmentation model trained on real conversations (pyannote segmentation-3.0,
   fine-tuned on conversations of real read speech) finds up to three local speakers, overlap
   included, in 10 s windows every 2.5 s.
2. `pieces`: where the windows hear one voice, pieces of 1.5 s get a speaker embedding (CAM++).
3. `clusters`: the pieces each local speaker holds link the windows into one or two people (or
   the enrolled voices).
4. `aggregate`: the windows' votes give each person's voice activity on one timeline.
5. `refine`: each piece goes to the person it sounds like; a recording heard as one voice is
   split in two when its pieces clearly are two voices. Gaps under `VOICE_GAP` in a person's
   voice are closed.
6. `words`: each word goes to the person whose voice covers it, and turn edges follow the voices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ...audio import Recording
from ...spans import merge_spans, pad_spans, subtract_spans
from ...transcribe import ProgressCallback, Region, TranscribeOptions, transcribe
from ...types import Span, Transcript
from ..speakers import REGION_PAD, SPEAKER_IDS
from ...background import Background
from .aggregate import voice_frames, voices_counted
from .clusters import find_people
from .local import frames_to_spans, local_activity
from .pieces import one_voice_pieces
from .refine import reattribute, split_voices
from .words import attribute_words

if TYPE_CHECKING:
    from ...pipeline import Progress

PASSES = 2
"""Passes over the recording while finding speakers (segmentation, embeddings)."""

VOICE_GAP = 0.4
"""Seconds of silence or less inside one person's voice that still count as one stretch of it:
the model's activity flickers where a second voice starts, and a word's pause is no turn's end."""

STAGE = "Transcribing and finding speakers"
"""The progress stage of the shared-mic analysis: seconds of speech transcribed plus `PASSES`
times the seconds of audio the speaker search covered."""


def diarize(
    signal: np.ndarray,
    *,
    n_speakers: int | None = None,
    voices: Sequence[np.ndarray] = (),
    on_progress: ProgressCallback | None = None,
) -> tuple[list[list[Span]], int]:
    """Each person's voice activity (s) in a 16 kHz mono `signal`, people in order of first speech.

    With `voices` (one enrollment clip per person) people come in the order of the voices.
    Returns the activity per person and how many voices were heard (may exceed two).
    `on_progress` is told the seconds of audio each step has covered, `PASSES` times in all.
    """
    local = local_activity(signal, on_progress)
    looked = one_voice_pieces(signal, voices_counted(local) == 1, on_progress)
    people = find_people(looked, signal, local, n_speakers=n_speakers, voices=voices)
    on = voice_frames(local, people)
    centroids = people.centroids
    if people.count == 1 and n_speakers is None:
        split = split_voices(looked)
        if split is not None:  # two voices the windows could not tell apart
            centroids, on = split, np.concatenate([on, np.zeros_like(on)], axis=1)
    on = reattribute(on, centroids, looked)
    activity = [merge_spans(frames_to_spans(on[:, person]), VOICE_GAP) for person in range(on.shape[1])]
    if not voices:
        activity.sort(key=lambda spans: spans[0].start if spans else float("inf"))
    return activity, max(people.voices_heard, len(activity))


def attribute_shared(
    recording: Recording,
    speech: Sequence[Span],
    *,
    model_spec: str | None,
    options: TranscribeOptions,
    n_speakers: int | None,
    voices: Mapping[str, np.ndarray] | None,
    progress: Progress,
) -> Transcript:
    """Transcribe the mixed signal once and give each word the person whose voice it falls in.

    Speakers are found in a second thread while Whisper transcribes: neither keeps both cores
    busy alone, so together they take little more time than transcription.
    """
    signal = recording.mono
    regions = pad_spans(speech, REGION_PAD, recording.info.duration)
    progress.stage(STAGE, sum(s.duration for s in regions) + PASSES * recording.info.duration)
    finding = Background(lambda advance: diarize(signal, n_speakers=n_speakers, voices=list((voices or {}).values()),
                                                 on_progress=advance), progress.advance)
    with finding:
        heard = transcribe([Region(signal, span) for span in regions], model_spec=model_spec, options=options,
                           on_progress=progress.advance)
    activity, voices_heard = finding.result()
    by_speaker = {speaker: tuple(spans) for speaker, spans in zip(SPEAKER_IDS, activity) if spans}
    words = attribute_words(heard, by_speaker)
    return Transcript(words=tuple(words), activity=by_speaker, mics="shared",
                      two_voice_share=_both_share(activity), voices_heard=voices_heard)


def _both_share(activity: Sequence[Sequence[Span]]) -> float:
    """Share (0-1) of the speech during which two voices are heard at once."""
    if len(activity) < 2:
        return 0.0
    anyone = merge_spans([s for spans in activity for s in spans])
    total = sum(s.duration for s in anyone)
    only_one = [*subtract_spans(activity[0], activity[1]), *subtract_spans(activity[1], activity[0])]
    both = total - sum(s.duration for s in only_one)
    return round(both / total, 3) if total else 0.0
