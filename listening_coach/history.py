"""The history of sessions: a private SQLite database in the user's data directory.

The directory is `LISTENING_COACH_HOME` when set, else the platform's user data directory. It is
made readable by its owner only (0700), and so are the database and its -wal/-shm files (0600).

Every save is one transaction in WAL mode with a busy timeout, so two analyses saving at once both
land and a process killed mid-save leaves the previous state. The schema grows through an
append-only list of migrations; `PRAGMA user_version` records how many have been applied.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from .analysis_json import from_dict, to_dict
from .errors import HistoryError, InputError
from .types import Analysis

DATABASE_NAME = "history.sqlite3"
BUSY_TIMEOUT = 30.0
"""Seconds a save waits for another process's save before giving up."""


def data_location() -> Path:
    """Where the data directory is (`LISTENING_COACH_HOME` or the platform's), without making it."""
    home = os.environ.get("LISTENING_COACH_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("listening-coach", appauthor=False))


def data_dir() -> Path:
    """The data directory, made (or tightened to) 0700: `data_location()`."""
    path = data_location()
    _private_dir(path)
    return path


def recordings_dir() -> Path:
    """Where `record` keeps its audio by default (0700); `sessions delete` removes audio only here."""
    path = data_dir() / "recordings"
    _private_dir(path)
    return path


def database_path() -> Path:
    """The history database file."""
    return data_dir() / DATABASE_NAME


def _private_dir(path: Path) -> None:
    """Make `path` a folder only its owner can enter (0700), tightening an existing one."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError as error:
        raise HistoryError(f"{path}: cannot create or use the data directory ({error.strerror}); "
                           "set LISTENING_COACH_HOME to a folder you can write.") from None


# Migrations: append only. Each takes a connection inside the migrating transaction.

def _v1_sessions(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at TEXT NOT NULL,      -- ISO 8601, UTC
            duration REAL NOT NULL,         -- seconds
            partners TEXT NOT NULL,         -- display names, comma-separated
            audio_path TEXT NOT NULL,
            analysis_json TEXT NOT NULL     -- analysis_json.to_dict
        )""")
    db.execute("CREATE INDEX sessions_recorded_at ON sessions (recorded_at)")


def _v2_partner_figures(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE partner_figures (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,      -- 0 for the first partner
            speaker TEXT NOT NULL,          -- speaker id in the analysis ("A", "B")
            name TEXT NOT NULL,
            interruptions_made INTEGER NOT NULL,
            times_interrupted INTEGER NOT NULL,
            talk_share REAL NOT NULL,       -- 0-1
            open_questions INTEGER NOT NULL,
            reflections INTEGER NOT NULL,
            score INTEGER,                  -- overall 0-100, NULL when not scored
            technique_scores TEXT NOT NULL, -- JSON {technique: 0-100}
            PRIMARY KEY (session_id, position)
        )""")
    db.execute("CREATE INDEX partner_figures_name ON partner_figures (name COLLATE NOCASE)")
    for session_id, text in db.execute("SELECT id, analysis_json FROM sessions").fetchall():
        _insert_figures(db, session_id, json.loads(text))


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1_sessions, _v2_partner_figures)


@dataclass(frozen=True)
class PartnerFigures:
    """One partner's figures in one session; `interruptions_per_10_min` uses the session length."""

    speaker: str
    name: str
    interruptions_made: int
    times_interrupted: int
    interruptions_per_10_min: float
    talk_share: float
    open_questions: int
    reflections: int
    score: int | None
    technique_scores: dict[str, int]


@dataclass(frozen=True)
class SessionSummary:
    """A saved session without its full analysis; `duration` in seconds."""

    id: int
    recorded_at: datetime
    duration: float
    audio_path: str
    partners: tuple[PartnerFigures, ...]


@dataclass(frozen=True)
class Deleted:
    """What `delete_session` removed: `audio_deleted` is False when the audio was the user's own
    file (outside the recordings folder) or already gone."""

    id: int
    audio_path: str
    audio_deleted: bool


@contextmanager
def _database() -> Iterator[sqlite3.Connection]:
    """An open, migrated connection in autocommit mode; SQLite errors become HistoryError."""
    path = database_path()
    _private_file(path)
    db = None
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        _use_wal(db)
        db.execute("PRAGMA synchronous = FULL")
        _migrate(db, path)
        yield db
    except sqlite3.OperationalError as error:
        raise HistoryError(f"{path}: cannot use the history database ({error}); "
                           f"{_advice(error)}") from None
    except sqlite3.DatabaseError as error:
        raise HistoryError(f"{path}: the history database is damaged ({error}). Move it aside "
                           f"(mv '{path}' '{path}.damaged') to start a new history; "
                           "'sqlite3 FILE .recover' may rescue its sessions.") from None
    finally:
        if db is not None:
            db.close()


def _private_file(path: Path) -> None:
    """Create the database file 0600 (SQLite copies its mode to -wal/-shm), or tighten it."""
    try:
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        elif path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError as error:
        raise HistoryError(f"{path}: cannot create or use the history database ({error.strerror}); "
                           f"{_FOLDER_ADVICE}") from None


_FOLDER_ADVICE = ("make the data folder writable and free some space, or set "
                  "LISTENING_COACH_HOME to a folder you can write.")


def _advice(error: sqlite3.OperationalError) -> str:
    """What to do about an SQLite error: wait only when another process holds the lock."""
    code = getattr(error, "sqlite_errorcode", None)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(error):
        return "another listening-coach is using it: wait for it to finish and try again."
    return _FOLDER_ADVICE


def _use_wal(db: sqlite3.Connection) -> None:
    """Put the database in WAL mode (a setting kept in the file).

    SQLite refuses the switch at once, without waiting, while another process is creating the
    same database, so the switch is retried for up to `BUSY_TIMEOUT` seconds.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    while db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    if db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS):
        return
    with _transaction(db):
        version = db.execute("PRAGMA user_version").fetchone()[0]  # again, now that we hold the lock
        if version > len(MIGRATIONS):
            raise HistoryError(f"{path}: this history was written by a newer listening-coach "
                               f"(schema {version}); upgrade listening-coach to read it.")
        for migration in MIGRATIONS[version:]:
            migration(db)
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE (takes the write lock, waiting up to the busy timeout) ... COMMIT."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def check_database() -> None:
    """Open (creating or migrating) the history now, so that a problem is said before the work."""
    with _database():
        pass


def save_session(analysis: Analysis, audio_path: str | Path, recorded_at: datetime | None = None) -> int:
    """Keep `analysis` in the history with its figures per partner; returns the new session id.

    `recorded_at` defaults to now; naive datetimes are taken as local time.
    """
    when = (recorded_at or datetime.now()).astimezone(timezone.utc)
    data = to_dict(analysis)
    with _database() as db, _transaction(db):
        cursor = db.execute(
            "INSERT INTO sessions (recorded_at, duration, partners, audio_path, analysis_json) "
            "VALUES (?, ?, ?, ?, ?)",
            (when.isoformat(timespec="seconds"), analysis.audio.duration,
             ", ".join(s.name for s in analysis.speakers), str(audio_path),
             json.dumps(data, ensure_ascii=False)))
        session_id = cursor.lastrowid
        _insert_figures(db, session_id, data)
    return session_id


def _insert_figures(db: sqlite3.Connection, session_id: int, data: dict) -> None:
    """The per-partner columns, taken from an analysis in `to_dict` form."""
    for position, stats in enumerate(data["speakers"]):
        score = data["scores"].get(stats["id"])
        db.execute(
            "INSERT INTO partner_figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, position, stats["id"], stats["name"], stats["interruptions_made"],
             stats["times_interrupted"], stats["talk_share"], stats["open_questions"],
             stats["reflections"], score["overall"] if score else None,
             json.dumps({n: t["score"] for n, t in score["techniques"].items()} if score else {})))


def list_sessions(partner: str | None = None, since: date | None = None) -> list[SessionSummary]:
    """Saved sessions, oldest first: those with `partner` (any case) and on or after `since`
    (a local date)."""
    query = "SELECT id, recorded_at, duration, audio_path FROM sessions WHERE 1"
    params: list = []
    if partner:
        query += (" AND id IN (SELECT session_id FROM partner_figures"
                  " WHERE name = ? COLLATE NOCASE)")
        params.append(partner)
    if since:
        since = max(since, EARLIEST)  # no session is older; far earlier dates overflow the conversion
        start = datetime.combine(since, datetime.min.time()).astimezone(timezone.utc)
        query += " AND recorded_at >= ?"
        params.append(start.isoformat(timespec="seconds"))
    where = str(database_path())
    with _database() as db:
        rows = db.execute(query + " ORDER BY recorded_at, id", params).fetchall()
        figures: dict[int, list[PartnerFigures]] = {}
        for row in db.execute(
                "SELECT f.session_id, f.speaker, f.name, f.interruptions_made, f.times_interrupted,"
                " f.talk_share, f.open_questions, f.reflections, f.score, f.technique_scores,"
                " s.duration FROM partner_figures f JOIN sessions s ON s.id = f.session_id"
                " ORDER BY f.session_id, f.position"):
            with _row_check(where, row[0]):
                figures.setdefault(row[0], []).append(_figures(*row[1:]))
    summaries = []
    for i, when, duration, audio in rows:
        with _row_check(where, i):
            summaries.append(SessionSummary(
                id=i, recorded_at=datetime.fromisoformat(when).astimezone(), duration=float(duration),
                audio_path=str(audio), partners=tuple(figures.get(i, ()))))
    return summaries


def _figures(speaker, name, made, cut, share, open_q, reflections, score, techniques,
             duration) -> PartnerFigures:
    """One partner_figures row as PartnerFigures; ValueError or TypeError when it is damaged."""
    techniques = json.loads(techniques)
    if not isinstance(techniques, dict):
        raise ValueError("technique_scores is not a JSON object")
    return PartnerFigures(
        speaker=str(speaker), name=str(name), interruptions_made=int(made), times_interrupted=int(cut),
        interruptions_per_10_min=per_10_minutes(int(made), float(duration)),
        talk_share=float(share), open_questions=int(open_q), reflections=int(reflections),
        score=None if score is None else int(score), technique_scores=techniques)


@contextmanager
def _row_check(path: str, session_id) -> Iterator[None]:
    """Turn a damaged row of session `session_id` into a HistoryError saying how to drop it."""
    try:
        yield
    except (ValueError, TypeError, RecursionError) as error:
        raise HistoryError(f"{path}: session {session_id} is damaged ({error}); remove it with "
                           f"'listening-coach sessions delete {session_id} --yes'.") from None


def per_10_minutes(count: int, duration: float) -> float:
    """`count` events in `duration` seconds as a rate per 10 minutes (0 for an empty session)."""
    return round(count * 600.0 / duration, 2) if duration > 0 else 0.0


def get_session(session_id: int) -> Analysis:
    """The saved analysis of session `session_id`."""
    _check_id(session_id)
    with _database() as db:
        row = db.execute("SELECT analysis_json FROM sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise InputError(_no_session(session_id))
    with _row_check(str(database_path()), session_id):
        data = json.loads(row[0])
    return from_dict(data, f"session {session_id}")


def delete_session(session_id: int) -> Deleted:
    """Remove session `session_id` and, when it lives in the recordings folder, its audio.

    Audio elsewhere is the user's own file and is left in place.
    """
    _check_id(session_id)
    with _database() as db, _transaction(db):
        row = db.execute("SELECT audio_path FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise InputError(_no_session(session_id))
        db.execute("DELETE FROM partner_figures WHERE session_id = ?", (session_id,))
        db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
    audio = Path(str(row[0]))
    ours = audio.resolve().parent == recordings_dir().resolve()
    deleted = False
    if ours:
        try:
            audio.unlink()
            deleted = True
        except FileNotFoundError:
            pass
    return Deleted(id=session_id, audio_path=str(audio), audio_deleted=deleted)


EARLIEST = date(1970, 1, 2)
"""A date before any session (sessions are dated when saved)."""

MAX_ID = 2**63 - 1
"""The largest id SQLite can store."""


def _check_id(session_id: int) -> None:
    if not 1 <= session_id <= MAX_ID:
        raise InputError(_no_session(session_id))


def _no_session(session_id: int) -> str:
    return f"no session {session_id} in the history; 'listening-coach history' lists them."
