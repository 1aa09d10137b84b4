"""Train the shared-microphone overlap model (listening_coach/two_voices.npz) on our own synthetic talk.

Every training conversation comes from scripts/make_conversations.py (its dialogue pool and layout
rules: interruptions, terminal overlaps, backchannels, pauses), spoken by espeak-ng voices that the
benchmarks and sample audio never use, and mixed to one channel with random augmentation:

- the second voice 8 dB quieter to 8 dB louder than the first;
- room echo on half of the talks (an exponentially decaying noise response, RT60 0.15-0.6 s,
  different for each voice);
- a spectral tilt (first-order filter) standing in for the microphone;
- white or brown noise at -65 to -35 dBFS.

Frame labels (nobody / one voice / two voices, every 20 ms) come from the clean voice tracks: a
voice is active where its 25 ms level is within 40 dB of the clip peak, with gaps under 0.15 s
filled (the stops inside a word). The network (two ReLU layers, softmax) is trained with Adam on
cross-entropy in numpy. No external data is used. Needs espeak-ng.

    python scripts/train_two_voices.py [--count 600] [--epochs 24] [--hidden 192] [--cache DIR]

The defaults made the shipped model: 600 training and 30 validation talks (12 h), about 15 minutes
on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.signal import fftconvolve, lfilter

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import make_conversations as conversations  # noqa: E402
from devtools.timeline import track as voice_track  # noqa: E402
from listening_coach.features import FRAME_RATE, SAMPLE_RATE, log_mel  # noqa: E402
from listening_coach.two_voices import (  # noqa: E402
    CONTEXT, HOP, MERGE_GAP, MIN_OVERLAP, frame_features, two_voice_spans,
)
from listening_coach.vad import mask_to_spans  # noqa: E402

TRAINING_VOICES = {
    "male": ("en-us+m2", "en-us+m4", "en-us+m5", "en-us+m6", "en-us+m8", "en+m2",
             "en-gb-scotland+m4", "en-gb-x-rp+m6", "en-029+m2", "en-us+Andy", "en-us+Mike",
             "en-us+john", "en-us+max", "en-us+paul", "en-us+robert", "en-us+zac", "en-us+klatt",
             "en-us+klatt3", "en-us+david", "en-us+edward", "en-us+Gene", "en-us+rob"),
    "female": ("en-us+f1", "en-us+f4", "en+f1", "en-gb-scotland+f4", "en-029+f4", "en-us+Annie",
               "en-us+belinda", "en-us+linda", "en-us+steph", "en-us+steph2", "en-us+anika",
               "en-us+Alicia", "en-us+Andrea", "en-us+aunty", "en-us+shelby", "en-us+klatt2"),
}
"""espeak-ng voices for training; none of them is used by the benchmarks or the sample audio."""

PITCH = {"male": (25, 50), "female": (55, 85)}
SPEED = (130, 175)
SEED_BASE = 9_000_000  # far from the seeds the benchmarks use (seed * 100_003 + i, seed < 100)

ACTIVE_DB = -40.0  # dB below the clip peak at which a voice counts as sounding
FILL_GAPS = 0.15  # s: silences inside one voice shorter than this are filled
HIDDEN = 192


def training_spec(seed: int) -> conversations.ConversationSpec:
    """A random conversation from make_conversations with two training voices."""
    rng = np.random.default_rng([seed, 7])
    spec = conversations.random_spec(seed)
    genders = ["male", "female"]
    first = genders[rng.integers(2)]
    second = first if rng.random() < 0.3 else genders[1 - genders.index(first)]
    voices = {}
    for speaker, gender in (("A", first), ("B", second)):
        names = [n for n in TRAINING_VOICES[gender] if n not in [v.name for v in voices.values()]]
        voices[speaker] = conversations.Voice(
            names[rng.integers(len(names))], int(rng.integers(*PITCH[gender])), int(rng.integers(*SPEED)))
    return replace(spec, voices=voices)


def _activity(track: np.ndarray, n_frames: int) -> np.ndarray:
    """Per 10 ms frame: whether `track` (one clean voice) is sounding, gaps under FILL_GAPS filled."""
    hop, win = SAMPLE_RATE // FRAME_RATE, 400
    padded = np.pad(track, (win // 2, n_frames * hop + win))
    frames = np.lib.stride_tricks.sliding_window_view(padded, win)[: n_frames * hop : hop]
    level = np.sqrt(np.mean(frames ** 2, axis=1))
    active = level > conversations.CLIP_PEAK * 10 ** (ACTIVE_DB / 20)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], active.astype(int), [0]])))
    for end, start in zip(edges[1:-1:2], edges[2::2]):  # each silence between two active runs
        if start - end < FILL_GAPS * FRAME_RATE:
            active[end:start] = True
    return active


def _room(rng: np.random.Generator) -> np.ndarray:
    """An impulse response: direct sound plus exponentially decaying noise (RT60 0.15-0.6 s)."""
    rt60 = rng.uniform(0.15, 0.6)
    t = np.arange(int(rt60 * SAMPLE_RATE)) / SAMPLE_RATE
    tail = rng.normal(size=t.size) * np.exp(-6.9 * t / rt60) * rng.uniform(0.05, 0.3)
    tail[: int(0.003 * SAMPLE_RATE)] = 0.0
    tail[0] = 1.0
    return tail


def conversation_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features (float16) and labels (0, 1 or 2 voices) of one augmented training conversation."""
    rng = np.random.default_rng([seed, 11])
    spec = training_spec(seed)
    timeline = conversations.layout(spec)
    n = max([t.end for t in timeline.turns]
            + [s + len(a) for _, s, a, _ in timeline.backchannels]) + SAMPLE_RATE // 2
    tracks = [voice_track(timeline, speaker, n) for speaker in ("A", "B")]
    n_frames = int(np.ceil(n / (SAMPLE_RATE // FRAME_RATE)))
    count = sum(_activity(track, n_frames).astype(int) for track in tracks)

    gain = 10 ** (rng.uniform(-8, 8) / 20)
    heard = [tracks[0], tracks[1] * gain]
    if rng.random() < 0.5:
        heard = [fftconvolve(track, _room(rng))[:n] for track in heard]
    mix = heard[0] + heard[1]
    tilt = rng.uniform(-0.6, 0.6)
    mix = lfilter([1.0, -tilt], [1.0], mix)
    mix *= 10 ** (rng.uniform(-20, -3) / 20) / np.max(np.abs(mix))
    noise = rng.normal(size=n)
    if rng.random() < 0.5:
        noise = lfilter([1.0], [1.0, -0.98], noise)
        noise /= noise.std()
    mix += noise * 10 ** (rng.uniform(-65, -35) / 20)

    mel = log_mel(mix)
    speech = np.convolve(count > 0, np.ones(21), mode="same") > 0  # like VAD, padded by 0.1 s
    features = frame_features(mel[:n_frames], speech[: len(mel)])
    labels = count[::HOP][: len(features)]
    return features.astype(np.float16), labels.astype(np.int8)


def make_set(seeds: list[int], workers: int, cache: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the conversations `seeds`, read from `cache` (.npz) if it has them."""
    if cache is not None and cache.exists():
        with np.load(cache) as saved:
            if list(saved["seeds"]) == seeds:
                return saved["x"], saved["y"]
    with ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(conversation_data, seeds))
    x, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    if cache is not None:
        np.savez(cache, x=x, y=y, seeds=np.array(seeds))
    return x, y


def train(x: np.ndarray, y: np.ndarray, epochs: int, hidden: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Two-hidden-layer ReLU network, softmax over 3 classes, Adam, class-balanced cross-entropy."""
    rng = np.random.default_rng(seed)
    sizes = [x.shape[1], hidden, hidden, 3]
    params = {}
    for i, (a, b) in enumerate(zip(sizes, sizes[1:]), 1):
        params[f"w{i}"] = (rng.normal(size=(a, b)) * np.sqrt(2.0 / a)).astype(np.float32)
        params[f"b{i}"] = np.zeros(b, np.float32)
    frequency = np.bincount(y, minlength=3) / len(y)
    class_weight = (1.0 / np.sqrt(frequency)).astype(np.float32)
    class_weight /= class_weight @ frequency
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    step, batch, rate = 0, 512, 1e-3
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        total = 0.0
        for start in range(0, len(y), batch):
            index = order[start:start + batch]
            xb, yb = x[index].astype(np.float32), y[index]
            h1 = np.maximum(xb @ params["w1"] + params["b1"], 0)
            h2 = np.maximum(h1 @ params["w2"] + params["b2"], 0)
            logits = h2 @ params["w3"] + params["b3"]
            logits -= logits.max(1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(1, keepdims=True)
            w = class_weight[yb] / len(yb)
            total += float(-(np.log(p[np.arange(len(yb)), yb] + 1e-9) * w).sum()) * len(yb)
            d3 = p.copy()
            d3[np.arange(len(yb)), yb] -= 1
            d3 *= w[:, None]
            grads = {"w3": h2.T @ d3, "b3": d3.sum(0)}
            d2 = (d3 @ params["w3"].T) * (h2 > 0)
            grads |= {"w2": h1.T @ d2, "b2": d2.sum(0)}
            d1 = (d2 @ params["w2"].T) * (h1 > 0)
            grads |= {"w1": xb.T @ d1, "b1": d1.sum(0)}
            step += 1
            for k, g in grads.items():
                m, v = moments[k]
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                params[k] -= (rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
                              ).astype(np.float32)
        if epoch == epochs - 3:
            rate /= 3
        print(f"epoch {epoch + 1}: loss {total / len(y):.4f}", flush=True)
    return params


def report(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Print frame and span figures of 'two voices' on validation data; return the edge uncertainty.

    The edge uncertainty (s) is half the 90th percentile of how much longer a found overlap span
    is than the true one it covers: `overlap.show_overlaps` trusts only the inner part of a span.
    """
    h = np.maximum(x.astype(np.float32) @ params["w1"] + params["b1"], 0)
    h = np.maximum(h @ params["w2"] + params["b2"], 0)
    logits = h @ params["w3"] + params["b3"]
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    accuracy = float(np.mean(p.argmax(1) == y))
    print(f"validation: {len(y)} frames, accuracy {accuracy:.3f}, two-voice frames {np.mean(y == 2):.3f}")
    for threshold in (0.3, 0.5, 0.7):
        found = p[:, 2] > threshold
        hits = int(np.sum(found & (y == 2)))
        print(f"  two voices at p > {threshold}: precision {hits / max(found.sum(), 1):.2f}, "
              f"recall {hits / max(np.sum(y == 2), 1):.2f}")
    speech = np.convolve(y > 0, np.ones(5), mode="same") > 0
    found = two_voice_spans(p[:, 2], speech)
    true = mask_to_spans(y == 2, min_gap=MERGE_GAP, min_length=MIN_OVERLAP)
    starts, ends, longer, hit = [], [], [], 0
    for span in true:
        near = [f for f in found if f.overlap(span) > 0]
        if near:
            hit += 1
            starts.append(near[0].start - span.start)
            ends.append(near[-1].end - span.end)
            longer.append(near[-1].end - near[0].start - span.duration)
    print(f"  overlap spans: {hit} of {len(true)} true found, "
          f"{sum(1 for f in found if not any(f.overlap(t) > 0 for t in true))} of {len(found)} found are false; "
          f"edge error (found - true) start median {np.median(starts):+.2f} s, end median {np.median(ends):+.2f} s, "
          f"length 90th percentile {np.percentile(longer, 90):+.2f} s")
    return round(float(np.percentile(longer, 90)) / 2, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=600, help="training conversations")
    parser.add_argument("--validation", type=int, default=30, help="validation conversations")
    parser.add_argument("--epochs", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=HIDDEN, help="units per hidden layer")
    parser.add_argument("--cache", type=Path, help="folder to keep the made features in for reruns")
    parser.add_argument("--out", type=Path, default=ROOT / "listening_coach" / "two_voices.npz")
    args = parser.parse_args()
    for name in ("count", "validation", "epochs", "workers", "hidden"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, got {getattr(args, name)}")
    began = time.time()
    seeds = [SEED_BASE + i for i in range(args.count + args.validation)]
    cache = {part: args.cache / f"{part}.npz" if args.cache else None for part in ("train", "validation")}
    x, y = make_set(seeds[: args.count], args.workers, cache["train"])
    xv, yv = make_set(seeds[args.count:], args.workers, cache["validation"])
    print(f"{len(y)} training frames ({len(y) * HOP / FRAME_RATE / 3600:.1f} h), "
          f"classes {np.bincount(y, minlength=3)}, made in {time.time() - began:.0f} s", flush=True)
    params = train(x, y, args.epochs, args.hidden)
    edge = report(params, xv, yv)
    np.savez_compressed(args.out, **params, context=np.array(CONTEXT), hop=np.array(HOP),
                        edge_uncertainty=np.array(edge))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1000:.0f} kB) in {time.time() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
