"""Nothing leaves the machine: telemetry switches are set at package import, before onnxruntime
or Hugging Face Hub start, whichever entry point is used, and private data stays private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from listening_coach import history, privacy

REPO = Path(__file__).resolve().parent.parent

START_ONNXRUNTIME = """
import onnxruntime
try:
    onnxruntime.InferenceSession(b"not a model")  # starts onnxruntime's environment (and telemetry)
except Exception:
    pass
"""


NOT_QUIET = {*privacy.QUIET, "CI"}
"""Variables the tests remove: our switches, and CI (onnxruntime keeps quiet under CI=true, which
would hide a missing switch on CI machines)."""


def fresh_environment(home: Path) -> dict:
    """The test's environment with HOME at `home` and none of the switches set."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_QUIET}
    env["HOME"] = str(home)
    env["PYTHONPATH"] = str(REPO)
    return env


@pytest.mark.parametrize("entry", ["import listening_coach", "import listening_coach.cli",
                                   "from listening_coach import vad"])
def test_onnxruntime_writes_nothing_in_home_after_any_import(tmp_path, entry):
    subprocess.run([sys.executable, "-c", entry + "\n" + START_ONNXRUNTIME], cwd=tmp_path,
                   env=fresh_environment(tmp_path), check=True, timeout=120)
    assert not (tmp_path / ".cache").exists()


def test_without_the_switch_onnxruntime_does_write_in_home(tmp_path):
    """The check above can fail: onnxruntime on its own leaves its telemetry files."""
    onnxruntime = pytest.importorskip("onnxruntime")
    if tuple(int(x) for x in onnxruntime.__version__.split(".")[:2]) < (1, 29):
        pytest.skip("onnxruntime before 1.29 has no telemetry on Linux")
    subprocess.run([sys.executable, "-c", START_ONNXRUNTIME], cwd=tmp_path,
                   env=fresh_environment(tmp_path), check=True, timeout=120)
    assert (tmp_path / ".cache" / "Microsoft").exists()


@pytest.mark.parametrize("script", sorted((REPO / "benchmarks").glob("*.py")), ids=lambda p: p.name)
def test_every_benchmark_imports_the_package_before_any_model_library(script):
    """Each benchmark imports listening_coach (so the switches are set) before onnxruntime,
    faster_whisper or huggingface_hub appear in its source."""
    text = script.read_text()
    first_package = min((text.find(s) for s in ("from listening_coach", "import listening_coach")
                         if s in text), default=-1)
    assert first_package >= 0, f"{script.name} never imports listening_coach"
    for library in ("onnxruntime", "faster_whisper", "huggingface_hub"):
        for form in (f"import {library}", f"from {library}"):
            position = text.find(form)
            assert position < 0 or position > first_package, f"{script.name}: {form} first"


def test_hugging_face_is_offline_and_quiet_after_import(tmp_path):
    code = ("import listening_coach, huggingface_hub.constants as c; "
            "print(c.HF_HUB_OFFLINE, c.HF_HUB_DISABLE_TELEMETRY)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=fresh_environment(tmp_path),
                         capture_output=True, text=True, check=True, timeout=120).stdout
    assert out.split() == ["True", "True"]


def test_an_existing_data_folder_and_database_are_tightened(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    (home / history.DATABASE_NAME).touch(mode=0o644)
    (home / history.DATABASE_NAME).chmod(0o644)
    monkeypatch.setenv("LISTENING_COACH_HOME", str(home))
    history.list_sessions()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / history.DATABASE_NAME).stat().st_mode) == 0o600
