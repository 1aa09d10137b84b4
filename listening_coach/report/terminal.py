"""The terminal report: a summary card per partner, then every turn in time order (fits 80 columns)."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..rubric import TECHNIQUES
from ..types import Analysis, SpeakerStats
from .common import caveat, clock, interruption_summary, label_tags, rows, speaker_names

COLOURS = ("cyan", "magenta", "green", "yellow")
"""Colour of each partner's name, in speaker order."""


def render_terminal(analysis: Analysis, console: Console) -> None:
    """Print the summary cards and the per-turn table of `analysis` on `console`."""
    names = speaker_names(analysis)
    colours = {sid: COLOURS[i % len(COLOURS)] for i, sid in enumerate(names)}
    console.print(Text(f"Conversation of {clock(analysis.audio.duration)} · {_n(len(analysis.turns), 'turn')} · "
                       f"{interruption_summary(analysis)} · "
                       f"{_n(len(analysis.backchannels), 'backchannel')}", style="bold"))
    doubt = caveat(analysis)
    if doubt:
        console.print(Text(doubt, style="yellow"))
    for stats in analysis.stats:
        console.print(_card(analysis, stats, colours[stats.id]))
    if analysis.turns or analysis.backchannels:
        console.print(_turn_table(analysis, names, colours))
    else:
        console.print("No turns were found in this recording.")


def _card(analysis: Analysis, s: SpeakerStats, colour: str) -> Panel:
    figures = Table.grid(padding=(0, 2))
    figures.add_column(style="dim")
    figures.add_column()
    figures.add_column(style="dim")
    figures.add_column()
    figures.add_row("Talk share", f"{s.talk_share:.0%}", "Turns", str(s.turns))
    figures.add_row("Words/min", f"{s.words_per_minute:.0f}", "Backchannels", str(s.backchannels))
    figures.add_row("Cut in", _times(s.interruptions_made), "Was cut off", _times(s.times_interrupted))
    figures.add_row("Questions", f"{s.open_questions} open, {s.closed_questions} closed",
                    "Reflections", str(s.reflections))
    figures.add_row("Validations", str(s.validations), "Criticisms", str(s.criticisms))
    parts: list = [figures]
    score = analysis.scores.get(s.id)
    title = Text(s.name, style=f"bold {colour}")
    if score:
        title.append(f"  overall {score.overall}/100", style="bold")
        techniques = Table.grid(padding=(0, 1))
        for _ in range(2):
            techniques.add_column()
            techniques.add_column(justify="right")
            techniques.add_column(width=3)
        cells = [(TECHNIQUES[n].label if n in TECHNIQUES else n, str(t.score))
                 for n, t in score.techniques.items()]
        for left, right in zip(cells[::2], cells[1::2] + [("", "")]):
            techniques.add_row(*left, "", *right, "")
        strength = score.techniques.get(score.strength)
        label = TECHNIQUES[score.strength].label if score.strength in TECHNIQUES else score.strength
        parts += [Text(""), techniques, Text(""),
                  Text.assemble(("Strongest: ", "bold green"), label,
                                f". {strength.explanation}" if strength else ""),
                  Text.assemble(("Try next: ", "bold yellow"), score.tip)]
    return Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED)


def _turn_table(analysis: Analysis, names: dict[str, str], colours: dict[str, str]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False)
    table.add_column("Time", width=5, no_wrap=True, style="dim")
    table.add_column("Who", max_width=10, no_wrap=True, overflow="ellipsis")
    table.add_column("Said", ratio=1, overflow="fold")
    table.add_column("Labels", width=18)
    for row in rows(analysis):
        if row.turn:
            turn = row.turn
            marks = Text()
            if row.interruption:
                marks.append(f"⚡ interrupts {names[row.interruption.interrupted]}\n", style="bold red")
            elif row.possibly_cut:
                marks.append(f"possibly interrupts {names[row.possibly_cut]}\n", style="red")
            marks.append(", ".join(label_tags(turn.labels)), style="yellow")
            table.add_row(clock(turn.start), Text(names[turn.speaker], style=colours[turn.speaker]),
                          Text(f"#{turn.index} ", style="dim") + Text(turn.text), marks)
        else:
            bc = row.backchannel
            table.add_row(clock(bc.start), Text(names[bc.speaker], style=colours[bc.speaker]),
                          Text(f"({bc.text or 'a short listening sound'})", style="dim italic"),
                          Text("backchannel", style="dim"))
    return table


def _n(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _times(n: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(n, f"{n} times")
