"""Odd input through the real command line: exit 0 or a one-line message with exit 2-5, never a
traceback or exit 1, and no input, history or special file changed.

Most cases run the CLI in-process through click's runner with the real entry point's standalone
behaviour (the group's own error handling, `sys.exit`); a few run it as a subprocess. Each case is
refused before any speech model loads, so this module is in the fast tier.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner

from builders import build
from listening_coach import history
from listening_coach.analysis_json import to_json
from listening_coach.cli import main

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_audio"


def snapshot(paths) -> dict:
    """What each path is: its file type, mode and, for a regular file, a digest of its bytes."""
    state = {}
    for path in paths:
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            state[path] = None
            continue
        digest = (hashlib.sha256(Path(path).read_bytes()).hexdigest()
                  if stat.S_ISREG(info.st_mode) else None)
        state[path] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), digest,
                       os.readlink(path) if stat.S_ISLNK(info.st_mode) else None)
    return state


def check_result(code: int, stderr: str, allowed=(2, 3, 4, 5)) -> str:
    """The one message line, after asserting the exit code and the absence of a traceback."""
    assert code in allowed, stderr
    assert "Traceback" not in stderr and "unexpected error" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip() and not line.endswith("[y/N]: ")]
    if code == 0:
        return "\n".join(lines)
    assert len(lines) == 1, stderr
    assert lines[0].startswith("listening-coach: "), stderr
    return lines[0]


def run(*args, input=None, allowed=(2, 3, 4, 5)):
    """Run the CLI in-process; returns (message line, stdout)."""
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{type(result.exception).__name__}: {result.exception}\n{result.stderr}")
    return check_result(result.exit_code, result.stderr, allowed), result.stdout


def tone(path, seconds=3.0, rate=16000, channels=1, subtype=None, level=0.3):
    frames = int(seconds * rate)
    signal = level * np.sin(2 * np.pi * 220 * np.arange(frames) / rate)
    soundfile.write(path, np.repeat(signal[:, None], channels, axis=1), rate, subtype=subtype)
    return path


def wav_claiming_rate(path, rate: int):
    """A 1 s 16 kHz WAV whose header says it was recorded at `rate` Hz."""
    tone(path, 1.0, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    assert data[24:28] == struct.pack("<I", 16000)
    data[24:28] = struct.pack("<I", rate)
    data[28:32] = struct.pack("<I", rate * 2)
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def files(tmp_path):
    """Real files of every odd kind, in a fresh folder."""
    f = {}
    f["talk"] = tone(tmp_path / "talk.flac")
    f["analysis"] = tmp_path / "analysis.json"
    f["analysis"].write_text(to_json(build([("A", 0.0, 2.0, "I felt ignored"),
                                            ("B", 2.5, 4.0, "so you felt alone")])))
    f["fifo"] = tmp_path / "pipe"
    os.mkfifo(f["fifo"])
    f["target"] = tmp_path / "target.json"
    f["target"].write_text("keep me\n")
    f["link"] = tmp_path / "link.json"
    f["link"].symlink_to(f["target"])
    f["folder"] = tmp_path / "folder"
    f["folder"].mkdir()
    f["plain"] = tmp_path / "plain.txt"
    f["plain"].write_text("a regular file\n")
    return f


def saved_session(name_a="Sam", name_b="Alex") -> int:
    return history.save_session(build([("A", 0.0, 2.0, "I felt ignored"), ("B", 2.5, 4.0, "so you felt")],
                                      names={"A": name_a, "B": name_b}), "/talks/t.wav",
                                datetime(2026, 1, 5, 20, 0))


# The cases of the issue ---------------------------------------------------------------------

@pytest.mark.parametrize("option", ["--json", "--html", "--rttm"])
def test_the_input_recording_is_never_an_output(files, option):
    before = snapshot([files["talk"]])
    message, _ = run("analyze", files["talk"], option, files["talk"], "--no-save")
    assert "input" in message
    assert snapshot([files["talk"]]) == before


def test_the_history_database_is_never_an_output(files, private_history):
    session = saved_session()
    database = history.database_path()
    before = snapshot([database])
    message, _ = run("report", session, "--html", database)
    assert "data folder" in message
    message, _ = run("history", "--csv", database)
    assert "data folder" in message
    assert snapshot([database]) == before


@pytest.mark.parametrize("kind, expected", [("fifo", "a FIFO"), ("link", "a symbolic link"),
                                            ("folder", "a folder")])
def test_special_files_are_never_replaced(files, kind, expected):
    guarded = [files[kind], files["target"], files["analysis"]]
    before = snapshot(guarded)
    message, _ = run("report", files["analysis"], "--html", files[kind])
    assert expected in message
    assert snapshot(guarded) == before


def test_a_device_is_never_replaced(files):
    before = snapshot(["/dev/null"])
    message, _ = run("report", files["analysis"], "--html", "/dev/null")
    assert "a device" in message
    assert snapshot(["/dev/null"]) == before


def test_dash_is_standard_output(files, tmp_path):
    message, out = run("report", files["analysis"], "--html", "-", allowed=(0,))
    assert out.lstrip().lower().startswith("<!doctype html")
    assert not (tmp_path / "-").exists() and not Path("-").exists()


@pytest.mark.parametrize("where", ["under a file", "in /proc"])
def test_an_unwritable_output_folder_is_refused_before_the_work(files, where):
    target = files["plain"] / "x.json" if where == "under a file" else Path("/proc/x.json")
    message, _ = run("analyze", files["talk"], "--json", target, "--no-save")
    assert str(target) in message and "no speech" not in message  # refused before the analysis


@pytest.mark.parametrize("value, expected", [(float("nan"), "not numbers"), (float("inf"), "not numbers")])
def test_samples_that_are_not_numbers(tmp_path, value, expected):
    path = tmp_path / "nan.wav"
    samples = np.full(32000, 0.1, dtype=np.float32)
    samples[1000] = value
    soundfile.write(path, samples, 16000, subtype="FLOAT")
    message, _ = run("analyze", path, "--no-save")
    assert expected in message and str(path) in message


@pytest.mark.parametrize("rate", [1, 10, 1_000_000])
def test_a_header_that_lies_about_the_rate(tmp_path, rate):
    message, _ = run("analyze", wav_claiming_rate(tmp_path / "liar.wav", rate), "--no-save")
    assert f"{rate} Hz" in message


@pytest.mark.parametrize("args", [["sessions", "delete", "99999999999999999999999", "--yes"],
                                  ["report", "99999999999999999999999"],
                                  ["sessions", "delete", "0", "--yes"]])
def test_huge_and_impossible_ids(args):
    message, _ = run(*args)
    assert "no session" in message


def test_report_on_a_folder(files):
    message, _ = run("report", files["folder"])
    assert "is a folder" in message


def test_report_on_deeply_nested_json(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    message, _ = run("report", path)
    assert str(path) in message


def test_one_damaged_row_does_not_hide_how_to_fix_it(private_history):
    session = saved_session()
    with __import__("sqlite3").connect(history.database_path()) as db:
        db.execute("UPDATE sessions SET recorded_at = 'garbage' WHERE id = ?", (session,))
    message, _ = run("history")
    assert f"session {session} is damaged" in message and "sessions delete" in message
    run("sessions", "delete", session, "--yes", allowed=(0,))
    run("history", allowed=(0,))


@pytest.mark.parametrize("names, expected", [
    ("[/bold]", "square brackets"), ("\x1b[31mSam", "control characters"),
    ("=cmd|' /C calc'!A0", "cannot start with"), ("", "give one or two names"),
    ("Sam,Sam", "different names"), ("Sam,sam", "different names"),
    ("S" * 41, "at most 40"), ("Sam,Alex,Kim", "one or two names"),
])
def test_bad_partner_names_are_refused_before_the_work(files, names, expected):
    message, _ = run("analyze", files["talk"], "--names", names, "--no-save")
    assert expected in message


def test_too_few_names_for_the_partners_said_are_refused_before_the_work(files):
    message, _ = run("analyze", files["talk"], "--names", "Sam", "--speakers", "2", "--no-save")
    assert "1 name(s) for 2" in message


def test_names_already_in_the_history_are_shown_inertly(private_history, tmp_path):
    saved_session("[/bold]", "\x1b[31mRed")
    saved_session("=cmd|' /C calc'!A0", "Alex")
    text, out = run("history", allowed=(0,))
    assert "[/bold]" in out and "\x1b" not in out
    csv_path = tmp_path / "s.csv"
    run("history", "--csv", csv_path, allowed=(0,))
    assert "'=cmd|" in csv_path.read_text() and ",=cmd" not in csv_path.read_text()


def test_one_voice_for_two_partners_is_refused_before_the_work(files):
    message, _ = run("analyze", files["talk"], "--voice", f"Sam={files['talk']}", "--speakers", "2",
                     "--no-save")
    assert "1 partner(s) of 2" in message


def test_no_at_the_delete_prompt_deletes_nothing(private_history):
    session = saved_session()
    message, _ = run("sessions", "delete", session, input="n\n", allowed=(0,))
    assert "Nothing was deleted" in message
    assert [s.id for s in history.list_sessions()] == [session]


def test_no_answer_at_the_delete_prompt_deletes_nothing(private_history):
    session = saved_session()
    message, _ = run("sessions", "delete", session, input="")
    assert "nothing was deleted" in message
    assert [s.id for s in history.list_sessions()] == [session]


def test_an_unusable_data_folder_is_not_blamed_on_another_process(files, monkeypatch):
    monkeypatch.setenv("LISTENING_COACH_HOME", str(files["plain"] / "home"))
    for args in (["history"], ["analyze", files["talk"]]):
        message, _ = run(*args)
        assert "LISTENING_COACH_HOME" in message and "wait" not in message


def test_record_refuses_a_name_that_is_not_wav(tmp_path):
    message, _ = run("record", "--output", tmp_path / "x.mp3", "--duration", "2")
    assert "ends in .wav" in message or "ending in .wav" in message
    assert not (tmp_path / "x.mp3").exists()


def test_two_recordings_started_in_one_second_get_two_names():
    code = "from listening_coach.record import default_output; print(default_output())"
    names = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, check=True).stdout for _ in range(2)}
    assert len(names) == 2


# More odd inputs ----------------------------------------------------------------------------

def odd_audio(tmp_path) -> dict:
    """Audio files that cannot be analysed, with a word their message must contain."""
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    header_only = tmp_path / "header.wav"
    soundfile.write(header_only, np.zeros((0, 1)), 16000)
    truncated = tmp_path / "truncated.flac"
    truncated.write_bytes((SAMPLES / "chores.mono.flac").read_bytes()[:100])
    text = tmp_path / "text.wav"
    text.write_text("RIFF but not really\n")
    noise = tmp_path / "random.mp3"
    noise.write_bytes(np.random.default_rng(1).bytes(5000))
    one = tmp_path / "one.wav"
    soundfile.write(one, np.array([0.5]), 16000)
    return {
        "empty file": (empty, "empty"),
        "0-length WAV": (header_only, "0.0 s long"),
        "truncated FLAC": (truncated, str(truncated)),
        "text named .wav": (text, "not a readable audio file"),
        "random bytes named .mp3": (noise, "not a readable audio file"),
        "1-sample file": (one, "0.0 s long"),
        "3 channels": (tone(tmp_path / "three.wav", channels=3), "3 channels"),
        "300 channels": (tone(tmp_path / "many.wav", 0.2, channels=300), "300 channels"),
        "8-bit, too short": (tone(tmp_path / "u8.wav", 0.5, subtype="PCM_U8"), "0.5 s long"),
        "8 kHz a-law, too short": (tone(tmp_path / "alaw.wav", 0.5, rate=8000, subtype="ALAW"), "0.5 s"),
        "a folder": (tmp_path, "is a folder"),
        "a FIFO": (None, "not a regular file"),
        "a device": (Path("/dev/zero"), "not a regular file"),
        "missing": (tmp_path / "nowhere.wav", "no such file"),
    }


@pytest.mark.parametrize("case", ["empty file", "0-length WAV", "truncated FLAC", "text named .wav",
                                  "random bytes named .mp3", "1-sample file", "3 channels",
                                  "300 channels", "8-bit, too short", "8 kHz a-law, too short",
                                  "a folder", "a FIFO", "a device", "missing"])
def test_odd_audio(tmp_path, files, case):
    path, expected = odd_audio(tmp_path)[case]
    path = files["fifo"] if path is None else path
    before = snapshot([path])
    message, _ = run("analyze", path, "--no-save")
    assert expected in message
    assert snapshot([path]) == before


@pytest.mark.parametrize("args, expected", [
    (["history", "--since", "2999-01-01"], None),
    (["history", "--since", "0001-01-01"], None),
    (["history", "--since", "yesterday"], "--since"),
    (["history", "--since", "2026-02-30"], "--since"),
    (["history", "--plot", "trend.txt"], ".png or .svg"),
    (["record", "--duration", "-5"], "--duration"),
    (["record", "--duration", "0"], "--duration"),
    (["record", "--channels", "3"], "--channels"),
    (["analyze", "talk.flac", "--mics", "bogus"], "--mics"),
    (["analyze", "talk.flac", "--speakers", "0"], "'--speakers': '0' is not one of"),
    (["analyze", "talk.flac", "--voice", "Sam=a.wav", "--voice", "sam=b.wav"], "given twice"),
    (["analyze", "talk.flac", "--voice", "Sam=", "--no-save"], "NAME=FILE"),
    (["analyze", "--no-such-option"], "--no-such-option"),
    (["frobnicate"], "frobnicate"),
    (["sessions", "delete", "twelve"], "twelve"),
    (["analyze", "talk.flac", "--json", "same.json", "--html", "same.json"], "same file"),
    (["analyze", "talk.flac", "--json", "-", "--html", "-"], "standard output"),
    (["history", "--plot", "-"], ".png or .svg"),
])
def test_odd_options(files, monkeypatch, args, expected):
    monkeypatch.chdir(files["talk"].parent)
    message, _ = run(*args, allowed=(0,) if expected is None else (2, 3, 4, 5))
    if expected is not None:
        assert expected in message


@pytest.mark.parametrize("content, expected", [
    ('{"schema": "something/else"}', "not a listening-coach analysis"),
    ("[1, 2, 3]", "not a listening-coach analysis"),
    ('{"schema": "listening-coach.analysis/1", "turns": 5}', "damaged"),
    ('{"schema": "listening-coach.analysis/1", "audio": {"path": 1}, "speakers": [],'
     ' "turns": [], "interruptions": [], "backchannels": [], "mics": "x", "scores": []}', "damaged"),
    (b"\xff\xfe\x00garbage", "not valid JSON"),
])
def test_odd_analysis_files(tmp_path, content, expected):
    path = tmp_path / "odd.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    message, _ = run("report", path)
    assert expected in message


@pytest.mark.parametrize("field, value", [("start", "abc"), ("start", [1])])
def test_an_analysis_with_a_value_of_the_wrong_kind(tmp_path, field, value):
    data = json.loads(to_json(build([("A", 0.0, 2.0, "I felt ignored"), ("B", 2.5, 4.0, "so you felt")])))
    data["turns"][0][field] = value
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(data))
    message, _ = run("report", path)
    assert str(path) in message and "wrong kind" in message


def test_classify_never_writes_over_its_input(tmp_path, files):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": 1, "text": "how do you feel?"}) + "\n")
    guarded = [source, files["fifo"]]
    before = snapshot(guarded)
    for target, expected in ((source, "input"), (files["fifo"], "a FIFO")):
        message, _ = run("classify", source, "--output", target)
        assert expected in message
    assert snapshot(guarded) == before
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\x00\xff" * 100)
    message, _ = run("classify", binary)
    assert str(binary) in message


@pytest.mark.parametrize("command", ["report", "classify"])
def test_a_fifo_as_input_is_refused_without_waiting(files, command):
    message, _ = run(command, files["fifo"])
    assert "not a regular file" in message


def test_a_reader_that_leaves_early_is_no_error(tmp_path):
    rows = [("A" if n % 2 else "B", 2.0 * n, 2.0 * n + 1.5, "so you felt alone and unheard") for n in range(400)]
    source = tmp_path / "long.json"
    source.write_text(to_json(build(rows)))  # its page is well over a pipe's 64 kB
    code = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-m', 'listening_coach.cli',"
            f" 'report', {str(source)!r}, '--html', '-'], stdout=subprocess.PIPE, stderr=subprocess.PIPE);"
            " p.stdout.read(10); p.stdout.close(); err = p.stderr.read().decode(); p.wait();"
            " print(p.returncode); print(err)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=120).stdout
    code, _, stderr = out.partition("\n")
    assert code == "0" and "Traceback" not in stderr and "error" not in stderr, out


def test_history_csv_to_standard_output(private_history):
    saved_session()
    _, out = run("history", "--csv", "-", allowed=(0,))
    assert out.splitlines()[0].startswith("session,recorded_at")


def test_the_real_entry_point_gives_one_line(tmp_path, files):
    """As a subprocess: the console entry's own handling of click's errors and of ours."""
    env = {**os.environ, "LISTENING_COACH_HOME": str(tmp_path / "home")}
    for args, code in ((["analyze", str(files["talk"]), "--json", str(files["talk"])], 2),
                       (["report", str(files["folder"])], 2),
                       (["history", "--since", "soon"], 2)):
        result = subprocess.run([sys.executable, "-m", "listening_coach.cli", *args], cwd=REPO,
                                env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == code
        check_result(result.returncode, result.stderr)
