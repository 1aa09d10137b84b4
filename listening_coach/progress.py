"""Progress with time left for long analyses, drawn on stderr while the pipeline runs.

Each stage gets one line: "Transcribing ━━━━━━━━   40%  about 1 min left" when it says how much
work lies ahead, "Finding speech ━━━━  0:05" (time so far) when it does not.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn
from rich.text import Text

from .pipeline import Progress as PipelineProgress


def time_left(seconds: float | None) -> str:
    """Words for an estimate of `seconds` left: "about 20 s left", "about 3 min left"; "" if unknown."""
    if seconds is None:
        return ""
    if seconds < 8:
        return "a few seconds left"
    if seconds < 60:
        return f"about {round(seconds / 5) * 5} s left"
    if seconds < 3600:
        return f"about {round(seconds / 60)} min left"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"about {hours} h {minutes} min left"


class _Left(ProgressColumn):
    """The share done and the time left, or the time spent so far when the total is unknown."""

    def render(self, task: Task) -> Text:
        if task.total is None:
            seconds = int(task.elapsed or 0)
            return Text(f"{seconds // 60}:{seconds % 60:02d}", style="progress.elapsed")
        words = time_left(task.time_remaining) if 0 < task.completed < task.total else ""
        return Text(f"{task.percentage:>3.0f}%  {words}".rstrip(), style="progress.remaining")


class ProgressDisplay(PipelineProgress):
    """Shows the microphone set-up chosen (and, for a shared mic, what it measures less surely) and,
    on a terminal, a line per stage of the analysis, replaced by the next stage when it starts."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=24), _Left(),
                             console=console, transient=True)
        self._task = None

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc) -> None:
        if self._task is not None:
            self._bar.stop()

    def mics_chosen(self, mics: str, reason: str) -> None:
        self._console.print(f"Microphones: {reason}.", markup=False)
        if mics == "shared":
            self._console.print("With one microphone, who talked over whom is estimated from the sound; "
                                "a microphone per partner gives surer interruption counts.", markup=False)

    def stage(self, name: str, total: float | None = None) -> None:
        if not self._console.is_terminal:
            return
        if self._task is None:
            self._bar.start()
        else:
            self._bar.remove_task(self._task)
        self._task = self._bar.add_task(f"{name}...", total=None if total is None else max(total, 1e-3))

    def advance(self, amount: float) -> None:
        if self._task is not None:
            self._bar.advance(self._task, amount)
