"""Benchmark the language detectors against labelled utterances and a naive baseline.

Usage (from the repository root)::

    python benchmarks/detectors.py [--errors LABEL] [--corpus NAME] [--asr] [--half 1|2|both]
                                   [--whisper]

    python benchmarks/detectors.py --half both --corpus annomi   # while tuning: AnnoMI halves
    python benchmarks/detectors.py --corpus couples-tune --errors criticism

Corpora: AnnoMI dev (therapist utterances) and MI gold dev from ../shared/data (skipped with a
message when absent), and benchmarks/couple_dialogues.jsonl (our own writing, docs/labelling.md;
one table per split: "tune", which rules were written against (d01-d125; d46-d76 and d93-d125 were
the unseen "test2" and "test3" splits of the fifth and sixth rounds); "test4" (d126-d162), written
and labelled before any detector ran on it and never used to change a rule; "train" (d200-d319,
d600-d649), for fitting models (only the tenth round's validation rules were made from it);
"test5" (d400-d431), written without sight of any other dialogue or detector; "test6"
(d500-d539), written the same way (its errors were read in the eleventh round); and "test7"
(d700-d739), written the same way, the newest unseen set. While changing rules, leave the unseen
splits out with `--corpus couples-tune` or `--corpus annomi`). Prints precision, recall and
F1 per label for the detectors' confident labels, the same counting "possible" labels as found, and
the baseline; then the time the language step takes on a 10-minute talk. `--asr` first turns every
text into what a recogniser without punctuation or capitals would produce. `--half 1` keeps only
AnnoMI conversations with an even number, `--half 2` those with an odd number and `--half both`
prints each half on its own: a change is made from the errors of one half and judged on the other.
`--whisper` also times faster-whisper (the bundled tiny.en model) on ../shared/data/audio/dev00.wav
and scales it to 10 minutes.

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


def predicted(labels: Labels, possible: bool = False) -> dict[str, bool]:
    """Predicted labels as label name -> bool; with `possible`, unsure labels count as found."""
    found = {"open": labels.question == "open", "closed": labels.question == "closed"}
    for name in ("reflection", "validation", "criticism", "apology", "feeling"):
        found[name] = getattr(labels, name) or possible and name in labels.possible
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
    couples = load(COUPLES)
    for split in dict.fromkeys(r["split"] for r in couples):  # in order of first appearance
        found.append((f"couples-{split}", [r for r in couples if r["split"] == split], LABELS))
    return found


def asr_style(record: dict) -> dict:
    """The record as a recogniser without punctuation or capitals would give it."""
    strip = lambda text: re.sub(r"[^\w\s'-]", "", text).lower()  # noqa: E731
    context = [dict(c, text=strip(c["text"])) for c in record.get("context") or []]
    return dict(record, text=strip(record["text"]), context=context)


def evaluate(name: str, records: list[dict], labels: tuple[str, ...], errors: str | None) -> None:
    """Print the table for one corpus (and its errors for the label `errors`)."""
    found = [label_turn(r["text"], previous_text(r)) for r in records]
    ours = [predicted(labels) for labels in found]
    unsure = [predicted(labels, possible=True) for labels in found]
    naive = [predicted(baseline(r["text"])) for r in records]
    gold = [truth(r) for r in records]
    print(f"\n{name}: {len(records)} utterances")
    print(f"{'label':<11} {'n':>5}  {'P':>5} {'R':>5} {'F1':>5}   +possible {'P':>5} {'R':>5} {'F1':>5}"
          f"   baseline {'F1':>5}")
    for label in labels:
        n, p, r, f = scores([(g[label], o[label]) for g, o in zip(gold, ours)])
        _, up, ur, uf = scores([(g[label], u[label]) for g, u in zip(gold, unsure)])
        _, _, _, bf = scores([(g[label], b[label]) for g, b in zip(gold, naive)])
        print(f"{label:<11} {n:>5}  {p:5.2f} {r:5.2f} {f:5.2f}   {'':9} {up:5.2f} {ur:5.2f} {uf:5.2f}"
              f"   {'':8} {bf:5.2f}")
    if errors:
        for record, labels, g, o in zip(records, found, gold, ours):
            if g[errors] != o[errors]:
                kind = ("FN" if g[errors] else "FP") + ("?" if errors in labels.possible else "")
                print(f"  {kind} {record['id']}: {record['text'][:160]!r}")
                if errors == "reflection" and previous_text(record):
                    print(f"       prev: {previous_text(record)[:160]!r}")


TALK_WORDS = 1500
"""Words in a 10-minute talk: two partners at about 150 words a minute between them."""


def talk() -> list[tuple[str, str | None]]:
    """(turn, partner's previous turn) pairs of a 10-minute talk, from our couple dialogues."""
    turns = [r["text"] for r in load(COUPLES)]
    pairs, words = [], 0
    while words < TALK_WORDS:
        previous, text = turns[len(pairs) - 1] if pairs else None, turns[len(pairs) % len(turns)]
        pairs.append((text, previous))
        words += len(text.split())
    return pairs


def language_step_seconds(repeats: int = 5) -> float:
    """Median seconds to label every turn of a 10-minute talk."""
    pairs = talk()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for text, previous in pairs:
            label_turn(text, previous)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def whisper_seconds() -> float | None:
    """Seconds faster-whisper (bundled tiny.en, project settings) takes on 10 minutes of talk."""
    clip = DATA / "audio" / "dev00.wav"
    if not clip.exists():
        print(f"skipping the faster-whisper timing: {clip} not found")
        return None
    import soundfile

    from listening_coach.transcribe import TranscribeOptions, load_model

    options = TranscribeOptions()
    model = load_model(None, options.compute_type)
    start = time.perf_counter()
    segments, info = model.transcribe(str(clip), beam_size=options.beam_size, language=options.language,
                                      word_timestamps=True, vad_filter=True,
                                      condition_on_previous_text=options.condition_on_previous_text)
    list(segments)
    elapsed = time.perf_counter() - start
    return elapsed * 600 / soundfile.info(str(clip)).duration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", choices=LABELS, help="list the errors for this label")
    parser.add_argument("--corpus", help="only corpora whose name contains this text")
    parser.add_argument("--asr", action="store_true", help="lower-case and strip punctuation first")
    parser.add_argument("--half", choices=("1", "2", "both"),
                        help="AnnoMI only the even (1) or odd (2) numbered conversations, or each (both)")
    parser.add_argument("--whisper", action="store_true", help="also time faster-whisper on a clip")
    args = parser.parse_args()
    halves = {None: [None], "1": [1], "2": [2], "both": [1, 2]}[args.half]
    chosen = [(name, records, labels) for half in halves for name, records, labels in corpora(half)
              if not args.corpus or args.corpus in name]
    if not chosen:
        names = ", ".join(name for name, _, _ in corpora())
        parser.error(f"--corpus {args.corpus}: no corpus name contains it; the corpora are {names}")
    seen = set()
    for name, records, labels in chosen:
        if name in seen:
            continue
        seen.add(name)
        if args.asr:
            name, records = f"{name} [ASR-style]", [asr_style(r) for r in records]
        evaluate(name, records, labels, args.errors)
    seconds = language_step_seconds()
    print(f"\nlanguage step: {seconds:.3f} s per 10-minute talk ({len(talk())} turns, {TALK_WORDS} words)")
    if args.whisper and (whisper := whisper_seconds()) is not None:
        print(f"faster-whisper tiny.en: {whisper:.1f} s per 10 minutes; language step / whisper = "
              f"{seconds / whisper:.4f} (budget 0.05)")


if __name__ == "__main__":
    main()
