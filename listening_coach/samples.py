"""The sample conversations shipped with the package (made by scripts/make_conversations.py)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

from .errors import InputError

DEMO = "chores"
"""The conversation `listening-coach demo` analyses."""


def sample_folder() -> Path:
    """The folder holding the sample audio and its ground truth."""
    return Path(str(files("listening_coach.sample_audio")))


def demo_recording() -> tuple[Path, tuple[str, ...]]:
    """Path of the demo's stereo recording and its partners' names in channel order."""
    truth_path = sample_folder() / f"{DEMO}.truth.json"
    if not truth_path.is_file():
        raise InputError(f"{truth_path}: the bundled sample is missing; reinstall listening-coach.")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    names = tuple(s["name"] for s in truth["speakers"])
    return sample_folder() / truth["files"]["stereo"], names
