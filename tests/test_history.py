"""The history database: real SQLite files in a temporary LISTENING_COACH_HOME."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from builders import build
from listening_coach import history
from listening_coach.analysis_json import to_dict, write_json
from listening_coach.errors import HistoryError, InputError

REPO = Path(__file__).resolve().parent.parent

SAVER = """
import sys
from listening_coach.analysis_json import read_json
from listening_coach.history import save_session
analysis = read_json(sys.argv[1])
count = int(sys.argv[2])
n = 0
while count < 0 or n < count:
    save_session(analysis, "talk.wav")
    n += 1
"""
"""Saves the analysis in argv[1] argv[2] times (forever when negative)."""


def talk(interruptions: int = 1, names: dict[str, str] | None = None, duration: float = 60.0):
    """A hand-built conversation in which B interrupts A `interruptions` times."""
    rows = []
    for i in range(interruptions):
        t = i * 10.0
        rows += [("A", t, t + 5.0, "I was saying something rather long here"),
                 ("B", t + 3.0, t + 8.0, "but listen to what I think instead")]
    return build(rows, names=names or {"A": "Sam", "B": "Alex"}, duration=duration)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("LISTENING_COACH_HOME", str(path))
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def saver(home: Path, tmp_path: Path, count: int) -> subprocess.Popen:
    analysis_path = tmp_path / "analysis.json"
    if not analysis_path.exists():
        write_json(talk(), analysis_path)
    env = {**os.environ, "LISTENING_COACH_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", SAVER, str(analysis_path), str(count)], env=env)


def test_save_list_get_delete(home):
    analysis = talk(interruptions=2, duration=120.0)
    session_id = history.save_session(analysis, "/elsewhere/talk.wav", datetime(2025, 3, 1, 20, 0))

    [summary] = history.list_sessions()
    assert summary.id == session_id
    assert summary.recorded_at == datetime(2025, 3, 1, 20, 0).astimezone()
    assert summary.duration == 120.0 and summary.audio_path == "/elsewhere/talk.wav"
    alex = summary.partners[1]
    assert (alex.name, alex.interruptions_made, alex.interruptions_per_10_min) == ("Alex", 2, 10.0)
    assert summary.partners[0].times_interrupted == 2
    assert history.get_session(session_id) == analysis

    deleted = history.delete_session(session_id)
    assert not deleted.audio_deleted  # the user's own file elsewhere is never touched
    assert history.list_sessions() == []
    with pytest.raises(InputError, match="no session"):
        history.get_session(session_id)


def test_delete_removes_audio_recorded_into_the_data_dir(home):
    audio = history.recordings_dir() / "2025-03-01_200000.wav"
    audio.write_bytes(b"RIFF")
    mine = home.parent / "mine.wav"
    mine.write_bytes(b"RIFF")
    ours_id = history.save_session(talk(), audio)
    mine_id = history.save_session(talk(), mine)

    assert history.delete_session(ours_id).audio_deleted and not audio.exists()
    assert not history.delete_session(mine_id).audio_deleted and mine.exists()
    with pytest.raises(InputError, match="no session"):
        history.delete_session(ours_id)


def test_filters_by_partner_and_date(home):
    history.save_session(talk(names={"A": "Sam", "B": "Alex"}), "a.wav", datetime(2025, 1, 5, 9))
    history.save_session(talk(names={"A": "Sam", "B": "Kim"}), "b.wav", datetime(2025, 2, 5, 9))
    assert [s.audio_path for s in history.list_sessions(partner="KIM")] == ["b.wav"]
    assert [s.audio_path for s in history.list_sessions(since=date(2025, 2, 5))] == ["b.wav"]
    assert [s.audio_path for s in history.list_sessions(partner="sam")] == ["a.wav", "b.wav"]


def test_data_is_private(home):
    previous = os.umask(0)  # even a permissive umask gives private files
    try:
        history.save_session(talk(), "talk.wav")
        reader = sqlite3.connect(history.database_path())  # keeps -wal and -shm in place
        reader.execute("SELECT COUNT(*) FROM sessions").fetchone()
        history.save_session(talk(), "talk.wav")
        files = [history.database_path().with_name(history.DATABASE_NAME + suffix)
                 for suffix in ("", "-wal", "-shm")]
        assert [mode(f) for f in files] == [0o600] * 3
        reader.close()
    finally:
        os.umask(previous)
    assert mode(home) == 0o700 and mode(history.recordings_dir()) == 0o700


def test_two_processes_saving_at_once_both_land(home, tmp_path):
    history.list_sessions()  # create the database first, as the first use of the tool would
    savers = [saver(home, tmp_path, 25) for _ in range(2)]
    assert [p.wait(timeout=120) for p in savers] == [0, 0]
    sessions = history.list_sessions()
    assert len(sessions) == 50 and len({s.id for s in sessions}) == 50
    assert all(len(s.partners) == 2 for s in sessions)


def test_two_processes_creating_the_database_at_once(home, tmp_path):
    savers = [saver(home, tmp_path, 3) for _ in range(2)]
    assert [p.wait(timeout=120) for p in savers] == [0, 0]
    assert len(history.list_sessions()) == 6


def test_kill_9_during_saves_leaves_the_database_intact(home, tmp_path):
    history.list_sessions()
    process = saver(home, tmp_path, -1)
    deadline = time.monotonic() + 60
    while _count(home) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()

    db = sqlite3.connect(history.database_path())
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    sessions, with_figures = db.execute(
        "SELECT COUNT(*), (SELECT COUNT(DISTINCT session_id) FROM partner_figures) FROM sessions").fetchone()
    db.close()
    assert sessions >= 20 and with_figures == sessions  # every save landed whole or not at all
    history.save_session(talk(), "after.wav")
    assert len(history.list_sessions()) == sessions + 1


def _count(home: Path) -> int:
    try:
        db = sqlite3.connect(home / history.DATABASE_NAME, timeout=5)
        return db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        db.close()


def test_damaged_database_says_where_it_is_and_what_to_do(home):
    home.mkdir(mode=0o700)
    (home / history.DATABASE_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError) as caught:
        history.list_sessions()
    message = str(caught.value)
    assert str(home / history.DATABASE_NAME) in message
    assert "damaged" in message and "Move it aside" in message
    assert caught.value.exit_code == 5


V1_SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at TEXT NOT NULL,
    duration REAL NOT NULL,
    partners TEXT NOT NULL,
    audio_path TEXT NOT NULL,
    analysis_json TEXT NOT NULL
);
CREATE INDEX sessions_recorded_at ON sessions (recorded_at);
PRAGMA user_version = 1;
"""
"""The schema as the first release wrote it: sessions without per-partner columns."""


def test_version_1_database_migrates_forward(home):
    home.mkdir(mode=0o700)
    db = sqlite3.connect(home / history.DATABASE_NAME)
    db.executescript(V1_SCHEMA)
    db.execute("INSERT INTO sessions VALUES (7, '2025-01-05T09:00:00+00:00', 60.0, 'Sam, Alex', "
               "'old.wav', ?)", (json.dumps(to_dict(talk(interruptions=3))),))
    db.commit()
    db.close()

    [old] = history.list_sessions()
    assert old.id == 7 and [p.interruptions_made for p in old.partners] == [0, 3]
    assert history.save_session(talk(), "new.wav") == 8
    db = sqlite3.connect(home / history.DATABASE_NAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(history.MIGRATIONS) >= 2
    db.close()


def test_newer_database_asks_for_an_upgrade(home):
    home.mkdir(mode=0o700)
    db = sqlite3.connect(home / history.DATABASE_NAME)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(HistoryError, match="newer listening-coach"):
        history.list_sessions()
