"""Errors meant for the user: the CLI prints their message and exits with their code.

Exit codes: 1 unexpected error (a bug), 2 bad input or option, 3 speech model, 4 recording
device, 5 history database, 6 out of memory, 130 interrupted.
"""


class CoachError(Exception):
    """Base of every error that listening-coach reports to the user without a traceback.

    The message is one line that names the file or setting, says what is wrong and what to do.
    """

    exit_code = 2


class InputError(CoachError):
    """A file or option given by the user cannot be used (missing, unreadable, wrong shape)."""


class AudioError(InputError):
    """An audio file cannot be decoded or holds no usable speech."""


class ModelError(CoachError):
    """The speech model cannot be found or loaded."""

    exit_code = 3


class DeviceError(CoachError):
    """No usable recording device (no PortAudio, no input device, device busy). Exit code 4."""

    exit_code = 4


class HistoryError(CoachError):
    """The history database cannot be opened, read or written (damaged, locked). Exit code 5."""

    exit_code = 5


class MemoryShortage(CoachError):
    """The computer ran out of memory during the work. Exit code 6."""

    exit_code = 6
