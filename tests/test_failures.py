"""Bad input: one clear line on stderr naming the file and what to do, exit code 2, no traceback."""

import subprocess
import sys

import numpy as np
import pytest
import soundfile

from listening_coach.audio import load_audio
from listening_coach.errors import AudioError, InputError


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "listening_coach.cli", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def write_tone(path, seconds, channels=1, level=0.0):
    frames = int(seconds * 16000)
    t = np.arange(frames) / 16000
    signal = level * np.sin(2 * np.pi * 220 * t)
    soundfile.write(path, np.repeat(signal[:, None], channels, axis=1), 16000)
    return path


@pytest.fixture
def bad_files(tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio\n")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    return {
        "missing": (tmp_path / "nowhere.wav", "no such file"),
        "text named .wav": (text, "not a readable audio file"),
        "zero bytes": (empty, "empty"),
        "all silence": (write_tone(tmp_path / "silence.wav", 5.0), "no speech"),
        "0.2 s clip": (write_tone(tmp_path / "short.wav", 0.2, level=0.3), "0.2 s long"),
        "6 channels": (write_tone(tmp_path / "surround.wav", 3.0, channels=6, level=0.3), "6 channels"),
    }


@pytest.mark.parametrize("case", ["missing", "text named .wav", "zero bytes", "all silence",
                                  "0.2 s clip", "6 channels"])
def test_analyze_bad_input_gives_one_clear_line_and_exit_2(bad_files, case):
    path, expected = bad_files[case]
    result = run_cli("analyze", str(path), "--no-save")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    message = lines[0]
    assert message.startswith("listening-coach: ") and str(path) in message
    assert expected in message
    assert "Traceback" not in result.stderr


def test_loader_errors_are_typed(bad_files):
    with pytest.raises(InputError):
        load_audio(bad_files["missing"][0])
    with pytest.raises(AudioError):
        load_audio(bad_files["text named .wav"][0])
    with pytest.raises(AudioError):
        load_audio(bad_files["6 channels"][0])


def test_per_partner_on_a_mono_file_is_refused(tmp_path):
    path = write_tone(tmp_path / "mono.wav", 3.0, level=0.3)
    result = run_cli("analyze", str(path), "--mics", "per-partner", "--no-save")
    assert result.returncode == 2
    assert "--mics per-partner needs a stereo file" in result.stderr


@pytest.mark.parametrize("option, value, expected, code", [
    ("--names", "Sam,", "--names", 2),
    ("--speakers", "3", "'--speakers': '3' is not one of", 2),
    ("--voice", "sam.wav", "NAME=FILE", 2),
    ("--model", "./no/such/model", "no such model folder", 3),
])
def test_bad_options_are_explained(tmp_path, option, value, expected, code):
    path = write_tone(tmp_path / "tone.wav", 3.0, level=0.3)
    result = run_cli("analyze", str(path), option, value, "--no-save")
    assert result.returncode == code, result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr
