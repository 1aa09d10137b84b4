"""How far can a rule that decides open / closed from a question's form get on AnnoMI?

Usage (from the repository root)::

    python benchmarks/question_forms.py

Each AnnoMI dev therapist turn gets a form class: the rules' own answer (open, closed or none)
plus the first words of its first question-like sentence and whether that sentence ends with
'?'. Every class is then given the label its turns carry most often in one half, and that
mapping is scored on the same half (a generous bound: it is fitted to the answers) and on the
other half (what such a fitted mapping does on conversations it has not seen). Last, how AnnoMI
labels the yes/no-form questions the rules call closed, overall and for a few common openings.
Nothing here is shipped; AnnoMI is for measuring only.
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detectors import DATA, in_half, load, scores  # noqa: E402

from listening_coach.detectors.questions import AUX, question_type, sentence_type  # noqa: E402
from listening_coach.detectors.text import parse  # noqa: E402

Form = tuple[str | None, tuple[str, ...], bool]

OPENINGS = {
    "permission (is it okay if / can I ask)": re.compile(
        r"\b(?:is it|would it be) (?:ok|okay|alright|all right)\b|\b(?:can|could|may) i (?:ask|share|tell|"
        r"give|offer|suggest|talk|mention)\b"),
    "do you think / feel": re.compile(r"\b(?:do|did) you (?:think|feel)\b"),
    "is there anything / anything else": re.compile(r"\bis there anything\b|\banything else\b"),
    "have you (ever) tried / thought": re.compile(r"\bhave you (?:ever )?(?:tried|thought|considered)\b"),
}


def form(text: str, words: int) -> Form:
    """The rules' answer, the first `words` words of the first question-like sentence, its '?'."""
    utterance = parse(text)
    first = next((s for s in utterance.sentences if sentence_type(s) or s.asked), None)
    return question_type(utterance), first.core[:words] if first else (), bool(first and first.asked)


def f1s(rows: list[tuple[Form, str | None]], table: dict[Form, str | None]) -> str:
    """Open and closed F1 when each form class gets `table`'s label (the rules' answer if absent)."""
    out = []
    for label in ("open", "closed"):
        pairs = [(gold == label, table.get(f, f[0]) == label) for f, gold in rows]
        out.append(f"{label} {scores(pairs)[3]:.2f}")
    return " / ".join(out)


def majority(rows: list[tuple[Form, str | None]]) -> dict[Form, str | None]:
    """Each form class -> the gold label it carries most often."""
    counts: dict[Form, collections.Counter] = collections.defaultdict(collections.Counter)
    for f, gold in rows:
        counts[f][gold] += 1
    return {f: c.most_common(1)[0][0] for f, c in counts.items()}


def main() -> None:
    path = DATA / "annomi" / "dev.jsonl"
    if not path.exists():
        sys.exit(f"AnnoMI not found: {path}")
    records = {h: load(path, lambda r, h=h: r["speaker"] == "therapist" and in_half(r, h)) for h in (1, 2)}
    for words in (1, 2):
        rows = {h: [(form(r["text"], words), r["labels"].get("question")) for r in recs]
                for h, recs in records.items()}
        print(f"form class = rules' answer + first {words} word(s) + '?'")
        print(f"  rules as they are:        half 1 {f1s(rows[1], {})}; half 2 {f1s(rows[2], {})}")
        for a, b in ((1, 2), (2, 1)):
            table = majority(rows[a])
            print(f"  fitted on half {a}: same half {f1s(rows[a], table)}; half {b} {f1s(rows[b], table)}")
    for h, recs in records.items():
        yes_no = [r for r in recs if (f := form(r["text"], 1))[0] == "closed" and f[1] and f[1][0] in AUX]
        gold = collections.Counter(r["labels"].get("question") for r in yes_no)
        print(f"half {h}: yes/no-form questions the rules call closed, AnnoMI label: {dict(gold)}")
        for name, rx in OPENINGS.items():
            gold = collections.Counter(r["labels"].get("question") for r in yes_no if rx.search(parse(r["text"]).text))
            print(f"  {name}: {dict(gold)}")


if __name__ == "__main__":
    main()
