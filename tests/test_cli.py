"""The command line end to end on a sample conversation, with the real model."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "sample_audio"
SPEAKER_FIELDS = {"id", "name", "talk_time", "talk_share", "turns", "words", "words_per_minute",
                  "interruptions_made", "times_interrupted", "backchannels", "open_questions",
                  "closed_questions", "reflections", "validations", "criticisms"}
TURN_FIELDS = {"index", "speaker", "start", "end", "text", "reply_to", "latency", "interruption", "words",
               "labels"}


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "listening_coach.cli", *args], capture_output=True,
                          text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    result = run_cli("analyze", str(SAMPLES / "weekend.stereo.flac"), "--names", "Sam,Alex",
                     "--json", str(folder / "a.json"), "--rttm", str(folder / "a.rttm"), "--no-save")
    return result, folder


def test_analyze_prints_a_report_and_exits_0(analysed):
    result, _ = analysed
    assert result.returncode == 0, result.stderr
    assert "Sam" in result.stdout and "Alex" in result.stdout
    assert "one microphone per partner" in result.stderr
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


def test_json_follows_the_documented_schema(analysed):
    _, folder = analysed
    data = json.loads((folder / "a.json").read_text())
    assert data["schema"] == "listening-coach.analysis/1"
    assert data["audio"]["channels"] == 2 and data["audio"]["sample_rate"] == 16000
    assert abs(data["audio"]["duration"] - 46.7) < 0.5
    assert [s["name"] for s in data["speakers"]] == ["Sam", "Alex"]
    assert all(SPEAKER_FIELDS <= set(s) for s in data["speakers"])
    ids = {s["id"] for s in data["speakers"]}
    assert data["turns"] and all(TURN_FIELDS <= set(t) for t in data["turns"])
    assert [t["index"] for t in data["turns"]] == list(range(len(data["turns"])))
    for turn in data["turns"]:
        assert turn["speaker"] in ids and turn["start"] <= turn["end"]
        assert turn["text"] == " ".join(w["text"] for w in turn["words"])
        assert turn["labels"]["question"] in ("open", "closed", None)
    for interruption in data["interruptions"]:
        assert data["turns"][interruption["turn"]]["interruption"]
        assert {interruption["interrupter"], interruption["interrupted"]} == ids
    assert all(b["speaker"] in ids and b["time"] <= b["end"] for b in data["backchannels"])
    assert set(data["scores"]) == ids


def test_output_files_are_private(analysed):
    _, folder = analysed
    assert {(folder / name).stat().st_mode & 0o777 for name in ("a.json", "a.rttm")} == {0o600}
    assert sorted(p.name for p in folder.iterdir()) == ["a.json", "a.rttm"]  # no .partial left


def test_rttm_lists_who_spoke_when(analysed):
    _, folder = analysed
    lines = (folder / "a.rttm").read_text().splitlines()
    data = json.loads((folder / "a.json").read_text())
    voice = sorted((round(a, 3), speaker) for speaker, spans in data["voice"].items() for a, _ in spans)
    assert len(lines) == len(voice) >= len(data["turns"])  # where each voice is, pauses apart
    assert sorted((float(line.split()[3]), line.split()[7]) for line in lines) == voice
    fields = lines[0].split()
    assert fields[0] == "SPEAKER" and fields[1] == "weekend.stereo" and fields[7] in ("A", "B")
    assert float(fields[3]) >= 0 and float(fields[4]) > 0


def test_a_shared_microphone_is_named_with_what_it_measures_less_surely():
    """Also: `--json -` puts the analysis alone on stdout, and the report goes to stderr."""
    result = run_cli("analyze", str(SAMPLES / "chores.mono.flac"), "--no-save", "--json", "-")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["mics"] == "shared"
    assert "Microphones: one channel, so one shared microphone." in result.stderr
    assert "a microphone per partner gives surer interruption counts" in " ".join(result.stderr.split())
    assert "interruption" in result.stderr.lower()
    assert "Two voices were heard" not in result.stderr  # a conversation, not a crowd
    assert not Path("-").exists()


def test_demo_runs_the_bundled_sample():
    result = run_cli("demo")
    assert result.returncode == 0, result.stderr
    assert "Demo: analysing the bundled sample conversation" in result.stderr
    assert "overall" in result.stdout


def test_every_command_has_help_with_examples():
    commands = [[], ["analyze"], ["demo"], ["classify"], ["report"], ["record"], ["devices"],
                ["history"], ["sessions", "delete"]]
    for command in commands:
        result = run_cli(*command, "--help")
        assert result.returncode == 0 and "Example" in result.stdout, command
        assert all(len(line) <= 80 for line in result.stdout.splitlines()), command
