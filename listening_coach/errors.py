"""Errors meant for the user: the CLI prints their message and exits with their code."""


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


class DeviceError(CoachError):
    """No usable recording device (no PortAudio, no input device, device busy)."""


class HistoryError(CoachError):
    """The history database cannot be opened, read or written."""
