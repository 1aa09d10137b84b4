"""The rubric on hand-built conversations: ranges, evidence, direction of each score, edge cases."""

import json
from dataclasses import replace

import pytest

from listening_coach.analysis_json import from_dict, to_dict
from listening_coach.errors import InputError
from listening_coach.rubric import GENERAL_TIP, NEUTRAL, QUIET_TIP, TECHNIQUES, score_partners

from builders import build, sample, scored

TIPS = {t.tip for t in TECHNIQUES.values()} | {QUIET_TIP}


def test_every_partner_gets_every_technique_in_range_with_valid_evidence():
    analysis = sample()
    assert set(analysis.scores) == {"A", "B"}
    for partner in analysis.scores.values():
        assert 0 <= partner.overall <= 100
        assert list(partner.techniques) == list(TECHNIQUES)
        for technique in partner.techniques.values():
            assert 0 <= technique.score <= 100
            assert technique.evidence, "each score names the turns behind it"
            assert all(0 <= i < len(analysis.turns) for i in technique.evidence)
            assert technique.explanation
        assert partner.strength in TECHNIQUES
        assert partner.tip in TIPS


def test_evidence_points_at_the_turns_that_show_the_behaviour():
    analysis = sample()
    sam, alex = analysis.scores["A"], analysis.scores["B"]
    assert alex.techniques["dont_interrupt"].evidence == (3,)
    assert analysis.turns[3].interruption and analysis.turns[3].speaker == "B"
    assert alex.techniques["reflect_back"].evidence == (1,)
    assert alex.techniques["open_questions"].evidence == (5,)
    assert sam.techniques["avoid_judgment"].evidence == (2,)
    assert sam.techniques["share_vulnerability"].evidence == (0,)
    assert set(sam.techniques["build_trust"].evidence) == {2, 4}  # the criticism and its apology
    assert alex.techniques["listening_ear"].evidence == (0, 6)  # Sam's turns Alex said mm-hmm during


def _interrupting(times: int):
    """Sam talks six times; Alex replies, cutting in on the first `times` of them."""
    rows = []
    for k in range(6):
        start = k * 10.0
        rows.append(("A", start, start + 5.0, "I was telling you about my day at work"))
        rows.append(("B", start + (3.5 if k < times else 5.5), start + 8.0, "right and then what did you do"))
    return scored(build(rows, duration=60.0))


def test_more_interruptions_lower_the_dont_interrupt_score():
    scores = [_interrupting(n).scores["B"].techniques["dont_interrupt"].score for n in (0, 1, 3)]
    assert scores[0] == 100
    assert scores[0] > scores[1] > scores[2]
    assert _interrupting(3).scores["B"].techniques["dont_interrupt"].evidence == (1, 3, 5)


def test_a_partner_who_reflects_scores_higher_on_reflect_back():
    rows = [
        ("A", 0.0, 4.0, "I felt left out at the party", "feeling"),
        ("B", 4.5, 7.0, "So you felt nobody was talking to you", "reflection"),
        ("A", 7.5, 10.0, "Yes and did you notice?", "closed"),
        ("B", 10.5, 12.0, "Did you want to leave early?", "closed"),
    ]
    analysis = scored(build(rows))
    assert analysis.scores["B"].techniques["reflect_back"].score > analysis.scores["A"].techniques["reflect_back"].score
    assert analysis.scores["B"].techniques["reflect_back"].score == 70  # 1:1 is MITI's "fair"


def test_reflection_to_question_ratio_follows_miti_anchors():
    two_to_one = [("A", 0.0, 2.0, "It was a hard week"), ("B", 2.5, 4.0, "So it wore you out", "reflection"),
                  ("A", 4.5, 6.0, "Yes it really did"), ("B", 6.5, 8.0, "You needed a rest", "reflection"),
                  ("A", 8.5, 10.0, "I did need that"), ("B", 10.5, 12.0, "What would help?", "open")]
    assert scored(build(two_to_one)).scores["B"].techniques["reflect_back"].score == 100


def test_no_occasion_is_neutral_and_never_the_tip():
    rows = [("A", 0.0, 3.0, "The car needs a service this week"),
            ("B", 3.5, 6.0, "I can take it in on Friday")]
    analysis = scored(build(rows))
    for partner in analysis.scores.values():
        assert partner.techniques["open_questions"].score == NEUTRAL
        assert "no questions" in partner.techniques["open_questions"].explanation
        assert partner.techniques["validate_emotions"].score == NEUTRAL
        assert "nothing to validate" in partner.techniques["validate_emotions"].explanation
        assert partner.tip not in (TECHNIQUES["open_questions"].tip, TECHNIQUES["validate_emotions"].tip)


def test_validating_a_partners_feeling_scores_full_and_missing_it_scores_low():
    feeling = ("A", 0.0, 3.0, "I feel anxious about the move", "feeling")
    validated = scored(build([feeling, ("B", 3.5, 6.0, "That makes sense, it is a big change", "validation")]))
    missed = scored(build([feeling, ("B", 3.5, 6.0, "We should book the van")]))
    assert validated.scores["B"].techniques["validate_emotions"].score == 100
    assert validated.scores["B"].techniques["validate_emotions"].evidence == (0, 1)
    assert missed.scores["B"].techniques["validate_emotions"].score == 0
    assert missed.scores["B"].techniques["validate_emotions"].evidence == (0,)


def test_talking_much_more_than_the_partner_lowers_balance_for_both():
    rows = [("A", 0.0, 40.0, "long story " * 40), ("B", 40.5, 42.0, "oh okay then"),
            ("A", 42.5, 80.0, "and another long story " * 20)]
    analysis = scored(build(rows))
    talker, quiet = analysis.scores["A"].techniques["balanced_talk"], analysis.scores["B"].techniques["balanced_talk"]
    assert talker.score < 50 and quiet.score < 50
    assert "more than an equal share" in talker.explanation
    assert "less than an equal share" in quiet.explanation


def test_an_empty_conversation_scores_nobody():
    assert score_partners(build([])) == {}


def test_a_partner_heard_only_as_backchannels_is_scored_kindly():
    analysis = scored(build([("A", 0.0, 6.0, "Let me tell you about the trip")],
                            backchannels=[("B", 2.0, 2.4, "mm-hmm")]))
    listener = analysis.scores["B"]
    assert listener.techniques["listening_ear"].score == 100
    assert listener.strength == "listening_ear"
    assert listener.techniques["dont_interrupt"].score == NEUTRAL


def test_one_partner_alone_gets_scores_without_errors():
    analysis = scored(build([("A", 0.0, 5.0, "I feel nervous about tomorrow", "feeling"),
                             ("A", 7.0, 9.0, "What should I say first?", "open")]))
    sam = analysis.scores["A"]
    assert set(analysis.scores) == {"A"}
    for name in ("reflect_back", "validate_emotions", "balanced_talk", "listening_ear", "pause_before_replying"):
        assert sam.techniques[name].score == NEUTRAL
    assert sam.techniques["share_vulnerability"].score == 100
    assert sam.tip in TIPS | {GENERAL_TIP}


def test_scores_are_deterministic_and_survive_json():
    analysis = sample()
    assert score_partners(analysis) == score_partners(analysis) == analysis.scores
    assert from_dict(to_dict(analysis)).scores == analysis.scores


def test_possible_labels_survive_json_and_files_from_before_them_still_load():
    analysis = scored(build([("A", 0.0, 3.0, "work has been so busy"),
                             ("B", 3.5, 6.0, "a lot on your plate?", "possible reflection")]))
    data = json.loads(json.dumps(to_dict(analysis)))
    assert data["turns"][1]["labels"]["possible"] == ["reflection"]
    assert from_dict(data).turns == analysis.turns
    for turn in data["turns"]:
        del turn["labels"]["possible"]
    assert all(t.labels.possible == () for t in from_dict(data).turns)


def test_a_possible_reflection_is_not_counted_as_one():
    rows = [("A", 0.0, 3.0, "work has been so busy"), ("B", 3.5, 6.0, "a lot on your plate?", "possible reflection")]
    unsure = scored(build(rows))
    sure = scored(build(rows[:1] + [rows[1][:4] + ("reflection",)]))
    assert unsure.scores["B"].techniques["reflect_back"].score == 0
    assert "didn't say back" in unsure.scores["B"].techniques["reflect_back"].explanation
    assert sure.scores["B"].techniques["reflect_back"].score > 0


def test_zero_audio_duration_falls_back_to_the_turns():
    analysis = scored(build([("A", 0.0, 5.0, "I was saying something important here"),
                             ("B", 3.0, 8.0, "no listen to me instead right now")], duration=0.0))
    assert 0 < analysis.scores["B"].techniques["dont_interrupt"].score < 100


def test_the_two_voice_share_survives_json():
    analysis = replace(sample(), mics="shared", two_voice_share=0.123)
    assert from_dict(to_dict(analysis)).two_voice_share == 0.123
    assert from_dict(to_dict(sample())).two_voice_share is None
    for damaged in ("lots", 1.5, True):
        with pytest.raises(InputError, match="two_voice_share"):
            from_dict(to_dict(analysis) | {"two_voice_share": damaged})
