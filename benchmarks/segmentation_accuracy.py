"""How well the shipped segmentation-3.0 model finds who speaks when inside each 10 s window.

Run from the repository root::

    python benchmarks/segmentation_accuracy.py

    python benchmarks/segmentation_accuracy.py --extra DIR   # also the conversations in DIR

Sources: the three sample conversations (mono mix, truth from `*.truth.json`); when ../shared is
present, the real meeting clip dev00.wav and the real SpokenWOZ calls with their two channels
summed (truth from their RTTMs); and with `--extra`, the real-voice conversations that
`benchmarks/realvoice.py --out DIR` wrote (`*.mono.flac` beside `*.truth.json`). Each
source is cut into 10 s windows 2.5 s apart; in each window the model's local speakers (hard
activity) are matched to the true speakers by the assignment with fewest errors, as pyannote's
training loss does, and every frame is scored against the truth at its centre, without collar.

Printed per source, in % of the true speaker-frames: missed speech, false alarm, confusion and
their sum (a window-local diarization error rate); and the share of truly overlapped frames in
which the model hears two speakers, and of frames it calls overlapped that truly are.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening_coach.audio import load_audio  # noqa: E402
from listening_coach.models import segmentation as seg  # noqa: E402

SHARED_AUDIO = ROOT.parent / "shared" / "data" / "audio"
CALLS = ROOT.parent / "shared" / "data" / "realspeech" / "spokenwoz"
HOP_SAMPLES = seg.SAMPLE_RATE * 5 // 2

Segments = list[tuple[str, float, float]]


def truth_segments(path: Path) -> Segments:
    truth = json.loads(path.read_text(encoding="utf-8"))
    return [(s["speaker"], s["start"], s["end"]) for s in truth["turns"] + truth["backchannels"]]


def rttm_segments(path: Path) -> Segments:
    rows = [line.split() for line in path.read_text().splitlines() if line.startswith("SPEAKER")]
    return [(r[7], float(r[3]), float(r[3]) + float(r[4])) for r in rows]


def sources(extra: list[Path]) -> dict[str, list[tuple[np.ndarray, Segments]]]:
    """Source name -> its recordings as (16 kHz mono samples, true segments)."""
    found: dict[str, list[tuple[Path, Segments]]] = {}
    for truth in sorted((ROOT / "sample_audio").glob("*.truth.json")):
        name = truth.name.removesuffix(".truth.json")
        found[name] = [(ROOT / "sample_audio" / f"{name}.mono.flac", truth_segments(truth))]
    if (SHARED_AUDIO / "dev00.wav").is_file():
        found["dev00 (real meeting)"] = [(SHARED_AUDIO / "dev00.wav", rttm_segments(SHARED_AUDIO / "dev00.rttm"))]
    if CALLS.is_dir():
        found["real calls (summed)"] = [(CALLS / "audio" / f"{r.stem}.wav", rttm_segments(r))
                                        for r in sorted((CALLS / "rttm").glob("*.rttm"))]
    for folder in extra:
        for truth in sorted(folder.glob("*.truth.json")):
            record = json.loads(truth.read_text(encoding="utf-8"))
            corpus = record["speakers"][0]["name"].split("/")[0]
            found.setdefault(f"{folder.name} {corpus}", []).append(
                (folder / record["files"]["mono"], truth_segments(truth)))
    return {name: [(load_audio(path).mono, segments) for path, segments in recordings]
            for name, recordings in found.items()}


def true_activity(segments: Segments, start_s: float) -> np.ndarray:
    """(frames, speakers) 0/1: who truly speaks at each frame's centre of the window at `start_s`."""
    speakers = sorted({s for s, _, _ in segments})
    times = start_s + seg.frame_times(seg.FRAMES)
    out = np.zeros((seg.FRAMES, len(speakers)), dtype=np.float32)
    for speaker, start, end in segments:
        out[:, speakers.index(speaker)] += (times >= start) & (times < end)
    return np.minimum(out, 1)


def window_errors(truth: np.ndarray, found: np.ndarray) -> np.ndarray:
    """[missed, false alarm, confusion, true speaker-frames, true overlap frames, found overlap
    frames, overlap frames both agree on] under the best matching of local to true speakers."""
    n_true, n_found = truth.sum(1), found.sum(1)
    missed = np.maximum(n_true - n_found, 0).sum()
    false_alarm = np.maximum(n_found - n_true, 0).sum()
    width = max(truth.shape[1], found.shape[1])
    truth = np.pad(truth, ((0, 0), (0, width - truth.shape[1])))
    found = np.pad(found, ((0, 0), (0, width - found.shape[1])))
    correct = max((truth * found[:, list(order)]).sum() for order in itertools.permutations(range(width)))
    confusion = np.minimum(n_true, n_found).sum() - correct
    overlap_true, overlap_found = n_true >= 2, n_found >= 2
    return np.array([missed, false_alarm, confusion, n_true.sum(), overlap_true.sum(), overlap_found.sum(),
                     (overlap_true & overlap_found).sum()], dtype=np.float64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="a folder of real-voice conversations from benchmarks/realvoice.py --out")
    args = parser.parse_args()
    for folder in args.extra:
        if not folder.is_dir():
            parser.error(f"--extra {folder}: no such folder")
    print(f"{'source':<22}{'windows':>8}{'missed':>8}{'false alarm':>12}{'confusion':>10}{'local DER':>10}"
          f"{'overlap recall':>15}{'precision':>10}")
    for name, recordings in sources(args.extra).items():
        totals, n_windows = np.zeros(7), 0
        for audio, segments in recordings:
            starts = range(0, len(audio) - seg.WINDOW_SAMPLES + 1, HOP_SAMPLES)
            windows = np.stack([audio[s:s + seg.WINDOW_SAMPLES] for s in starts])
            found = seg.speaker_activity(seg.powerset_log_probs(windows), soft=False)
            totals += sum(window_errors(true_activity(segments, s / seg.SAMPLE_RATE), f)
                          for s, f in zip(starts, found))
            n_windows += len(windows)
        missed, false_alarm, confusion, speech, overlap, called, both = totals
        recall = f"{both / overlap:.0%}" if overlap else "-"
        precision = f"{both / called:.0%}" if called else "-"
        print(f"{name:<22}{n_windows:>8}{missed / speech:>8.1%}{false_alarm / speech:>12.1%}"
              f"{confusion / speech:>10.1%}{(missed + false_alarm + confusion) / speech:>10.1%}"
              f"{recall:>15}{precision:>10}")


if __name__ == "__main__":
    main()
