"""Every test keeps its history in its own temporary folder, never in the user's data directory.

Tiers: `model` marks tests that load the Whisper model or run whole analyses, `device` those
that need a sound server or a browser; everything else is the fast tier
(`python -m pytest -m "not model and not device"`). Marks are given here, by module and fixture.
"""

import pytest

MODEL_MODULES = {"test_cli", "test_samples_pipeline", "test_failures", "test_streamed_pipeline"}
"""Modules whose every test runs the real model or the whole analyze command."""
MODEL_TESTS = {"test_two_analyses_at_once_both_land"}
"""Single tests elsewhere that run whole analyses."""
DEVICE_FIXTURES = {"sink", "chromium"}
"""Fixtures that bring up a PulseAudio sink or a Chromium browser."""


def pytest_collection_modifyitems(items):
    for item in items:
        module = item.module.__name__.rpartition(".")[2]
        if module in MODEL_MODULES or item.originalname in MODEL_TESTS:
            item.add_marker(pytest.mark.model)
        if DEVICE_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.device)
            if module == "test_record":  # recording is followed by a whole analysis
                item.add_marker(pytest.mark.model)


@pytest.fixture(autouse=True)
def private_history(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("coach-home")
    monkeypatch.setenv("LISTENING_COACH_HOME", str(home))
    return home
