"""Time the whole pipeline against faster-whisper alone on 1, 5 and 20 minutes of conversation.

Both run the same model with the same settings on the same file: faster-whisper with word
timestamps and its VAD filter, the pipeline with `listening-coach analyze` minus printing. Each run
is a fresh process so its peak memory (max RSS) is its own; the model is loaded and the modules
are imported before timing, for both.

    python benchmarks/pipeline.py                      # stereo (one mic per partner), 1/5/20 min
    python benchmarks/pipeline.py --mics shared --minutes 1 5
"""

from __future__ import annotations

import argparse
import json
import resource
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


def long_recording(minutes: float, mics: str, folder: Path) -> Path:
    """Concatenate the sample conversations (with 1 s silences) until `minutes` long."""
    kind = "mono" if mics == "shared" else "stereo"
    pieces = [soundfile.read(p, dtype="float32", always_2d=True)[0] for p in sorted(SAMPLES.glob(f"*.{kind}.flac"))]
    if not pieces:
        sys.exit(f"no sample_audio/*.{kind}.flac; run scripts/make_conversations.py samples first")
    silence = np.zeros((16000, pieces[0].shape[1]), dtype=np.float32)
    target = int(minutes * 60 * 16000)
    out, length, i = [], 0, 0
    while length < target:
        out += [pieces[i % len(pieces)], silence]
        length += pieces[i % len(pieces)].shape[0] + silence.shape[0]
        i += 1
    audio = np.concatenate(out)[:target]
    path = folder / f"{minutes:g}min.{kind}.flac"
    soundfile.write(path, audio, 16000)
    return path


def run_one(mode: str, path: str, mics: str) -> dict:
    """In this process: load the model, then time one `mode` run ("whisper" or "pipeline")."""
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
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"wall": wall, "peak_mb": peak, "words": words}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 5, 20])
    parser.add_argument("--mics", choices=["per-partner", "shared"], default="per-partner")
    parser.add_argument("--one", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.mics)))
        return
    print(f"tiny.en int8, {args.mics} microphones; wall time excludes model loading")
    print(f"{'audio':>6} {'whisper s':>10} {'RTF':>6} {'MB':>6} {'pipeline s':>11} {'RTF':>6} {'MB':>6} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for minutes in args.minutes:
            path = long_recording(minutes, args.mics, Path(folder))
            seconds = minutes * 60
            result = {}
            for mode in ("whisper", "pipeline"):
                out = subprocess.run([sys.executable, __file__, "--mics", args.mics, "--one", mode, str(path)],
                                     check=True, capture_output=True, text=True).stdout
                result[mode] = json.loads(out.strip().splitlines()[-1])
            w, p = result["whisper"], result["pipeline"]
            print(f"{minutes:>5g}m {w['wall']:>10.1f} {w['wall'] / seconds:>6.3f} {w['peak_mb']:>6.0f} "
                  f"{p['wall']:>11.1f} {p['wall'] / seconds:>6.3f} {p['peak_mb']:>6.0f} {p['wall'] / w['wall']:>6.2f}")


if __name__ == "__main__":
    main()
