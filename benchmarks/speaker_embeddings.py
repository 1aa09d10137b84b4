"""Benchmark the CAM++ speaker embedding on real voices: error rates, 2-speaker clustering, cost.

Run from the repository root::

    OMP_NUM_THREADS=1 python benchmarks/speaker_embeddings.py [--pairs 50] [--seed 0]

Data: ../shared/data/realspeech/{librispeech,commonvoice} (skipped with a message when absent):
LibriSpeech, 251 speakers with one ~14 s utterance each, and Common Voice, 69 speakers with one
~5 s clip each (one speaker has two). Every method sees the same segments, cut end to end from each
utterance (from 0.2 s on, at most 4 / 3 / 2 segments of 1 / 2 / 4 s per utterance), all frames.

Methods, each taking its features once per utterance and its segments as frame ranges:
- CAM++: `listening_coach.models.speaker_embedding`, on 1 onnxruntime thread.

Resemblyzer's encoder and the GMM supervectors of the diarizer CAM++ replaced were measured the
same way (this script at commit 95cd383) and left out by measurement; docs/speaker-embeddings.md
has all the figures.

Figures printed:
- EER (%): equal error rate of cosine scores over all pairs of segments, same speaker versus
  different speakers, per data set and segment length; "tel" is the audio band-limited to telephone
  (resampled to 8 kHz and back to 16 kHz) before any feature is taken. Same-speaker pairs come from
  one utterance (one session), as the two partners of a recording do. Each trained embedding is
  scored twice: as it comes, and "centred" (minus the mean embedding of the segments compared).
- ms: CPU milliseconds (process time, so other jobs on the machine do not count) per embedding
  of a segment, features already taken, and the front end's per second of audio; one thread.
- purity: for `--pairs` random pairs of LibriSpeech speakers, 10 segments of 1.5 s from each
  (evenly spaced, slightly overlapping), average-linkage clustering by cosine into 2 clusters;
  purity is the share of the 20 segments whose cluster's majority speaker is theirs (mean over
  pairs, and the share of pairs clustered perfectly); "centred" embeddings are centred on the pair.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening_coach.models import MODEL_FOLDER  # noqa: E402

import onnxruntime  # noqa: E402  (after the package, which switches its telemetry off)
from listening_coach.models import speaker_embedding as se  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "realspeech"
LENGTHS = {1.0: 4, 2.0: 3, 4.0: 2}  # segment length (s): most segments per utterance
SKIP = 0.2  # s left out at the start of each utterance
CLUSTER_SEGMENT = 1.5  # s
CLUSTER_PER_SPEAKER = 10
MIN_SAME_PAIRS = 20  # fewer same-speaker pairs than this give no EER worth printing


def _one_thread_session(filename: str) -> onnxruntime.InferenceSession:
    """An onnxruntime session on one thread, for fair timing and to leave the other core free."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(MODEL_FOLDER / filename), options, providers=["CPUExecutionProvider"])


se.session = lru_cache(maxsize=None)(_one_thread_session)


@dataclass
class Utterance:
    speaker: str
    samples: np.ndarray  # 16 kHz mono float32


def load_utterances() -> dict[str, list[Utterance]]:
    """LibriSpeech and Common Voice utterances, by data set."""
    sets: dict[str, list[Utterance]] = {"librispeech": [], "commonvoice": []}
    for path in sorted((DATA / "librispeech").glob("*.flac")):
        sets["librispeech"].append(Utterance(path.name.split("-")[0], sf.read(path, dtype="float32")[0]))
    with open(DATA / "commonvoice" / "clips.csv", newline="") as table:
        for row in csv.DictReader(table):
            samples = sf.read(DATA / "commonvoice" / "clips" / row["path"], dtype="float32")[0]
            sets["commonvoice"].append(Utterance(row["speaker"], samples))
    return sets


def telephone(samples: np.ndarray) -> np.ndarray:
    """`samples` band-limited as by an 8 kHz telephone channel, back at 16 kHz."""
    return resample_poly(resample_poly(samples, 1, 2), 2, 1).astype(np.float32)


class Embedder:
    """A trained embedding: features once per utterance, then one embedding per frame range."""

    def __init__(self, name, features, embed, frame_trim):
        self.name, self._features, self._embed, self._trim = name, features, embed, frame_trim
        self.front_seconds = self.audio_seconds = 0.0
        self.timings = defaultdict(list)  # segment length (s): seconds per embedding

    def features(self, samples: np.ndarray) -> np.ndarray:
        start = time.process_time()
        out = self._features(samples)
        self.front_seconds += time.process_time() - start
        self.audio_seconds += len(samples) / se.SAMPLE_RATE
        return out

    def embed_pool(self, features: list[np.ndarray], spans: list[tuple[int, float, float]]) -> np.ndarray:
        """Embeddings (n, dim) of segments given as (utterance index, start s, end s)."""
        out = []
        for index, a, b in spans:
            frames = features[index][round(a / se.FRAME_STEP) : round(b / se.FRAME_STEP) - self._trim]
            start = time.process_time()
            out.append(self._embed(frames))
            self.timings[round(b - a, 1)].append(time.process_time() - start)
        return np.array(out)


def segments(utterances: list[Utterance], length: float) -> tuple[list[tuple[int, float, float]], np.ndarray]:
    """End-to-end segments of `length` s of each utterance, and their speakers."""
    spans, speakers = [], []
    for index, utterance in enumerate(utterances):
        duration = len(utterance.samples) / se.SAMPLE_RATE
        count = min(LENGTHS[length], int((duration - SKIP) // length))
        for k in range(count):
            spans.append((index, SKIP + k * length, SKIP + (k + 1) * length))
            speakers.append(utterance.speaker)
    return spans, np.array(speakers)


def equal_error_rate(vectors: np.ndarray, speakers: np.ndarray) -> tuple[float, int, int]:
    """EER of cosine scores over all pairs, and the numbers of same and different pairs."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    upper = np.triu_indices(len(unit), k=1)
    scores = (unit @ unit.T)[upper]
    same = (speakers[:, None] == speakers[None, :])[upper]
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(same[order])
    false_alarms = np.cumsum(~same[order])
    miss = 1 - hits / same.sum()
    false_alarm = false_alarms / (~same).sum()
    best = int(np.argmin(np.abs(miss - false_alarm)))
    return 100 * (miss[best] + false_alarm[best]) / 2, int(same.sum()), int((~same).sum())


def purity(labels: np.ndarray, truth: np.ndarray) -> float:
    """Share of items whose cluster's most common true label is their own."""
    return sum(np.bincount(truth[labels == c]).max() for c in np.unique(labels)) / len(truth)


def cluster_two(vectors: np.ndarray) -> np.ndarray:
    """Two clusters by average-linkage agglomerative clustering on cosine distance."""
    return fcluster(linkage(vectors, "average", metric="cosine"), 2, "maxclust")


def variants(method, vectors: np.ndarray) -> dict[str, np.ndarray]:
    """The vectors as they come and centred on their mean."""
    return {method.name: vectors, f"{method.name} centred": vectors - vectors.mean(0)}


def clustering(method, audio, features, pairs, band) -> list[tuple[str, str, float, float]]:
    """Purity of 2-speaker clustering over `pairs` of utterances, per variant: (band, variant, mean, perfect)."""
    scores = defaultdict(list)
    for a, b in pairs:
        spans, truth = [], []
        for label, index in enumerate((a, b)):
            duration = len(audio[index]) / se.SAMPLE_RATE
            starts = np.linspace(SKIP, duration - CLUSTER_SEGMENT, CLUSTER_PER_SPEAKER)
            spans += [(index, s, s + CLUSTER_SEGMENT) for s in starts]
            truth += [label] * CLUSTER_PER_SPEAKER
        for variant, vectors in variants(method, method.embed_pool(features, spans)).items():
            scores[variant].append(purity(cluster_two(vectors), np.array(truth)))
    rows = []
    for variant, values in scores.items():
        mean, perfect = float(np.mean(values)), float(np.mean(np.equal(values, 1.0)))
        rows.append((band, variant, mean, perfect))
        print(f"clustering  {band:4s} {variant:19s} purity {mean:.3f}, perfect {100 * perfect:.0f} % "
              f"of {len(pairs)} pairs", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=50, help="random speaker pairs for the clustering test")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} is absent (the real-voice data of ../shared)")
        return

    methods = [
        Embedder("CAM++", se.campplus_features, se.campplus_embed, frame_trim=2),
    ]
    sets = load_utterances()
    rng = np.random.default_rng(args.seed)
    librispeech = sets["librispeech"]
    pairs = [rng.choice(len(librispeech), 2, replace=False) for _ in range(args.pairs)]
    eer_rows, purity_rows = [], []
    for band in ("wide", "tel"):
        for method in methods:
            for name, utterances in sets.items():
                audio = [u.samples if band == "wide" else telephone(u.samples) for u in utterances]
                features = [method.features(a) for a in audio]
                for length in LENGTHS:
                    spans, speakers = segments(utterances, length)
                    for variant, vectors in variants(method, method.embed_pool(features, spans)).items():
                        eer, n_same, n_diff = equal_error_rate(vectors, speakers)
                        eer_rows.append((name, band, length, variant, eer, n_same))
                        print(f"{name:11s} {band:4s} {length:.0f} s {variant:19s} EER {eer:5.1f} % "
                              f"({n_same} same / {n_diff} different pairs)", flush=True)
                if name == "librispeech":
                    purity_rows += clustering(method, audio, features, pairs, band)

    names = list(dict.fromkeys(row[3] for row in eer_rows))
    print("\nEER (%), cosine, all pairs of segments (centred: minus the mean embedding of the pool)")
    print(f"{'data':12s} {'band':5s} {'seg':4s} " + " ".join(f"{n:>19s}" for n in names))
    table = defaultdict(dict)
    pairs_of = {}
    for name, band, length, variant, eer, n_same in eer_rows:
        table[(name, band, length)][variant] = eer
        pairs_of[(name, band, length)] = n_same
    for (name, band, length), row in table.items():
        enough = pairs_of[(name, band, length)] >= MIN_SAME_PAIRS
        cells = [f"{row[n]:19.1f}" if enough else f"{'n/a':>19s}" for n in names]
        print(f"{name:12s} {band:5s} {length:.0f} s  " + " ".join(cells))
    print(f"(n/a: fewer than {MIN_SAME_PAIRS} same-speaker pairs)")
    print(f"\n2-speaker clustering, LibriSpeech, {args.pairs} pairs x 20 segments of 1.5 s "
          "(centred: minus the pair's mean embedding)")
    for band, variant, mean, perfect in purity_rows:
        print(f"  {band:5s} {variant:19s} purity {mean:.3f}  perfect {100 * perfect:.0f} %")
    print("\nspeed, CPU time on one thread")
    for method in methods:
        per_length = ", ".join(f"{length:.1f} s {1000 * np.median(t):.2f}"
                               for length, t in sorted(method.timings.items()))
        line = (f"  {method.name:15s} front end {1000 * method.front_seconds / method.audio_seconds:5.2f} ms per s "
                f"of audio; ms per embedding (median): {per_length}")
        print(line)
    print(f"  campplus.onnx: {(MODEL_FOLDER / 'campplus.onnx').stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
