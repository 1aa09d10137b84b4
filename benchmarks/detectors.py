"""Benchmark the language detectors against labelled utterances and a naive baseline.

Usage (from the repository root)::

    python benchmarks/detectors.py [--errors LABEL] [--corpus NAME] [--asr] [--half 1|2]

Corpora: AnnoMI dev (therapist utterances) and MI gold dev from ../shared/data (skipped with a
message when absent), and benchmarks/couple_dialogues.jsonl (our own writing, split into a "dev"
part used while writing rules and a "test" part). Prints precision, recall and F1 per label for the
rules and for the baseline, and the labelling speed in utterances per second. `--asr` first turns
every text into what a recogniser without punctuation or capitals would produce. `--half 1` keeps
only AnnoMI conversations with an even number and `--half 2` those with an odd number: rules are
written from the errors of half 1 and checked on half 2, to catch rules that only fit the
conversations they were read from.

The baseline: a question is any text with '?'; it is open when the first word is what/how/why/
tell/describe/explain, else closed. For the other labels it looks for one keyword each.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening_coach.detectors import label_turn  # noqa: E402
from listening_coach.types import Labels  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
COUPLES = ROOT / "benchmarks" / "couple_dialogues.jsonl"
LABELS = ("open", "closed", "reflection", "validation", "criticism", "apology", "feeling")
MI_LABELS = ("open", "closed", "reflection")

_BASELINE_KEYWORDS = {
    "reflection": re.compile(r"^\W*(?:so you|it sounds like)\b", re.I),
    "validation": re.compile(r"\bmakes sense\b", re.I),
    "criticism": re.compile(r"\byou (?:always|never)\b", re.I),
    "apology": re.compile(r"\bsorry\b", re.I),
    "feeling": re.compile(r"\bi feel\b", re.I),
}


def baseline(text: str) -> Labels:
    """The naive labeller: question mark plus first word, one keyword per other label."""
    words = re.findall(r"[a-z']+", text.lower())
    question = None
    if "?" in text:
        open_start = words and words[0] in ("what", "how", "why", "tell", "describe", "explain")
        question = "open" if open_start else "closed"
    found = {name: bool(rx.search(text)) for name, rx in _BASELINE_KEYWORDS.items()}
    return Labels(question=question, **found)


def truth(record: dict) -> dict[str, bool]:
    """Gold labels of a record as label name -> bool."""
    labels = record["labels"]
    gold = {"open": labels.get("question") == "open", "closed": labels.get("question") == "closed"}
    gold["reflection"] = bool(labels.get("reflection"))
    for name in ("validation", "criticism", "apology", "feeling"):
        gold[name] = bool(labels.get(name))
    return gold


def predicted(labels: Labels) -> dict[str, bool]:
    """Predicted labels as label name -> bool."""
    found = {"open": labels.question == "open", "closed": labels.question == "closed"}
    for name in ("reflection", "validation", "criticism", "apology", "feeling"):
        found[name] = getattr(labels, name)
    return found


def previous_text(record: dict) -> str | None:
    """The text of the last context utterance, or None."""
    context = record.get("context") or []
    return context[-1]["text"] if context else None


def scores(pairs: list[tuple[bool, bool]]) -> tuple[int, float, float, float]:
    """(positives, precision, recall, F1) for (gold, predicted) pairs."""
    tp = sum(g and p for g, p in pairs)
    fp = sum(p and not g for g, p in pairs)
    fn = sum(g and not p for g, p in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return tp + fn, precision, recall, f1


def load(path: Path, keep=lambda record: True) -> list[dict]:
    """Records of a JSON Lines file that pass `keep`."""
    with path.open(encoding="utf-8") as handle:
        return [r for r in map(json.loads, handle) if keep(r)]


def in_half(record: dict, half: int | None) -> bool:
    """True when `record`'s conversation belongs to `half` (1: even number, 2: odd; None: both)."""
    return half is None or int(record["conversation"].rsplit("-", 1)[1]) % 2 == half - 1


def corpora(half: int | None = None) -> list[tuple[str, list[dict], tuple[str, ...]]]:
    """(name, records, labels to score) for every corpus that is present."""
    found = []
    annomi = DATA / "annomi" / "dev.jsonl"
    if annomi.exists():
        records = load(annomi, lambda r: r["speaker"] == "therapist" and in_half(r, half))
        name = "annomi-dev (therapist)" if half is None else f"annomi-dev half {half} (therapist)"
        found.append((name, records, MI_LABELS))
    else:
        print(f"skipping AnnoMI: {annomi} not found")
    mi_gold = DATA / "mi_gold" / "dev.jsonl"
    if mi_gold.exists():
        found.append(("mi_gold-dev", load(mi_gold), MI_LABELS))
    else:
        print(f"skipping MI gold: {mi_gold} not found")
    for split in ("dev", "test"):
        records = load(COUPLES, lambda r, s=split: r["split"] == s)
        found.append((f"couples-{split}", records, LABELS))
    return found


def asr_style(record: dict) -> dict:
    """The record as a recogniser without punctuation or capitals would give it."""
    strip = lambda text: re.sub(r"[^\w\s'-]", "", text).lower()  # noqa: E731
    context = [dict(c, text=strip(c["text"])) for c in record.get("context") or []]
    return dict(record, text=strip(record["text"]), context=context)


def evaluate(name: str, records: list[dict], labels: tuple[str, ...], errors: str | None) -> float:
    """Print the table for one corpus; return the seconds spent labelling."""
    start = time.perf_counter()
    ours = [predicted(label_turn(r["text"], previous_text(r))) for r in records]
    elapsed = time.perf_counter() - start
    naive = [predicted(baseline(r["text"])) for r in records]
    gold = [truth(r) for r in records]
    print(f"\n{name}: {len(records)} utterances")
    print(f"{'label':<11} {'n':>5}  {'P':>5} {'R':>5} {'F1':>5}   baseline {'P':>5} {'R':>5} {'F1':>5}")
    for label in labels:
        n, p, r, f = scores([(g[label], o[label]) for g, o in zip(gold, ours)])
        _, bp, br, bf = scores([(g[label], b[label]) for g, b in zip(gold, naive)])
        print(f"{label:<11} {n:>5}  {p:5.2f} {r:5.2f} {f:5.2f}   {'':8} {bp:5.2f} {br:5.2f} {bf:5.2f}")
    if errors:
        for record, g, o in zip(records, gold, ours):
            if g[errors] != o[errors]:
                kind = "FN" if g[errors] else "FP"
                print(f"  {kind} {record['id']}: {record['text'][:160]!r}")
                if errors == "reflection" and previous_text(record):
                    print(f"       prev: {previous_text(record)[:160]!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", choices=LABELS, help="list the errors for this label")
    parser.add_argument("--corpus", help="only corpora whose name contains this text")
    parser.add_argument("--asr", action="store_true", help="lower-case and strip punctuation first")
    parser.add_argument("--half", type=int, choices=(1, 2),
                        help="AnnoMI only the even (1) or odd (2) numbered conversations")
    args = parser.parse_args()
    total_time = 0.0
    total = 0
    for name, records, labels in corpora(args.half):
        if args.corpus and args.corpus not in name:
            continue
        if args.asr:
            name, records = f"{name} [ASR-style]", [asr_style(r) for r in records]
        total_time += evaluate(name, records, labels, args.errors)
        total += len(records)
    if total:
        print(f"\nspeed: {total / total_time:,.0f} utterances/second ({total} utterances)")


if __name__ == "__main__":
    main()
