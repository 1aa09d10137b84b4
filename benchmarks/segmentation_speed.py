"""Speed of the shipped segmentation-3.0 ONNX model on the CPU.

Run from the repository root::

    python benchmarks/segmentation_speed.py [--repeats 5]

Prints the model file's size; the seconds one 10 s window takes with 1 and with 2 onnxruntime
threads, run alone and in batches of `BATCH_WINDOWS` (median of the repeats, after a warm-up;
wall-clock and CPU time summed over threads);
the memory that running one window and one batch adds to a process; and the cost of sliding a 10 s window every
2.5 s over 10 minutes of the sample conversations (played one after another, repeated) through
`listening_coach.models.segmentation.powerset_log_probs`. The load average is printed too: other
work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening_coach.models import MODEL_FOLDER  # noqa: E402
from listening_coach.models import segmentation as seg  # noqa: E402

import onnxruntime  # noqa: E402  (after listening_coach.models, which turns telemetry off)

HOP_SAMPLES = seg.SAMPLE_RATE * 5 // 2
"""2.5 s between window starts."""
LONG_SECONDS = 600


def sample_speech(seconds: float) -> np.ndarray:
    """`seconds` of the sample conversations (mono), one after another, repeated as needed."""
    files = sorted((ROOT / "sample_audio").glob("*.mono.flac"))
    parts = [soundfile.read(str(path), dtype="float32")[0] for path in files]
    audio = np.concatenate(parts)
    need = round(seconds * seg.SAMPLE_RATE)
    return np.tile(audio, need // len(audio) + 1)[:need]


def new_session(threads: int) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(MODEL_FOLDER / seg.MODEL_FILE), options,
                                        providers=["CPUExecutionProvider"])


def seconds_per_window(session, windows: np.ndarray, repeats: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (all threads) per window of `windows`."""
    feed = {"waveforms": windows[:, None, :]}
    session.run(None, feed)
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        session.run(None, feed)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) / len(windows), statistics.median(cpu) / len(windows)


def added_memory_mb(batch: int) -> float:
    """How far (MB) running `batch` windows of noise, twice, raises the peak memory of a fresh
    process above its peak once the model and the input are loaded (onnxruntime's arena grows)."""
    # VmHWM, not getrusage: Linux carries ru_maxrss over from the parent through fork and exec.
    code = ("import re, numpy as np; from listening_coach.models import segmentation as s; "
            "peak = lambda: int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]); "
            "s.session(s.MODEL_FILE); "
            f"x = np.random.default_rng(0).standard_normal(({batch}, s.WINDOW_SAMPLES)).astype(np.float32); "
            "loaded = peak(); s.powerset_log_probs(x / 20); s.powerset_log_probs(x / 10); "
            "print(peak() - loaded)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per figure (default 5)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be 1 or more")
    path = MODEL_FOLDER / seg.MODEL_FILE
    print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB; onnxruntime {onnxruntime.__version__}; "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    audio = sample_speech(seg.BATCH_WINDOWS * 2.5 + 10)
    batch = np.stack([audio[i * HOP_SAMPLES:i * HOP_SAMPLES + seg.WINDOW_SAMPLES]
                      for i in range(seg.BATCH_WINDOWS)])
    for threads in (1, 2):
        session = new_session(threads)
        alone, alone_cpu = seconds_per_window(session, batch[:1], args.repeats)
        batched, batched_cpu = seconds_per_window(session, batch, args.repeats)
        print(f"{threads} thread(s), s per 10 s window: alone {alone:.3f} wall ({alone_cpu:.3f} CPU), "
              f"in batches of {seg.BATCH_WINDOWS} {batched:.3f} wall ({batched_cpu:.3f} CPU)")
    for size in (1, seg.BATCH_WINDOWS):
        print(f"memory added by running {size:>2} window(s) at once: {added_memory_mb(size):.0f} MB")
    long = sample_speech(LONG_SECONDS)
    starts = range(0, len(long) - seg.WINDOW_SAMPLES + 1, HOP_SAMPLES)
    windows = np.stack([long[s:s + seg.WINDOW_SAMPLES] for s in starts])
    seg.powerset_log_probs(windows[:1])
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    seg.powerset_log_probs(windows)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"{LONG_SECONDS // 60} min of audio, a 10 s window every 2.5 s ({len(windows)} windows, "
          f"{seg.session(seg.MODEL_FILE).get_session_options().intra_op_num_threads} threads): "
          f"{wall:.1f} s wall, {cpu:.1f} s CPU, real-time factor {wall / LONG_SECONDS:.3f}")


if __name__ == "__main__":
    main()
