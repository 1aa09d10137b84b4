"""Every test keeps its history in its own temporary folder, never in the user's data directory."""

import pytest


@pytest.fixture(autouse=True)
def private_history(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("coach-home")
    monkeypatch.setenv("LISTENING_COACH_HOME", str(home))
    return home
