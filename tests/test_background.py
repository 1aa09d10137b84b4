"""Work in a second thread: its result, its errors, and stopping it when the main work fails."""

import threading
import time

import pytest

from listening_coach.background import Background


def counting(steps, seen):
    def work(advance):
        for _ in range(steps):
            time.sleep(0.01)
            advance(1.0)
        seen.append(threading.current_thread().name)
        return steps
    return work


def test_the_result_and_progress_of_work_in_another_thread():
    reported, seen = [], []
    job = Background(counting(5, seen), reported.append)
    with job:
        pass
    assert job.result() == 5
    assert reported == [1.0] * 5
    assert seen and seen[0] != threading.current_thread().name


def test_an_error_in_the_work_is_raised_by_result():
    def failing(advance):
        raise ValueError("bad audio")

    job = Background(failing, lambda amount: None)
    with job:
        pass
    with pytest.raises(ValueError, match="bad audio"):
        job.result()


def test_the_work_stops_when_the_main_work_fails():
    reported, seen = [], []
    job = Background(counting(500, seen), reported.append)
    with pytest.raises(KeyboardInterrupt):
        with job:
            time.sleep(0.05)
            raise KeyboardInterrupt
    job._thread.join(timeout=2)
    assert not job._thread.is_alive()
    assert not seen and len(reported) < 500  # it never finished
