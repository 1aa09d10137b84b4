"""Interruptions, terminal overlaps and per-partner figures on hand-built timelines."""

import pytest

from listening_coach.interaction import find_overlaps, pauses, speaker_stats
from listening_coach.pipeline import analyze_transcript
from listening_coach.turns import build_turns
from listening_coach.types import AudioInfo, Span, Speaker

from timeline import line, transcript

SPEAKERS = [Speaker("A", "Sam"), Speaker("B", "Alex")]


def analyse(*lines):
    turns, backchannels = build_turns(transcript(*lines))
    turns, interruptions, overlaps = find_overlaps(turns)
    return turns, backchannels, interruptions, overlaps


def test_starting_mid_sentence_and_taking_the_floor_is_an_interruption():
    turns, _, interruptions, overlaps = analyse(
        line("A", 0.0, "I was thinking that this weekend we could finally visit my"),  # ends 3.3
        line("B", 2.1, "no no we are not doing that again this month"),  # starts 1.2 s before A ends
    )
    assert len(interruptions) == 1
    found = interruptions[0]
    assert (found.interrupter, found.interrupted, found.time) == ("B", "A", 2.1)
    assert found.overlap == pytest.approx(1.2)
    assert found.cut_off_text.endswith("finally visit my")
    assert turns[found.turn].interruption and turns[found.turn].speaker == "B"
    assert [o.kind for o in overlaps] == ["interruption"]


def test_overlap_in_the_last_moment_of_a_turn_is_terminal_not_an_interruption():
    _, _, interruptions, overlaps = analyse(
        line("A", 0.0, "so that is what happened at work today"),  # ends 2.4
        line("B", 2.25, "that sounds really hard"),
    )
    assert interruptions == []
    assert [o.kind for o in overlaps] == ["terminal"]


def test_overlap_where_the_speaker_keeps_the_floor_is_not_an_interruption():
    _, _, interruptions, overlaps = analyse(
        line("A", 0.0, "I want us to plan the holidays early this year so that nobody feels rushed again"),
        line("B", 1.0, "wait can I say something"),  # stops while A carries on
    )
    assert interruptions == []
    assert [o.kind for o in overlaps] == ["no-takeover"]


def test_backchannel_during_speech_is_not_an_interruption():
    _, backchannels, interruptions, _ = analyse(
        line("A", 0.0, "and then my sister called and we talked for an hour about the move"),
        line("B", 1.2, "mm-hmm"),
    )
    assert interruptions == []
    assert len(backchannels) == 1


def test_speaker_stats_count_talk_share_interruptions_and_latency():
    turns, backchannels, interruptions, _ = analyse(
        line("A", 0.0, "I was thinking that this weekend we could finally visit my"),
        line("B", 2.1, "no no we are not doing that again this month"),
        line("A", 6.0, "okay what would you like to do instead"),
    )
    stats = {s.id: s for s in speaker_stats(SPEAKERS, turns, interruptions, backchannels)}
    assert stats["B"].interruptions_made == 1 and stats["A"].times_interrupted == 1
    assert stats["A"].interruptions_made == 0
    assert stats["A"].talk_time == pytest.approx(3.3 + 2.4)
    assert stats["B"].talk_time == pytest.approx(3.0)
    assert stats["A"].talk_share + stats["B"].talk_share == pytest.approx(1.0, abs=0.002)
    assert stats["B"].median_latency == pytest.approx(2.1 - 3.3)
    assert stats["A"].median_latency == pytest.approx(6.0 - 5.1)
    assert stats["A"].latency_p25 == stats["A"].latency_p75 == stats["A"].median_latency  # one reply
    assert stats["A"].words_per_minute == pytest.approx(200.0)
    assert stats["A"].longest_turn == pytest.approx(3.3)
    assert stats["A"].name == "Sam"


def test_pauses_of_at_least_one_and_a_half_seconds_are_listed():
    turns, *_ = analyse(line("A", 0.0, "right"), line("B", 0.6, "so"), line("A", 3.0, "well"))
    assert pauses(turns) == [Span(0.9, 3.0)]


def test_voice_activity_counts_speech_the_recogniser_skipped():
    a = line("A", 0.0, "tell me about your day")  # 0.0-1.5
    b = line("B", 2.0, "it was long")  # 2.0-2.9
    turns, backchannels, interruptions, _ = analyse(a, b)
    heard = {"A": [Span(0.0, 1.5), Span(5.0, 8.0)], "B": [Span(2.0, 2.9)]}  # A spoke at 5-8 s, no words
    words_only = {s.id: s for s in speaker_stats(SPEAKERS, turns, interruptions, backchannels)}
    with_voice = {s.id: s for s in speaker_stats(SPEAKERS, turns, interruptions, backchannels, heard)}
    assert words_only["A"].talk_time == pytest.approx(1.5)
    assert with_voice["A"].talk_time == pytest.approx(4.5)
    assert with_voice["A"].talk_share == pytest.approx(4.5 / 5.4, abs=0.001)
    assert with_voice["A"].words_per_minute == words_only["A"].words_per_minute  # from turns only


def test_shared_mic_talk_time_counts_voice_whisper_did_not_write():
    a = line("A", 0.0, "tell me about your day")  # 0.0-1.5
    b = line("B", 2.0, "it was long")  # 2.0-2.9
    # The voices agree with the words, and B was also heard at 5-7 s, where Whisper wrote nothing.
    activity = {"A": [Span(0.0, 1.5)], "B": [Span(2.0, 2.9), Span(5.0, 7.0)]}
    audio = AudioInfo("talk.wav", 8.0, 16000, 1)
    shared = analyze_transcript(transcript(a, b, activity=activity, mics="shared"), audio)
    stats = {s.id: s for s in shared.stats}
    assert stats["A"].talk_time == pytest.approx(1.5)
    assert stats["B"].talk_time == pytest.approx(0.9 + 2.0)


def test_on_a_shared_mic_a_voice_heard_late_to_end_does_not_make_an_interruption():
    # A ends at 2.4 s; B starts 0.35 s before: an interruption with one mic per partner, whose
    # word times are each partner's own, but within the echo and smoothing of a shared mic.
    a = line("A", 0.0, "so that is what happened at work today")
    b = line("B", 2.05, "no you told me that it was fine this time")
    audio = AudioInfo("talk.wav", 6.0, 16000, 1)
    per_partner = analyze_transcript(transcript(a, b), audio)
    shared = analyze_transcript(transcript(a, b, mics="shared"), audio)
    assert [i.interrupter for i in per_partner.interruptions] == ["B"]
    assert shared.interruptions == () and [o.kind for o in shared.overlaps] == ["terminal"]
    later = analyze_transcript(transcript(a, line("B", 1.9, "no you told me that it was fine this time"),
                                          mics="shared"), audio)
    assert [o.kind for o in later.overlaps] == ["possible-interruption"]  # 0.5 s before A's end


def test_on_a_shared_mic_an_interruption_heard_with_little_overlap_is_only_possible():
    # B starts 0.5 s before A's end: too little of both voices to be sure on one microphone, so
    # it is shown as possible and counted nowhere; 0.8 s before A's end it is an interruption.
    a = line("A", 0.0, "so that is what happened at work today")  # ends 2.4 s
    audio = AudioInfo("talk.wav", 6.0, 16000, 1)
    unsure = analyze_transcript(transcript(a, line("B", 1.9, "no you told me that it was fine this time"),
                                           mics="shared"), audio)
    assert unsure.interruptions == ()
    assert not any(t.interruption for t in unsure.turns)
    assert {s.id: s.interruptions_made for s in unsure.stats} == {"A": 0, "B": 0}
    assert [(o.kind, o.turn) for o in unsure.overlaps] == [("possible-interruption", 1)]
    sure = analyze_transcript(transcript(a, line("B", 1.6, "no you told me that it was fine this time"),
                                         mics="shared"), audio)
    assert [(i.interrupter, i.overlap) for i in sure.interruptions] == [("B", pytest.approx(0.8))]
    per_partner = analyze_transcript(transcript(a, line("B", 1.9, "no you told me that it was fine this time")),
                                     audio)
    assert [i.interrupter for i in per_partner.interruptions] == ["B"]
