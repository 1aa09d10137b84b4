"""`history`, `sessions delete` and their files, on sessions saved from hand-built analyses."""

from __future__ import annotations

import csv
import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from listening_coach import history
from listening_coach.cli import main
from test_history import talk


@pytest.fixture
def saved(tmp_path, monkeypatch) -> list[int]:
    """Three sessions a week apart in which Alex interrupts Sam 3, 2 then 1 times."""
    monkeypatch.setenv("LISTENING_COACH_HOME", str(tmp_path / "home"))
    return [history.save_session(talk(interruptions=n, duration=300.0), f"/talks/{n}.wav",
                                 datetime(2025, 3, day, 20, 0))
            for n, day in ((3, 1), (2, 8), (1, 15))]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_history_json_lists_interruptions_per_partner(saved):
    result = run("history", "--json")
    assert result.exit_code == 0, result.output
    sessions = json.loads(result.stdout)
    assert [s["id"] for s in sessions] == saved
    alex = [next(p for p in s["partners"] if p["name"] == "Alex") for s in sessions]
    assert [p["interruptions_made"] for p in alex] == [3, 2, 1]
    assert [p["interruptions_per_10_min"] for p in alex] == [6.0, 4.0, 2.0]
    assert sessions[0]["recorded_at"].startswith("2025-03-01")


def test_history_table_and_trend_fit_80_columns(saved):
    result = run("history")
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert "2025-03-08" in result.stdout
    assert "Alex" in result.stdout and "6.0 -> 2.0 per 10 min, 3 -> 1 raw, 3 session(s)" in result.stdout


def test_history_filters(saved):
    since = json.loads(run("history", "--json", "--since", "2025-03-08").stdout)
    assert [s["id"] for s in since] == saved[1:]
    assert json.loads(run("history", "--json", "--partner", "nobody").stdout) == []


def test_history_csv(saved, tmp_path):
    path = tmp_path / "sessions.csv"
    assert run("history", "--csv", str(path)).exit_code == 0
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 6
    assert [r["interruptions_made"] for r in rows if r["partner"] == "Alex"] == ["3", "2", "1"]
    assert rows[0]["session"] == str(saved[0]) and rows[0]["duration_s"] == "300.0"


@pytest.mark.parametrize("suffix, start", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_history_plot(saved, tmp_path, suffix, start):
    path = tmp_path / f"trend{suffix}"
    result = run("history", "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(start) and path.stat().st_size > 1000


def test_history_plot_needs_png_or_svg(saved, tmp_path):
    result = run("history", "--plot", str(tmp_path / "trend.pdf"))
    assert result.exit_code == 2 and ".png or .svg" in result.stderr


def test_history_when_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("LISTENING_COACH_HOME", str(tmp_path / "home"))
    result = run("history")
    assert result.exit_code == 0 and "No sessions saved yet" in result.stderr


def test_sessions_delete(saved):
    result = run("sessions", "delete", str(saved[0]), "--yes")
    assert result.exit_code == 0, result.output
    assert "kept" in result.stderr  # /talks/3.wav is the user's own file
    assert [s.id for s in history.list_sessions()] == saved[1:]
    missing = run("sessions", "delete", str(saved[0]), "--yes")
    assert missing.exit_code == 2 and "no session" in missing.stderr


def test_sessions_delete_asks_first(saved):
    result = CliRunner().invoke(main, ["sessions", "delete", str(saved[0])], input="n\n")
    assert result.exit_code == 0 and "Nothing was deleted" in result.stderr
    assert "error" not in result.stderr
    assert len(history.list_sessions()) == 3


def test_damaged_history_exits_with_its_code(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / history.DATABASE_NAME).write_text("not sqlite" * 200)
    monkeypatch.setenv("LISTENING_COACH_HOME", str(home))
    result = run("history")
    assert result.exit_code == 5 and "Move it aside" in result.stderr


def test_report_re_renders_a_saved_session(saved):
    result = run("report", str(saved[1]))
    assert result.exit_code == 0, result.output
    assert "Alex" in result.stdout and "Sam" in result.stdout
    assert run("report", "999").exit_code == 2
