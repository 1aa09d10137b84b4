"""Shared-microphone interruption cues: hand-built word timelines and synthetic signals."""

from dataclasses import replace

import numpy as np
from timeline import line, transcript

from listening_coach.interaction import find_overlaps
from listening_coach.overlap import (
    ASSUMED_OVERLAP,
    cut_off_onsets,
    ends_mid_sentence,
    settle_changes,
    silent_near,
)
from listening_coach.turns import build_turns
from listening_coach.vad import frame_levels

SR = 16000


def levels(seconds: float, quiet: list[tuple[float, float]] = ()) -> np.ndarray:
    """Frame levels (dB) of a signal that is a loud tone except in its first second (room noise, as
    before a conversation starts) and in the `quiet` spans (s)."""
    quiet = [(0.0, 1.0), *quiet]
    rng = np.random.default_rng(0)
    signal = 0.1 * np.sin(2 * np.pi * 200 * np.arange(int(seconds * SR)) / SR) + rng.normal(0, 3e-4, int(seconds * SR))
    for start, end in quiet:
        signal[int(start * SR) : int(end * SR)] = rng.normal(0, 3e-4, int(end * SR) - int(start * SR))
    return frame_levels(signal[None, :])[0]


def shared_analysis(words, level):
    found = cut_off_onsets(settle_changes(words), level)
    turns, _ = build_turns(transcript(found, mics="shared"))
    return find_overlaps(turns)


def test_change_mid_sentence_with_no_silence_is_an_interruption():
    # A is cut off after "my"; B carries on with no gap (the overlap is hidden in the mix).
    words = line("A", 1.0, "I was thinking that this weekend we could finally visit my") + \
        line("B", 4.3, "no no we are not doing that again this month.")
    _, interruptions, _ = shared_analysis(words, levels(8.0, quiet=[(7.3, 8.0)]))
    assert len(interruptions) == 1
    assert (interruptions[0].interrupter, interruptions[0].interrupted) == ("B", "A")
    assert interruptions[0].time == 4.3 - ASSUMED_OVERLAP


def test_terminal_overlap_after_a_finished_sentence_is_not_an_interruption():
    words = line("A", 1.0, "so that is what happened at work today.") + \
        line("B", 3.4, "that sounds really hard.")
    _, interruptions, overlaps = shared_analysis(words, levels(5.0))
    assert interruptions == [] and overlaps == []


def test_unfinished_sentence_followed_by_a_silent_gap_is_not_an_interruption():
    words = line("A", 1.0, "I was going to say that maybe we") + line("B", 3.7, "we should ask your sister.")
    _, interruptions, _ = shared_analysis(words, levels(6.0, quiet=[(3.4, 3.7)]))
    assert interruptions == []


def test_change_snaps_to_the_nearest_sentence_end():
    # Diarization gave A's last word "goes." to B.
    words = line("A", 0.0, "let us try it for a week and see how it goes.") + line("B", 3.6, "I hear you.")
    words = [replace(w, speaker="B") if w.text == "goes." else w for w in words]
    settled = settle_changes(words)
    assert [(w.text, w.speaker) for w in settled[-4:]] == [("goes.", "A"), ("I", "B"), ("hear", "B"), ("you.", "B")]


def test_mid_sentence_reads_the_punctuation_on_both_sides_of_the_change():
    a = line("A", 0.0, "we could visit my")
    assert ends_mid_sentence(a, line("B", 1.2, "no")[0])
    assert not ends_mid_sentence(line("A", 0.0, "we could visit."), line("B", 0.9, "no")[0])
    assert not ends_mid_sentence(a, line("B", 1.2, "mother.")[0])  # A's last word given to B


def test_silence_is_found_in_a_synthetic_signal_only_where_there_is_a_gap():
    level = levels(4.0, quiet=[(2.5, 2.7)])
    floor = float(np.percentile(level, 10))
    assert silent_near(level, floor, 2.6)
    assert not silent_near(level, floor, 1.8)
