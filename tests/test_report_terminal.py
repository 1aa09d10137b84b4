"""The terminal report: fits 80 columns, shows every turn, and NO_COLOR means no ANSI escapes."""

import io
import os
import re
import subprocess
import sys
from dataclasses import replace

from rich.console import Console

from listening_coach.analysis_json import write_json
from listening_coach.pipeline import analyze_transcript
from listening_coach.report.terminal import render_terminal
from listening_coach.types import AudioInfo, Span, Transcript, Word

from builders import build, sample, scored


def _render(analysis, width=80) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    render_terminal(analysis, console)
    return console.export_text()


def _said_in_order(words: list[str], text: str) -> bool:
    """Whether `words` appear in `text` in order (the table wraps a turn over several lines)."""
    position = 0
    for word in words:
        position = text.find(word, position)
        if position < 0:
            return False
        position += len(word)
    return True


def test_fits_80_columns_and_shows_every_turn_and_marker():
    analysis = sample()
    text = _render(analysis)
    assert max(len(line) for line in text.splitlines()) <= 80
    for turn in analysis.turns:
        assert f"#{turn.index}" in text
        assert _said_in_order(turn.text.split(), text), turn.text
    assert _said_in_order(["⚡", "interrupts", "Sam"], text)
    assert "(mm-hmm)" in text and "(yeah)" in text
    assert "overall 80/100" in text and "Try next:" in text and "Strongest:" in text


def test_an_unsure_reflection_is_shown_as_possible():
    analysis = scored(build([("A", 0.0, 3.0, "work has been so busy"),
                             ("B", 3.5, 6.0, "a lot on your plate?", "closed", "possible reflection")]))
    text = _render(analysis)
    assert _said_in_order(["closed question,", "possible", "reflection"], text)
    assert "reflects" not in text


def test_an_unsure_interruption_is_shown_as_possible_and_not_counted():
    # On a shared mic, B cuts in 0.5 s before A's end: too little overlap to be sure.
    analysis = scored(build([("A", 0.0, 3.0, "work has been so busy lately"),
                             ("B", 2.5, 6.0, "you say that every single week")], mics="shared"))
    text = _render(analysis)
    assert "0 interruptions (+1 possible)" in text
    assert _said_in_order(["possibly", "interrupts", "Sam"], text) and "⚡" not in text


def test_long_names_and_unbroken_words_still_fit():
    analysis = scored(build(
        [("A", 0.0, 4.0, "supercalifragilistic" * 6 + " and more"), ("B", 3.0, 9.0, "well " * 30)],
        names={"A": "Maximiliana-Josephine", "B": "Bartholomew-Alexander"}))
    assert max(len(line) for line in _render(analysis).splitlines()) <= 80


def test_an_empty_conversation_says_so():
    assert "No turns were found" in _render(build([]))


def _cli_report(tmp_path, **env) -> str:
    path = tmp_path / "talk.json"
    write_json(sample(), path)
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"FORCE_COLOR": "1", "COLUMNS": "80"}
    result = subprocess.run([sys.executable, "-m", "listening_coach.cli", "report", str(path)],
                            capture_output=True, text=True, env=environment | env, check=True, timeout=60)
    return result.stdout


def test_no_color_gives_no_ansi_escapes(tmp_path):
    assert "\x1b[" in _cli_report(tmp_path), "a forced terminal is styled without NO_COLOR"
    plain = _cli_report(tmp_path, NO_COLOR="1")
    assert "\x1b[" not in plain
    assert re.search(r"overall \d+/100", plain)


def one_voice_analysis():
    """A monologue through the real downstream pipeline: one speaker heard on a shared mic."""
    text = "we choose to go to the moon in this decade and do the other things"
    words = tuple(Word(t, i * 0.4, i * 0.4 + 0.3, 0.9, "A") for i, t in enumerate(text.split()))
    transcript = Transcript(words, {"A": (Span(0.0, 5.5),)}, "shared", voices_heard=1)
    return analyze_transcript(transcript, AudioInfo("jfk.wav", 6.0, 16000, 1))


def test_one_voice_is_said_plainly_and_gets_no_scores():
    analysis = one_voice_analysis()
    assert [s.id for s in analysis.speakers] == ["A"] and analysis.scores == {}
    text = _render(analysis)
    assert max(len(line) for line in text.splitlines()) <= 80
    said = " ".join(text.split())
    assert "Only one voice was heard, so there are no listening scores" in said
    assert "overall" not in said


def test_more_than_two_voices_are_mentioned():
    assert "3 different voices were heard" in " ".join(_render(replace(sample(), voices_heard=3)).split())
    assert "different voices" not in _render(replace(sample(), voices_heard=2))
