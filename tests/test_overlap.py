"""Shared-microphone overlaps made visible to turn building: hand-built word timelines."""

from dataclasses import replace

from timeline import line, transcript

from listening_coach.interaction import find_overlaps
from listening_coach.overlap import absorb_flips, settle_changes, show_overlaps
from listening_coach.turns import build_turns
from listening_coach.types import Span

EDGE = 0.05  # s at each end of a measured overlap that may be one voice only


def shared_analysis(words, overlaps):
    shown, both = show_overlaps(words, overlaps, EDGE)
    activity = {s: [w.span for w in shown if w.speaker == s] + both[s] for s in both}
    turns, backchannels = build_turns(transcript(shown, activity=activity, mics="shared"))
    marked, interruptions, found = find_overlaps(turns)
    return interruptions, found, backchannels


def test_two_voices_across_a_change_of_speaker_make_an_interruption_at_the_overlap_start():
    # Diarization put the change at 4.3 s; two voices sounded from 4.0 to 4.7 s.
    words = line("A", 1.0, "I was thinking that this weekend we could finally visit my") + \
        line("B", 4.3, "no no we are not doing that again this month.")
    interruptions, _, _ = shared_analysis(words, [Span(4.0, 4.7)])
    assert len(interruptions) == 1
    found = interruptions[0]
    assert (found.interrupter, found.interrupted) == ("B", "A")
    assert found.time == round(4.0 + EDGE, 3)
    assert found.overlap == round(0.7 - 2 * EDGE, 3)
    assert found.cut_off_text.endswith("visit my")


def test_words_inside_the_overlap_go_to_the_speaker_on_their_side_of_its_middle():
    # Diarization gave B's first two words to A: the change is placed 0.6 s late.
    words = line("A", 1.0, "we could finally visit my") + line("B", 2.8, "no no we are not doing that")
    words = [replace(w, speaker="A") if w.start < 3.4 else w for w in words]
    shown, _ = show_overlaps(words, [Span(2.4, 3.0)], EDGE)
    assert [w.text for w in shown if w.speaker == "A"][-1] == "my"
    first = next(w for w in shown if w.speaker == "B")
    assert (first.text, first.start) == ("no", round(2.4 + EDGE, 3))


def test_a_short_overlap_at_a_turn_end_is_terminal_not_an_interruption():
    # Measured 0.38 s long, of which the inner 0.28 s is sure: under the definition's 0.3 s.
    words = line("A", 1.0, "so that is what happened at work today.") + line("B", 3.25, "that sounds really hard.")
    interruptions, overlaps, _ = shared_analysis(words, [Span(3.22, 3.6)])
    assert interruptions == []
    assert [o.kind for o in overlaps] == ["terminal"]
    interruptions, _, _ = shared_analysis(words, [Span(3.15, 3.6)])  # inner 0.35 s
    assert len(interruptions) == 1


def test_two_voices_inside_one_partners_talk_are_the_listeners_backchannel():
    words = line("A", 1.0, "and then my boss called me into her office and told me the news in front of everyone")
    words += line("B", 8.0, "what did she say?")
    interruptions, _, backchannels = shared_analysis(words, [Span(3.0, 3.5)])
    assert interruptions == []
    assert [(b.speaker, b.start, b.end) for b in backchannels] == [("B", 3.0, 3.5)]


def test_without_overlaps_or_with_one_speaker_the_words_are_unchanged():
    words = line("A", 1.0, "we could go to the lake.") + line("B", 3.5, "I would like that.")
    assert show_overlaps(words, [], EDGE)[0] == words
    alone = line("A", 1.0, "talking to myself for a while now")
    assert show_overlaps(alone, [Span(1.5, 2.0)], EDGE) == (alone, {"A": []})


def test_overlap_with_nobody_speaking_nearby_is_ignored():
    words = line("A", 1.0, "we could go.") + line("B", 10.0, "sure.")
    shown, both = show_overlaps(words, [Span(5.0, 5.5)], EDGE)
    assert shown == words and both == {"A": [], "B": []}


def test_change_snaps_to_the_nearest_sentence_end():
    # Diarization gave A's last word "goes." to B.
    words = line("A", 0.0, "let us try it for a week and see how it goes.") + line("B", 3.6, "I hear you.")
    words = [replace(w, speaker="B") if w.text == "goes." else w for w in words]
    settled = settle_changes(words)
    assert [(w.text, w.speaker) for w in settled[-4:]] == [("goes.", "A"), ("I", "B"), ("hear", "B"), ("you.", "B")]


def test_a_word_flipped_to_the_other_partner_inside_one_voice_is_given_back():
    # "What worries | you(B) | most about our savings": one voice, so "you" is a diarization slip.
    words = line("A", 1.0, "we just go about it differently.")
    words += line("B", 3.2, "what worries you most about our savings")
    words = [replace(w, speaker="A") if w.text == "you" else w for w in words]
    fixed = absorb_flips(words, [])
    assert {w.speaker for w in fixed if w.start >= 3.2} == {"B"}
    interruptions, overlaps, _ = shared_analysis(fixed, [])
    assert interruptions == [] and overlaps == []


def test_flips_where_two_voices_were_heard_or_longer_runs_are_kept():
    words = line("A", 1.0, "so that is what happened and") + line("B", 2.8, "oh no") + line("A", 3.4, "then she left")
    assert absorb_flips(words, [Span(2.7, 3.5)]) == words  # the model heard "oh no" under A's talk
    assert [w.speaker for w in absorb_flips(words, [])] == ["A"] * 11
    three = line("A", 1.0, "so that is") + line("B", 1.9, "I know that") + line("A", 2.8, "what happened")
    assert absorb_flips(three, []) == three


def test_a_flip_just_beyond_a_terminal_overlap_is_given_back_after_the_overlap_is_shown():
    # B starts 0.2 s before A's last word ends; diarization gave B's third word to A, more than
    # a second after the overlap, where `show_overlaps` does not reach.
    words = line("A", 46.2, "it sounds like this has been on your mind for a while.") + \
        line("B", 49.6, "honestly I didn't realise it bothered you this much.", word_time=0.5)
    words = [replace(w, speaker="A") if w.text == "didn't" else w for w in words]
    overlap = [Span(49.6, 49.8)]
    shown, _ = show_overlaps(words, overlap, EDGE)
    assert next(w.speaker for w in shown if w.text == "didn't") == "A"
    fixed = absorb_flips(shown, overlap)
    assert next(w.speaker for w in fixed if w.text == "didn't") == "B"
    interruptions, overlaps, _ = shared_analysis(fixed, overlap)
    assert interruptions == [] and [o.kind for o in overlaps] == ["terminal"]


def test_a_change_of_speaker_is_not_settled_on_a_sentence_end_after_two_voices():
    # B cut in at 2.6 s ("that's not fair.") and went on alone after the overlap (2.6-3.1 s);
    # diarization put the change at 3.2 s, so "that's not" went to A.
    words = line("A", 0.5, "you never notice when I do the laundry or") + line("B", 2.6, "that's not fair.")
    words = [replace(w, speaker="A") if w.end <= 3.2 else w for w in words]
    assert [w.speaker for w in settle_changes(words)][-3:] == ["A", "A", "A"]  # snapped past the cut-in
    settled = settle_changes(words, [Span(2.6, 3.1)])
    assert [w.speaker for w in settled][-3:] == ["A", "A", "B"]
    interruptions, _, _ = shared_analysis(settled, [Span(2.6, 3.1)])
    assert [(i.interrupter, i.time) for i in interruptions] == [("B", round(2.6 + EDGE, 3))]
