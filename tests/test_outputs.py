"""The safe output writer: 0600 files, atomic, refusals, and a late failure that loses nothing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from builders import build
from listening_coach import history
from listening_coach.cli import finish
from listening_coach.errors import InputError
from listening_coach.outputs import check_output, write_output


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_output_is_private(tmp_path):
    path = tmp_path / "new" / "talk.json"
    write_output(check_output("--json", path), "{}\n")
    assert path.read_text() == "{}\n" and mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["talk.json"]  # no .partial left


def test_overwriting_a_readable_file_makes_it_private(tmp_path):
    path = tmp_path / "talk.html"
    path.write_text("old")
    path.chmod(0o644)
    write_output(check_output("--html", path), "new")
    assert path.read_text() == "new" and mode(path) == 0o600


def test_the_same_file_under_another_name_is_still_an_input(tmp_path):
    audio = tmp_path / "talk.flac"
    audio.write_bytes(b"sound")
    os.link(audio, tmp_path / "alias.json")
    with pytest.raises(InputError, match="input"):
        check_output("--json", tmp_path / "alias.json", inputs=[audio])
    with pytest.raises(InputError, match="input"):
        check_output("--json", tmp_path / "sub" / ".." / "talk.flac", inputs=[audio])


def test_anything_in_the_data_folder_is_refused(private_history):
    for path in (history.database_path(), history.recordings_dir() / "new.json",
                 private_history / "x.html"):
        with pytest.raises(InputError, match="data folder"):
            check_output("--html", path)


def test_dash_is_refused_where_standard_output_makes_no_sense():
    with pytest.raises(InputError, match="standard output"):
        check_output("--plot", "-")
    assert check_output("--json", "-", stdout_ok=True).to_stdout


def test_a_late_write_failure_keeps_the_session_and_leaves_no_partial(tmp_path, private_history):
    folder = tmp_path / "out"
    folder.mkdir()
    outputs = {"json": check_output("--json", folder / "talk.json")}
    folder.rmdir()
    folder.write_text("now a file")  # the folder became a file during the analysis
    analysis = build([("A", 0.0, 2.0, "I felt ignored"), ("B", 2.5, 4.0, "so you felt alone")])
    with pytest.raises(InputError) as caught:
        finish(analysis, outputs, tmp_path / "talk.wav")
    assert "saved as 1" in str(caught.value) and "report 1 --html" in str(caught.value)
    assert [s.id for s in history.list_sessions()] == [1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
