"""The whole analysis, reading the recording block by block, equals the whole-file path on the
samples: the same words, speakers, turns and interruptions (the same JSON, bit for bit).

The whole-file path is the analysis as it was before streaming: the recording loaded at once,
faster-whisper's VAD on its whole mix, frame levels of its whole channels, and transcription
cut from the whole arrays.
"""

from pathlib import Path

import numpy as np
import pytest
import soundfile

from listening_coach.analysis_json import to_json
from listening_coach.attribution.per_partner import attribute_per_partner
from listening_coach.attribution.shared import attribute_shared
from listening_coach.audio import load_audio
from listening_coach.pipeline import AnalyzeOptions, Progress, analyze_audio, analyze_transcript
from listening_coach.transcribe import DEFAULT_MODEL, TranscribeOptions
from listening_coach.vad import frame_levels

from test_progress import Recorder
from test_streaming import whole_file_speech

SAMPLES = Path(__file__).resolve().parents[1] / "sample_audio"


def whole_file_analysis(path, mics):
    recording = load_audio(path)
    speech = whole_file_speech(recording.mono)
    if mics == "per-partner":
        transcript = attribute_per_partner(recording.info, speech, frame_levels(recording.samples),
                                           recording.samples, None, TranscribeOptions(), Progress())
    else:
        transcript = attribute_shared(recording, speech, model_spec=None, options=TranscribeOptions(),
                                      n_speakers=None, voices=None, progress=Progress())
    return analyze_transcript(transcript, recording.info, model=DEFAULT_MODEL)


@pytest.mark.parametrize("name, mics", [("chores.mono.flac", "shared"), ("weekend.mono.flac", "shared"),
                                        ("chores.stereo.flac", "per-partner"),
                                        ("inlaws.stereo.flac", "per-partner"),
                                        ("inlaws.stereo.flac", "shared")])
def test_the_streamed_analysis_is_the_whole_file_analysis(name, mics):
    streamed = analyze_audio(SAMPLES / name, AnalyzeOptions(mics=mics))
    whole = whole_file_analysis(SAMPLES / name, mics)
    assert streamed.turns and any(o.kind.endswith("interruption") for o in streamed.overlaps)
    assert to_json(streamed) == to_json(whole)


def test_a_stereo_file_found_to_be_one_mic_is_read_again_for_its_mix(tmp_path):
    """With --mics auto a stereo file is scanned without keeping its mix; when its channels turn
    out to carry the same sound, the mix is read in a second pass."""
    samples, rate = soundfile.read(SAMPLES / "weekend.mono.flac", dtype="float32")
    path = tmp_path / "one mic twice.flac"
    soundfile.write(path, np.stack([samples, samples], axis=1), rate, subtype="PCM_24")
    recorder = Recorder()
    streamed = analyze_audio(path, AnalyzeOptions(mics="auto"), progress=recorder)
    assert streamed.mics == "shared"
    names = [name for name, _, _ in recorder.stages]
    assert names[:4] == ["Reading the audio", "Finding speech", "Reading the audio", "Transcribing and finding speakers"]
    _, total, done = recorder.stages[2]
    assert total > 40 and done == pytest.approx(total, abs=1e-3)
    assert to_json(streamed) == to_json(whole_file_analysis(path, "shared"))
