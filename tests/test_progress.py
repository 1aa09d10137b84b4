"""Progress: every stage of an analysis is announced, and the display says how much time is left."""

from pathlib import Path

import pytest
from rich.progress import Progress as RichProgress

from listening_coach.pipeline import AnalyzeOptions, Progress, analyze_audio, analyze_transcript
from listening_coach.progress import _Left, time_left
from listening_coach.types import AudioInfo

from timeline import line, transcript

SAMPLE = Path(__file__).resolve().parents[1] / "sample_audio" / "chores.mono.flac"


class Recorder(Progress):
    """Keeps every event as (stage name, total, work reported)."""

    def __init__(self):
        self.stages = []

    def stage(self, name, total=None):
        self.stages.append([name, total, 0.0])

    def advance(self, amount):
        self.stages[-1][2] += amount


def test_time_left_reads_as_words():
    assert time_left(None) == ""
    assert time_left(12) == "about 10 s left"
    assert time_left(2) == "a few seconds left"
    assert time_left(95) == "about 2 min left"
    assert time_left(3 * 3600 + 20 * 60) == "about 3 h 20 min left"


def test_a_stage_shows_its_share_done_and_time_left_or_else_its_time_so_far():
    bars = RichProgress()
    known, unknown = bars.add_task("Transcribing", total=200), bars.add_task("Finding speech", total=None)
    bars.advance(known, 80)
    shown = _Left().render(bars.tasks[known]).plain
    assert shown.startswith(" 40%")
    assert _Left().render(bars.tasks[unknown]).plain == "0:00"
    bars.advance(known, 120)
    assert _Left().render(bars.tasks[known]).plain == "100%", "nothing left once done"


def test_reading_the_turns_counts_every_turn():
    heard = transcript(line("A", 0.0, "how was your day today"), line("B", 2.0, "long but fine thanks"),
                       line("A", 4.0, "what made it long"))
    recorder = Recorder()
    analysis = analyze_transcript(heard, AudioInfo("talk.wav", 6.0, 16000, 1), progress=recorder)
    assert recorder.stages == [["Reading the turns", len(analysis.turns), len(analysis.turns)]]


@pytest.mark.parametrize("mics, words_stage", [("shared", "Transcribing and finding speakers"),
                                               ("per-partner", "Transcribing")])
def test_every_stage_of_a_real_analysis_is_announced_in_order(mics, words_stage):
    path = SAMPLE if mics == "shared" else SAMPLE.with_name("chores.stereo.flac")
    recorder = Recorder()
    analyze_audio(path, AnalyzeOptions(mics=mics), progress=recorder)
    names = [name for name, _, _ in recorder.stages]
    assert names == ["Reading the audio", "Finding speech", words_stage, "Reading the turns"]
    _, total, done = recorder.stages[1]
    assert total == pytest.approx(48.25, abs=0.01) and done == pytest.approx(total, abs=1e-3), \
        "finding speech counts the seconds of audio read"
    _, total, done = recorder.stages[2]
    assert total > 10 and total - 0.01 <= done < 1.5 * total, "transcription (and speaker search) report all their work"
