"""A progress bar with time left for long analyses, drawn on stderr while the pipeline runs."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from .pipeline import Progress as PipelineProgress


class ProgressDisplay(PipelineProgress):
    """Shows the microphone set-up chosen (and, for a shared mic, what it measures less surely) and a
    transcription bar (seconds of speech, time left)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(bar_width=24),
            TextColumn("{task.percentage:>3.0f}%"), TextColumn("time left"), TimeRemainingColumn(),
            console=console, transient=True,
        )
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

    def transcribing(self, total_seconds: float) -> None:
        self._bar.start()
        self._task = self._bar.add_task("Transcribing", total=max(total_seconds, 1e-3))

    def advance(self, seconds: float) -> None:
        if self._task is not None:
            self._bar.advance(self._task, seconds)
