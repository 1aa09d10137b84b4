"""Running out of memory is a clear message and exit code 6, not a MemoryError traceback."""

import os
import resource
import subprocess
import sys

import numpy as np
import pytest
import soundfile

EXIT_OUT_OF_MEMORY = 6


@pytest.fixture(scope="module")
def half_hour(tmp_path_factory):
    """30 minutes of quiet noise (16 kHz, 16-bit): too much to analyse in the memory given below."""
    path = tmp_path_factory.mktemp("audio") / "long talk.wav"
    noise = 0.01 * np.random.default_rng(0).standard_normal(16000 * 60 * 30)
    soundfile.write(path, noise.astype(np.float32), 16000, subtype="PCM_16")
    return path


@pytest.mark.parametrize("gigabytes", [0.4, 0.6, 0.7])
def test_an_analysis_that_runs_out_of_memory_says_so(half_hour, tmp_path, gigabytes):
    """At these caps on address space the run fails at different points (loading a library,
    decoding, finding speech); each time it says what happened and what to do."""
    limit = int(gigabytes * 2 ** 30)

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {k: v for k, v in os.environ.items() if k != "LISTENING_COACH_DEBUG"}  # no traceback wanted
    env.update(ORT_DISABLE_TELEMETRY="1", OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-m", "listening_coach.cli", "analyze", str(half_hour), "--no-save"],
                            preexec_fn=cap, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == EXIT_OUT_OF_MEMORY, result.stderr[-1000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("listening-coach: ") and "ran out of memory" in last
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("error", [MemoryError(), RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : "
                                                               "Non-zero status code ... std::bad_alloc")])
def test_a_failed_allocation_in_a_native_library_is_a_memory_shortage(monkeypatch, error):
    """ONNX Runtime (speech detection, speaker models) reports running out as a runtime error."""
    from listening_coach import pipeline
    from listening_coach.errors import MemoryShortage

    def fail(*args):
        raise error

    monkeypatch.setattr(pipeline, "_analyze_audio", fail)
    with pytest.raises(MemoryShortage, match="ran out of memory"):
        pipeline.analyze_audio("talk.flac")
    monkeypatch.setattr(pipeline, "_analyze_audio", lambda *a: (_ for _ in ()).throw(RuntimeError("other")))
    with pytest.raises(RuntimeError, match="other"):
        pipeline.analyze_audio("talk.flac")
