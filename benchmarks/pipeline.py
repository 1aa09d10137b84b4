"""Peak memory and time of the whole analysis against faster-whisper alone, on long conversations.

Both run the same model with the same settings on the same file: faster-whisper with word
timestamps and its VAD filter, the pipeline as `listening-coach analyze` does minus printing.
Each run is a fresh child process; its peak memory is the child's maximum resident set size as
the kernel reports it when the child ends (os.wait4), and its time is wall-clock time after the
model is loaded and the modules imported (the load time is printed apart).

The long recordings loop the sample conversations in a shuffled order, each repeat with its own
gain (-4 to +2 dB) and pause before it (0.5-2.5 s), so Whisper never sees one 30 s window twice.

    python benchmarks/pipeline.py --minutes 1 10 --mics shared per-partner
    python benchmarks/pipeline.py --minutes 60 120 --mics shared
    python benchmarks/pipeline.py --minutes 120 --mics shared --no-whisper
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout, whatever is installed
import listening_coach  # noqa: E402,F401  (sets the telemetry switches, inherited by each run)
SAMPLES = ROOT / "sample_audio"
RATE = 16000


def long_recording(minutes: float, mics: str, folder: Path, seed: int = 0) -> Path:
    """A `minutes`-long FLAC made of the sample conversations (mono for "shared", else stereo)."""
    kind = "mono" if mics == "shared" else "stereo"
    pieces = [soundfile.read(p, dtype="float32", always_2d=True)[0] for p in sorted(SAMPLES.glob(f"*.{kind}.flac"))]
    if not pieces:
        sys.exit(f"no sample_audio/*.{kind}.flac; run scripts/make_conversations.py samples first")
    rng = np.random.default_rng(seed)
    target = int(minutes * 60 * RATE)
    path = folder / f"{minutes:g}min.{kind}.flac"
    with soundfile.SoundFile(path, "w", RATE, pieces[0].shape[1], subtype="PCM_16") as out:
        written = 0
        while written < target:
            for i in rng.permutation(len(pieces)):
                pause = np.zeros((int(rng.uniform(0.5, 2.5) * RATE), pieces[i].shape[1]), dtype=np.float32)
                gain = 10 ** (rng.uniform(-4.0, 2.0) / 20)
                block = np.concatenate([pause, np.clip(pieces[i] * gain, -1, 1)])[: target - written]
                out.write(block)
                written += len(block)
                if written >= target:
                    break
    return path


def run_one(mode: str, path: str, mics: str) -> dict:
    """In this process: load the model, then time one `mode` run ("whisper" or "pipeline")."""
    started = time.perf_counter()
    from listening_coach.pipeline import AnalyzeOptions, analyze_audio
    from listening_coach.transcribe import TranscribeOptions, load_model

    options = TranscribeOptions()
    model = load_model(None, options.compute_type)
    start = time.perf_counter()
    if mode == "whisper":
        segments, _ = model.transcribe(path, beam_size=options.beam_size, language=options.language,
                                       word_timestamps=True, vad_filter=True,
                                       condition_on_previous_text=options.condition_on_previous_text)
        words = sum(len(s.words) for s in segments)
    else:
        analysis = analyze_audio(path, AnalyzeOptions(mics=mics))
        words = sum(len(t.words) for t in analysis.turns)
    return {"wall": time.perf_counter() - start, "load": start - started, "words": words}


def measure(mode: str, path: Path, mics: str) -> dict:
    """Run `mode` on `path` in a child process: its figures plus its peak RSS (MB)."""
    with tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen([sys.executable, __file__, "--mics", mics, "--one", mode, str(path)],
                                 stdout=subprocess.PIPE, stderr=errors, text=True)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)  # reaps the child with its own resource usage
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            errors.seek(0)
            sys.exit(f"{mode} failed on {path.name} (exit {child.returncode}):\n{errors.read()[-2000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # kB on Linux
    result["cpu"] = usage.ru_utime + usage.ru_stime  # the whole child, model loading included
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 10, 30, 60, 120])
    parser.add_argument("--mics", nargs="+", choices=["shared", "per-partner"], default=["shared", "per-partner"])
    parser.add_argument("--no-whisper", action="store_true",
                        help="measure the pipeline only (faster-whisper alone takes as long again)")
    parser.add_argument("--one", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.mics[0])))
        return
    print(f"tiny.en int8 on {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; "
          "time excludes model loading (load s); cpu s is the child's CPU time, loading included")
    print(f"{'audio':>6} {'mics':>11} {'whisper s':>10} {'RTF':>6} {'MB':>6} {'pipeline s':>11} {'RTF':>6} "
          f"{'MB':>6} {'ratio':>6} {'load s':>7} {'words w/p':>11} {'cpu s w/p':>13}")
    with tempfile.TemporaryDirectory() as folder:
        for mics in args.mics:
            for minutes in args.minutes:
                path = long_recording(minutes, mics, Path(folder))
                p = measure("pipeline", path, mics)
                w = None if args.no_whisper else measure("whisper", path, mics)
                seconds = minutes * 60
                alone = ("{:>10} {:>6} {:>6}".format("-", "-", "-") if w is None else
                         f"{w['wall']:>10.1f} {w['wall'] / seconds:>6.3f} {w['peak_mb']:>6.0f}")
                print(f"{minutes:>5g}m {mics:>11} {alone} "
                      f"{p['wall']:>11.1f} {p['wall'] / seconds:>6.3f} {p['peak_mb']:>6.0f} "
                      f"{'-' if w is None else format(p['wall'] / w['wall'], '.2f'):>6} {p['load']:>7.1f} "
                      f"{'-' if w is None else w['words']:>5}/{p['words']:<5} "
                      f"{'-' if w is None else format(w['cpu'], '.0f'):>6}/{p['cpu']:<6.0f}", flush=True)
                path.unlink()


if __name__ == "__main__":
    main()
