"""Real-voice benchmark of the end-to-end analysis: shared mic and one mic per partner.

Run from the repository root::

    python benchmarks/realvoice.py [--set tune|report] [--count N] [--seed S]
        [--mics shared|per-partner|both] [--cache DIR] [--source NAME ...] [--out DIR]

Each recording goes through `listening_coach.pipeline.analyze_audio`; who spoke when is the RTTM
of `listening_coach.analysis_json.to_rttm`, and words, interruptions and backchannels come from
the Analysis. Sources (`--source`, default all):

- librispeech, commonvoice: conversations simulated from real read speech (devtools/realvoice.py),
  speakers of the `--set` pool only: the mono file (a room, one mic) for the shared mic, the dry
  stereo file for per-partner;
- spokenwoz: three real phone calls (8 kHz, resampled to 16 kHz; channels summed for the shared
  mic, the stereo file for per-partner) against their rttm/ and words/; measure only;
- clips: dev00.wav (two speakers, shared mic only, with .rttm/.uem) and jfk.flac (one speaker:
  how many speakers the analysis found);
- espeak: the committed sample_audio/ conversations (synthetic voices), reported apart.

Figures (devtools/scoring.py): DER with its miss / false alarm / confusion (collar 0.25 s,
overlap scored, best one-to-one mapping; with per-partner mics partner A is channel 0, no
mapping), mean over recordings, and each call's DER; word attribution (share of words whose speaker is a reference
speaker at the word's midpoint); overlapped speech precision and recall (10 ms frames); talk
share error (points); speakers found (mean); interruptions (onset within 1 s, right interrupter;
the sure ones, then with the possible ones too: interaction.SHARED_MIC_SURE_OVERLAP)
and backchannels (start within 1 s, right speaker) precision / recall / F1; on the calls, which
have no such labels, the found ones with no reference support per call (an interruption with no
overlapped onset of that speaker within 1 s, a backchannel with no reference segment of at most
1 s of that speaker within 1 s); wall-clock seconds of the analysis and of faster-whisper alone
(the same model and decoding on the whole mono file), and their ratio.

Data come from ../shared/data (skipped with a message when absent); the simulated conversations
are written to a temporary folder (or `--out DIR`); Whisper word times of the corpus files are
cached in ~/.cache/listening-coach-dev (or `--cache DIR`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout, whatever is installed

from devtools import realvoice  # noqa: E402
from devtools.scoring import (  # noqa: E402
    Segments, der, match, overlap_precision_recall, parse_rttm, prf, read_rttm, speaker_mapping,
    talk_share_error, truth_segments, word_attribution,
)

SHARED = ROOT.parent / "shared" / "data"
SOURCES = ("librispeech", "commonvoice", "spokenwoz", "clips", "espeak")
TOLERANCE = 1.0  # s, for interruptions and backchannels
SHORT_SEGMENT = 1.0  # s; a call's reference segment this short may be a backchannel
SR = 16000


@dataclass
class Recording:
    """One recording to analyse: its files per mic set-up and what it is scored against."""

    source: str
    name: str
    files: dict[str, Path]  # mics -> audio file
    ref: Segments | None  # who spoke when (None: not known)
    region: tuple[float, float] | None = None
    words_ref: Segments | None = None  # reference for word attribution (default: ref)
    truth: dict | None = None  # truth record with interruptions and backchannels
    whisper_s: float = float("nan")


@dataclass
class Tally:
    """Sums over the recordings of one source and mic set-up."""

    n: int = 0
    der: list = field(default_factory=list)
    scored: list = field(default_factory=list)  # the recordings' names, in the order of `der`
    words: list = field(default_factory=lambda: [0.0, 0.0])  # right, scored
    overlap: list = field(default_factory=lambda: [0.0, 0.0, 0.0])  # both, hyp, ref seconds
    share: list = field(default_factory=list)
    speakers: list = field(default_factory=list)
    interruptions: list = field(default_factory=lambda: [0, 0, 0])  # hits, found, true
    with_possible: list = field(default_factory=lambda: [0, 0, 0])  # the same, possible ones counted
    backchannels: list = field(default_factory=lambda: [0, 0, 0])
    invented: list = field(default_factory=list)  # (interruptions, backchannels, with possible) per call
    analysis_s: float = 0.0
    whisper_s: float = 0.0


# ----------------------------------------------------------------------------- recordings


def simulated(pool: str, count: int, seed: int, corpora: list[str], out: Path, cache: Path) -> list[Recording]:
    """Real-voice simulated conversations of speaker pool `pool`."""
    paths = realvoice.make_set(SHARED / "realspeech", pool, count, seed, out, cache, corpora)
    return [_from_truth(path, json.loads(path.read_text())["speakers"][0]["name"].split("/")[0])
            for path in paths]


def _from_truth(path: Path, source: str) -> Recording:
    """A recording described by a truth record (schema listening-coach.truth/1)."""
    record = json.loads(path.read_text())
    files = {"shared": path.parent / record["files"]["mono"],
             "per-partner": path.parent / record["files"]["stereo"]}
    return Recording(source, record["id"], files, truth_segments(record), (0.0, record["duration"]),
                     truth=record)


def espeak_samples() -> list[Recording]:
    """The committed synthetic sample conversations."""
    return [_from_truth(path, "espeak") for path in sorted((ROOT / "sample_audio").glob("*.truth.json"))]


def calls(out: Path) -> list[Recording]:
    """The SpokenWOZ calls at 16 kHz: summed to mono for the shared mic, stereo for per-partner."""
    folder = SHARED / "realspeech" / "spokenwoz"
    found = []
    for wav in sorted((folder / "audio").glob("*.wav")):
        data, rate = sf.read(str(wav), dtype="float64", always_2d=True)
        g = math.gcd(rate, SR)
        stereo = resample_poly(data, SR // g, rate // g, axis=0)
        mono = stereo.sum(axis=1)
        mono *= min(1.0, 0.9 / np.max(np.abs(mono)))
        files = {"shared": out / f"{wav.stem}.mono.wav", "per-partner": out / f"{wav.stem}.stereo.wav"}
        sf.write(files["shared"], mono, SR, subtype="PCM_16")
        sf.write(files["per-partner"], stereo, SR, subtype="PCM_16")
        words = json.loads((folder / "words" / f"{wav.stem}.json").read_text())
        found.append(Recording("spokenwoz", wav.stem, files, read_rttm(folder / "rttm" / f"{wav.stem}.rttm"),
                               (0.0, len(mono) / SR),
                               words_ref=[(w["speaker"], w["start"], w["end"]) for w in words]))
    return found


def clips() -> list[Recording]:
    """dev00 (two speakers, with RTTM and UEM) and jfk (one speaker, no timing), shared mic."""
    audio = SHARED / "audio"
    start, end = map(float, (audio / "dev00.uem").read_text().split()[2:4])
    return [Recording("dev00", "dev00", {"shared": audio / "dev00.wav"}, read_rttm(audio / "dev00.rttm"),
                      (start, end)),
            Recording("jfk", "jfk", {"shared": audio / "jfk.flac"}, None)]


# ----------------------------------------------------------------------------- scoring


def whisper_alone(path: Path) -> float:
    """Seconds faster-whisper takes on the whole file (mono, 16 kHz) with the pipeline's decoding."""
    from listening_coach.transcribe import TranscribeOptions, load_model

    options = TranscribeOptions()
    samples = realvoice.load_audio(path).astype(np.float32)
    model = load_model(None, options.compute_type)
    started = time.perf_counter()
    segments, _ = model.transcribe(samples, beam_size=options.beam_size, language=options.language,
                                   word_timestamps=True, vad_filter=False,
                                   condition_on_previous_text=options.condition_on_previous_text)
    for _ in segments:
        pass
    return time.perf_counter() - started


def call_support(ref: Segments) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Reference onsets made while the other speaker talks, and reference segments of <= 1 s."""
    overlapped = [(s, a) for s, a, b in ref if any(o != s and oa < a < ob for o, oa, ob in ref)]
    short = [(s, a) for s, a, b in ref if b - a <= SHORT_SEGMENT]
    return overlapped, short


def score(recording: Recording, mics: str, tally: Tally) -> None:
    """Analyse one recording with `mics` and add its figures to `tally`."""
    from listening_coach.analysis_json import to_rttm
    from listening_coach.pipeline import AnalyzeOptions, analyze_audio

    started = time.perf_counter()
    analysis = analyze_audio(recording.files[mics], AnalyzeOptions(mics=mics))
    tally.analysis_s += time.perf_counter() - started
    tally.whisper_s += recording.whisper_s
    tally.n += 1
    tally.speakers.append(len(analysis.speakers))
    ref = recording.ref
    if ref is None:
        return
    hyp = parse_rttm(to_rttm(analysis))
    # Per-partner mics name the partners by channel, so there is nothing to map.
    mapping = {"A": "A", "B": "B"} if mics == "per-partner" else speaker_mapping(ref, hyp)
    tally.der.append(der(ref, hyp, recording.region, mapping if mics == "per-partner" else None))
    tally.scored.append(recording.name)
    words = [(t.speaker, w.start, w.end) for t in analysis.turns for w in t.words]
    attributed = word_attribution(words, recording.words_ref or ref, mapping)
    if attributed["n"]:
        tally.words[0] += attributed["words"] * attributed["n"]
        tally.words[1] += attributed["n"]
    overlap = overlap_precision_recall(ref, hyp, recording.region)
    for i, key in enumerate(("both_s", "hyp_s", "ref_s")):
        tally.overlap[i] += overlap[key]
    tally.share.append(talk_share_error(ref, {s.id: s.talk_share for s in analysis.stats}, mapping))
    found_int = [(mapping.get(i.interrupter), i.time) for i in analysis.interruptions]
    found_all = found_int + [(mapping.get(analysis.turns[o.turn].speaker), o.start)
                             for o in analysis.overlaps if o.kind == "possible-interruption"]
    found_bc = [(mapping.get(b.speaker), b.start) for b in analysis.backchannels]
    if recording.truth is not None:
        true_int = [(i["interrupter"], i["time"]) for i in recording.truth["interruptions"]]
        true_bc = [(b["speaker"], b["start"]) for b in recording.truth["backchannels"]]
        for sums, found, true in ((tally.interruptions, found_int, true_int),
                                  (tally.with_possible, found_all, true_int),
                                  (tally.backchannels, found_bc, true_bc)):
            sums[0] += match(found, true, TOLERANCE)
            sums[1] += len(found)
            sums[2] += len(true)
    elif recording.source == "spokenwoz":
        overlapped, short = call_support(ref)
        tally.invented.append((len(found_int) - match(found_int, overlapped, TOLERANCE),
                               len(found_bc) - match(found_bc, short, TOLERANCE),
                               len(found_all) - match(found_all, overlapped, TOLERANCE)))


# ----------------------------------------------------------------------------- report


def _f(x: float, width: int = 5, digits: int = 2) -> str:
    return f"{'-':>{width}}" if x is None or (isinstance(x, float) and math.isnan(x)) \
        else f"{x:{width}.{digits}f}"


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def _heading(head: str) -> None:
    print(head)
    print("-" * len(head))


def _prf(sums: list) -> tuple[float, float, float]:
    """Precision, recall and F1 of [hits, found, true], or NaNs when nothing is true."""
    return prf(*sums) if sums[2] else (float("nan"),) * 3


def print_tables(tallies: dict[tuple[str, str], Tally]) -> None:
    """The three tables: who spoke when; events and speed; interruptions with the possible ones (78 columns)."""
    _heading("source      mics      n   DER  miss    FA  conf words  ovlP  ovlR share  spk")
    for (source, mics), t in tallies.items():
        d = {k: float(np.mean([x[k] for x in t.der])) if t.der else float("nan")
             for k in ("der", "miss", "fa", "conf")}
        print(f"{source:<11} {mics[:7]:<7} {t.n:3d} {_f(d['der'])} {_f(d['miss'])} {_f(d['fa'])} "
              f"{_f(d['conf'])} {_f(_ratio(*t.words))} {_f(_ratio(t.overlap[0], t.overlap[1]))} "
              f"{_f(_ratio(t.overlap[0], t.overlap[2]))} "
              f"{_f(float(np.mean(t.share)) if t.share else float('nan'), 5, 1)} "
              f"{_f(float(np.mean(t.speakers)), 4, 1)}")
    for (source, mics), t in tallies.items():
        if source == "spokenwoz":
            each = ", ".join(f"{name} {d['der']:.3f}" for name, d in zip(t.scored, t.der))
            print(f"calls, {mics}, DER each: {each}")
    print()
    _heading("source      mics     intP intR intF  bcP  bcR  bcF invI invB   an s  asr s   x")
    for (source, mics), t in tallies.items():
        ip, ir, if1 = _prf(t.interruptions)
        bp, br, bf1 = _prf(t.backchannels)
        inv = np.mean(t.invented, axis=0) if t.invented else (float("nan"),) * 3
        print(f"{source:<11} {mics[:7]:<7} {_f(ip, 4)} {_f(ir, 4)} {_f(if1, 4)} {_f(bp, 4)} {_f(br, 4)} "
              f"{_f(bf1, 4)} {_f(inv[0], 4, 1)} {_f(inv[1], 4, 1)} {_f(t.analysis_s, 6, 1)} "
              f"{_f(t.whisper_s, 6, 1)} {_f(_ratio(t.analysis_s, t.whisper_s), 3, 1)}")
    print("int/bc: interruptions/backchannels P, R, F1; invI/invB: found with no reference support,\n"
          "per call; an s / asr s: seconds of analysis / of faster-whisper alone; x: their ratio")
    print()
    _heading("source      mics     intP intR intF invI  (possible interruptions counted too)")
    for (source, mics), t in tallies.items():
        ip, ir, if1 = _prf(t.with_possible)
        inv = np.mean(t.invented, axis=0)[2] if t.invented else float("nan")
        print(f"{source:<11} {mics[:7]:<7} {_f(ip, 4)} {_f(ir, 4)} {_f(if1, 4)} {_f(inv, 4, 1)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", dest="pool", choices=realvoice.POOLS, default="report",
                        help="speaker pool of the simulated conversations (default report)")
    parser.add_argument("--count", type=int, default=8, help="simulated conversations (default 8)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mics", choices=("shared", "per-partner", "both"), default="both")
    parser.add_argument("--cache", type=Path, default=realvoice.CACHE,
                        help=f"Whisper word-time cache (default {realvoice.CACHE})")
    parser.add_argument("--source", nargs="+", choices=SOURCES, default=list(SOURCES))
    parser.add_argument("--out", type=Path, help="keep the simulated conversations in this folder")
    args = parser.parse_args()
    if args.count < 1:
        parser.error(f"--count must be at least 1, got {args.count}")
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    sources = list(args.source)
    if not SHARED.is_dir():
        print(f"skipping the real-voice sources: {SHARED} not found (it sits beside the repository)")
        sources = [s for s in sources if s == "espeak"]
        if not sources:
            return
    mic_setups = ["shared", "per-partner"] if args.mics == "both" else [args.mics]
    with tempfile.TemporaryDirectory() as temporary:
        out = args.out or Path(temporary)
        out.mkdir(parents=True, exist_ok=True)
        recordings: list[Recording] = []
        corpora = [c for c in realvoice.CORPORA if c in sources]
        started = time.perf_counter()
        if corpora:
            recordings += simulated(args.pool, args.count, args.seed, corpora, out, args.cache)
        if "spokenwoz" in sources:
            recordings += calls(out)
        if "clips" in sources:
            recordings += clips()
        if "espeak" in sources:
            recordings += espeak_samples()
        print(f"set {args.pool}, seed {args.seed}: {len(recordings)} recordings "
              f"({time.perf_counter() - started:.0f} s to prepare)", flush=True)
        warm_up(recordings[0])
        tallies: dict[tuple[str, str], Tally] = {}
        for recording in recordings:
            recording.whisper_s = whisper_alone(recording.files["shared"])
            for mics in mic_setups:
                if mics in recording.files:
                    score(recording, mics, tallies.setdefault((recording.source, mics), Tally()))
            print(f"  {recording.name} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr,
                  flush=True)
        for (source, mics), t in list(tallies.items()):
            if source == "jfk":
                print(f"jfk ({mics}): {t.speakers[0]} speaker(s) found, 1 speaking")
        print()
        print_tables(dict(sorted(tallies.items(), key=lambda kv: (mic_setups.index(kv[0][1]),
                                                                   SOURCE_ORDER.index(kv[0][0])))))
        print(f"total {time.perf_counter() - started:.0f} s")


SOURCE_ORDER = ("librispeech", "commonvoice", "spokenwoz", "dev00", "jfk", "espeak")


def warm_up(recording: Recording) -> None:
    """Load the models once, so that the first recording's time is not the loading time."""
    from listening_coach.pipeline import AnalyzeOptions, analyze_audio

    analyze_audio(recording.files["shared"], AnalyzeOptions(mics="shared"))
    whisper_alone(recording.files["shared"])


if __name__ == "__main__":
    main()
