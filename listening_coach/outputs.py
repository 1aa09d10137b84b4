"""Files the user asks for (--json, --html, --rttm, --csv, --plot, --output): checked before the
work starts, then written readable by the owner only (0600) in one atomic rename.

A path is refused when it is an input of the same command, lies in listening-coach's data folder
(the history, the recordings), or already exists as anything but a regular file (a folder, a
symbolic link, a FIFO, a device); its folder must be one the user can write. "-" means standard
output where the option allows it.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

STDOUT = "-"


@dataclass(frozen=True)
class Output:
    """A checked output: `path` (absolute, resolved) is None for standard output; `option` and
    `shown` (the path as the user gave it) name it in messages."""

    option: str
    path: Path | None
    shown: str = ""

    @property
    def to_stdout(self) -> bool:
        return self.path is None

    def __str__(self) -> str:
        return "standard output" if self.path is None else self.shown


def check_output(option: str, path: str | Path | None, *, inputs: Iterable[str | Path] = (),
                 stdout_ok: bool = False) -> Output | None:
    """The output `path` given to `option` once it is safe to write, or None when not given.

    Parameters
    ----------
    option
        The command-line option, e.g. "--json", for messages.
    path
        What the user gave; "-" is standard output when `stdout_ok`.
    inputs
        Files the same command reads: writing over one of them is refused.

    Raises
    ------
    InputError
        The path is refused; the message says why and what to do.
    """
    if path is None:
        return None
    if str(path) == STDOUT:
        if not stdout_ok:
            raise InputError(f"{option} -: this file cannot go to standard output; give a file name.")
        return Output(option, None)
    given = Path(path).expanduser()
    where = f"{option} {given}"
    _refuse_special(given, where)
    path = given.resolve()  # the last part is no link (refused above); '..' and linked folders go
    for source in inputs:
        source = Path(source)
        if path == source.resolve() or (path.exists() and source.exists()
                                        and os.path.samefile(path, source)):
            raise InputError(f"{where}: that is an input of this command; writing there would "
                             "destroy it. Give another file name.")
    data = _data_folder()
    if _inside(path, data):
        raise InputError(f"{where}: that is inside listening-coach's data folder ({data}), which "
                         "holds the history and recordings; write it elsewhere.")
    _check_folder(path, where)
    return Output(option, path, str(given))


def write_output(output: Output, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `output`: a temporary 0600 file beside it, renamed over it.

    Raises
    ------
    InputError
        The file cannot be written (disk full, folder gone); no partial file is left.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if output.path is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(raw) if hasattr(sys.stdout, "buffer") else sys.stdout.write(raw.decode())
        sys.stdout.flush()
        return
    path = output.path
    where = f"{output.option} {output.shown}"
    _refuse_special(path, where)  # again: something may have appeared there during the analysis
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                             dir=path.parent)  # mkstemp makes it 0600
        with os.fdopen(handle, "wb") as file:
            file.write(raw)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{where}: cannot write it ({error.strerror or error}); free some space "
                         "or choose another path.") from None


def _refuse_special(path: Path, where: str) -> None:
    """Refuse a path that exists as a symbolic link, folder, FIFO, device or socket."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise InputError(f"{where}: cannot use this path ({error.strerror}); choose another.") from None
    kind = ("a symbolic link" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode)
            else "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else None)
    if kind:
        raise InputError(f"{where}: is {kind}, not a regular file; give the name of a new or "
                         "ordinary file.")


def _check_folder(path: Path, where: str) -> None:
    """The nearest existing folder above `path` must be a folder where a file can be created."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"{where}: {folder} is a file, not a folder; choose another path.")
    try:
        handle, probe = tempfile.mkstemp(prefix=".listening-coach-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise InputError(f"{where}: cannot write in {folder} ({error.strerror}); choose a folder "
                         "you can write.") from None


def _data_folder() -> Path:
    from .history import data_location

    return data_location().resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder)
