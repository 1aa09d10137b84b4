"""Words into turns and backchannels, on hand-built timelines (DESIGN.md definitions)."""

from dataclasses import replace

from listening_coach.turns import build_turns, is_backchannel_text, speech_runs
from listening_coach.types import Span

from timeline import line, transcript


def test_pause_under_one_second_is_bridged_and_longer_pause_splits():
    words = line("A", 0.0, "I went to the shop") + line("A", 2.4, "then I came home") + line("A", 4.7, "and slept")
    runs = speech_runs(words)
    assert [len(r) for r in runs] == [9, 2]  # 0.9 s pause bridged, 1.0 s pause splits


def test_turns_alternate_with_reply_to_and_latency():
    turns, backchannels = build_turns(transcript(
        line("A", 0.0, "how was your day"),
        line("B", 1.5, "long but fine thanks"),
        line("A", 3.0, "tell me more about it"),
    ))
    assert [t.speaker for t in turns] == ["A", "B", "A"]
    assert [t.reply_to for t in turns] == [None, 0, 1]
    assert turns[1].latency == 0.3
    assert turns[2].latency == 0.3
    assert turns[0].latency is None
    assert backchannels == []


def test_a_short_pause_in_which_the_partner_talks_ends_the_turn():
    # A stops at 2.4 s and goes on at 3.2 s (a 0.8 s pause), but B talks from 2.0 s to 3.2 s.
    turns, _ = build_turns(transcript(
        line("A", 0.0, "I think we should go to my parents"),
        line("B", 2.0, "no not this weekend"),
        line("A", 3.2, "well when then"),
    ))
    assert [(t.speaker, t.start) for t in turns] == [("A", 0.0), ("B", 2.0), ("A", 3.2)]


def test_a_short_pause_with_only_a_backchannel_in_it_keeps_the_turn():
    turns, backchannels = build_turns(transcript(
        line("A", 0.0, "I think we should go to my parents"),
        line("B", 2.6, "mm-hmm"),
        line("A", 3.2, "this weekend if we can"),
    ))
    assert [(t.speaker, t.start) for t in turns] == [("A", 0.0)]
    assert [b.speaker for b in backchannels] == ["B"]


def test_backchannel_words_during_partner_speech_are_not_a_turn():
    turns, backchannels = build_turns(transcript(
        line("A", 0.0, "so I told my boss that I could not stay late again this week"),
        line("B", 1.5, "mm-hmm"),
        line("A", 4.5, "and he was fine with it"),
    ))
    assert [t.speaker for t in turns] == ["A"]
    assert len(backchannels) == 1 and backchannels[0].speaker == "B" and backchannels[0].text == "mm-hmm"


def test_short_answer_to_a_question_is_a_turn_not_a_backchannel():
    turns, backchannels = build_turns(transcript(
        line("A", 0.0, "did you call your mother?"),
        line("B", 2.0, "yeah"),
        line("A", 2.8, "good what did she say"),
    ))
    assert [t.speaker for t in turns] == ["A", "B", "A"]
    assert backchannels == []


def test_untranscribed_voice_inside_partner_turn_is_a_backchannel():
    a = line("A", 0.0, "I have been feeling tired and I think work is the reason for most of it")
    b_voice = Span(2.0, 2.5)
    turns, backchannels = build_turns(transcript(a, activity={"A": [w.span for w in a], "B": [b_voice]}))
    assert len(turns) == 1
    assert [(b.speaker, b.start, b.end, b.text) for b in backchannels] == [("B", 2.0, 2.5, "")]


def test_untranscribed_voice_inside_partner_voice_that_whisper_skipped_is_a_backchannel():
    # Whisper wrote A's first sentence only, but A's voice goes on from 4 s to 12 s.
    a = line("A", 0.0, "I have been feeling tired lately")
    a_voice = [Span(0.0, a[-1].end), Span(a[-1].end + 0.5, 12.0)]
    _, backchannels = build_turns(transcript(a, activity={"A": a_voice, "B": [Span(7.0, 7.5)]}))
    assert [(b.speaker, b.start, b.end) for b in backchannels] == [("B", 7.0, 7.5)]


def test_untranscribed_voice_after_the_partner_stopped_is_not_a_backchannel():
    a = line("A", 0.0, "I have been feeling tired lately")
    _, backchannels = build_turns(transcript(a, activity={"A": [Span(0.0, a[-1].end)],
                                                          "B": [Span(a[-1].end + 1.5, a[-1].end + 2.0)]}))
    assert backchannels == []


def test_long_untranscribed_voice_is_not_a_backchannel():
    a = line("A", 0.0, "I have been feeling tired and I think work is the reason for most of it")
    _, backchannels = build_turns(transcript(a, activity={"A": [w.span for w in a], "B": [Span(1.0, 3.5)]}))
    assert backchannels == []


def test_backchannel_vocabulary():
    assert is_backchannel_text("Mm-hmm.")
    assert is_backchannel_text("oh no")
    assert is_backchannel_text("Yeah, right.")
    assert not is_backchannel_text("yeah but I disagree")
    assert not is_backchannel_text("")


def test_a_few_misheard_words_inside_partner_speech_are_a_backchannel():
    turns, backchannels = build_turns(transcript(
        line("A", 0.0, "so I told my boss that I could not stay late again this week"),
        line("B", 1.5, "and then"),  # Whisper's hearing of "mm-hmm"
    ))
    assert [t.speaker for t in turns] == ["A"]
    assert [(b.speaker, b.text) for b in backchannels] == [("B", "and then")]


def test_a_short_turn_that_outlasts_the_partner_is_not_a_backchannel():
    turns, backchannels = build_turns(transcript(
        line("A", 0.0, "so I told my boss that"),  # ends 1.8
        line("B", 1.5, "and then what"),  # ends 2.4, after A stopped
    ))
    assert [t.speaker for t in turns] == ["A", "B"]
    assert backchannels == []


def test_words_of_one_speaker_that_overlap_in_time_stay_one_turn():
    # Whisper's word times can overlap; a negative pause is no pause.
    a = line("A", 0.0, "we keep talking")
    a[1] = replace(a[1], start=a[0].end - 0.1)
    turns, _ = build_turns(transcript(a, line("B", 5.0, "okay then let us stop")))
    assert [(t.speaker, len(t.words)) for t in turns] == [("A", 3), ("B", 5)]
