"""Work run in a second thread while the main thread does other work (e.g. transcription)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Stopped(Exception):
    """Raised inside the background work when the main thread gave up on it."""


class Background(Generic[T]):
    """Run `work(advance)` in a daemon thread from entering the `with` block; `result()` waits for it.

    `work` reports progress through the `advance` it is given, which forwards to `on_progress`.
    If the `with` block fails, the work is stopped at its next progress report and its result
    is never asked for; an error in the work is raised again by `result()`.
    """

    def __init__(self, work: Callable[[Callable[[float], None]], T], on_progress: Callable[[float], None]) -> None:
        self._work = work
        self._on_progress = on_progress
        self._stop = threading.Event()
        self._outcome: tuple[bool, object] | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Background[T]:
        self._thread.start()
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is not None:
            self._stop.set()

    def result(self) -> T:
        """The work's result, once it is done (its exception if it failed)."""
        self._thread.join()
        succeeded, value = self._outcome
        if not succeeded:
            raise value
        return value

    def _advance(self, amount: float) -> None:
        if self._stop.is_set():
            raise _Stopped
        self._on_progress(amount)

    def _run(self) -> None:
        try:
            self._outcome = (True, self._work(self._advance))
        except BaseException as error:  # handed to the main thread by result()
            self._outcome = (False, error)
