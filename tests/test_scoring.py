"""The benchmark scores (devtools/scoring.py) and the real-voice conversation layout (devtools/realvoice.py).

Scores are checked on tiny hand-made segment lists whose right answer can be worked out by hand.
The layout is checked on stand-in "utterances" made of tone bursts (one pitch per speaker), so no
corpus is needed: the truth it writes must agree with where the audio has energy.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from devtools import realvoice
from devtools.scoring import (
    der, match, overlap_precision_recall, prf, speaker_mapping, talk_share_error, word_attribution,
)

TWO_TURNS = [("A", 0.0, 10.0), ("B", 10.0, 20.0)]
REGION = (0.0, 20.0)


def test_der_of_the_reference_itself_is_zero():
    assert der(TWO_TURNS, TWO_TURNS, REGION)["der"] == 0.0


def test_der_maps_other_names_one_to_one():
    swapped = [("B", 0.0, 10.0), ("A", 10.0, 20.0)]
    named = [("spk7", 0.0, 10.0), ("spk2", 10.0, 20.0)]
    assert der(TWO_TURNS, swapped, REGION)["der"] == 0.0
    assert der(TWO_TURNS, named, REGION)["der"] == 0.0
    assert speaker_mapping(TWO_TURNS, swapped) == {"B": "A", "A": "B"}


def test_a_missed_speaker_is_half_the_scored_speech():
    # With the 0.25 s collar each speaker has 9.5 s scored; B's are all missed.
    scores = der(TWO_TURNS, [("x", 0.0, 10.0)], REGION)
    assert scores["miss"] == pytest.approx(0.5)
    assert scores["fa"] == 0.0 and scores["conf"] == 0.0
    assert scores["der"] == pytest.approx(0.5)


def test_one_speaker_for_two_is_confusion():
    scores = der(TWO_TURNS, [("x", 0.0, 20.0)], REGION)
    assert scores["conf"] == pytest.approx(0.5)
    assert scores["miss"] == 0.0 and scores["fa"] == 0.0


def test_a_third_hypothesis_speaker_counts_as_confusion():
    # B's turn is split between two found speakers: 15-19.75 s (4.75 of 19 s scored) is wrong.
    three = [("1", 0.0, 10.0), ("2", 10.0, 15.0), ("3", 15.0, 20.0)]
    assert der(TWO_TURNS, three, REGION)["conf"] == pytest.approx(4.75 / 19)


def test_false_alarm_outside_the_reference_speech():
    ref = [("A", 0.0, 10.0)]
    scores = der(ref, [("x", 0.0, 15.0)], (0.0, 20.0))
    # Scored reference: 0.25-9.75 s; found speech at 10.25-15 s is false alarm.
    assert scores["fa"] == pytest.approx(4.75 / 9.5)


def test_a_fixed_mapping_is_not_optimised():
    swapped = [("B", 0.0, 10.0), ("A", 10.0, 20.0)]
    assert der(TWO_TURNS, swapped, REGION, {"A": "A", "B": "B"})["conf"] == pytest.approx(1.0)


def test_word_attribution_by_midpoint_after_mapping():
    words = [("y", 1.0, 1.4), ("y", 9.8, 10.4), ("z", 12.0, 12.2), ("y", 15.0, 15.6), ("z", 25.0, 25.5)]
    scores = word_attribution(words, TWO_TURNS, {"y": "A", "z": "B"})
    # 9.8-10.4 has its midpoint in B's turn (wrong), 15.0-15.6 is given to A (wrong), the word at
    # 25 s meets no reference speech and is not scored.
    assert scores["n"] == 4
    assert scores["words"] == pytest.approx(0.5)
    assert scores["time"] == pytest.approx((0.4 + 0.2) / (0.4 + 0.6 + 0.2 + 0.6))


def test_event_matching_needs_the_right_speaker_and_pairs_one_to_one():
    found = [("A", 1.0), ("A", 5.0), ("B", 9.0), ("B", 9.5)]
    truth = [("A", 1.8), ("B", 5.0), ("B", 9.9)]
    hits = match(found, truth, tolerance=1.0)
    assert hits == 2
    precision, recall, f1 = prf(hits, len(found), len(truth))
    assert (precision, recall) == (pytest.approx(0.5), pytest.approx(2 / 3))
    assert f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert match([("A", 3.0)], [("A", 1.8)], tolerance=1.0) == 0


def test_overlap_detection_per_frame():
    ref = [("A", 0.0, 5.0), ("B", 4.0, 6.0)]
    hyp = [("x", 0.0, 5.0), ("y", 4.5, 7.0), ("x", 6.5, 7.0)]
    scores = overlap_precision_recall(ref, hyp)
    # Found overlap 4.5-5 (right) and 6.5-7 (wrong); true overlap 4-5.
    assert scores["precision"] == pytest.approx(0.5)
    assert scores["recall"] == pytest.approx(0.5)


def test_talk_share_error_in_points():
    ref = [("A", 0.0, 6.0), ("B", 6.0, 10.0)]
    assert talk_share_error(ref, {"x": 0.5, "y": 0.5}, {"x": "A", "y": "B"}) == pytest.approx(10.0)
    assert talk_share_error(ref, {"x": 0.5, "y": 0.5}, {"x": "B", "y": "A"}) == pytest.approx(10.0)
    assert talk_share_error(ref, {"x": 0.7, "y": 0.3}, {"y": "A", "x": "B"}) == pytest.approx(30.0)


# ----------------------------------------------------------------------------- layout

SR = realvoice.SAMPLE_RATE
PITCH = {"A": 220.0, "B": 700.0}  # Hz of each stand-in speaker's tone


def tone_voice(who: str, seed: int) -> realvoice.Voice:
    """Two 12 s stand-in utterances of tone bursts (words 0.25-0.6 s, short or phrase pauses)."""
    rng = np.random.default_rng(seed)
    utterances = []
    for _ in range(2):
        audio, words, t = [np.zeros(round(0.4 * SR))], [], 0.4  # leading silence, trimmed away
        names = iter(["yeah", "so"] + [f"w{i}" for i in range(200)])
        while t < 12.0:
            length = rng.uniform(0.25, 0.6)
            n = round(length * SR)
            audio.append(0.3 * np.sin(2 * np.pi * PITCH[who] * np.arange(n) / SR) * np.hanning(n) ** 0.1)
            words.append((next(names), t, t + n / SR))
            gap = rng.choice([0.05, 0.2, 0.4], p=[0.5, 0.35, 0.15])
            audio.append(np.zeros(round(gap * SR)))
            t += n / SR + round(gap * SR) / SR
        audio.append(np.zeros(round(0.5 * SR)))  # trailing silence
        utterances.append(realvoice.prepare(np.concatenate(audio), words))
    return realvoice.Voice(f"tone/{who}", "F", tuple(utterances))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("realvoice")
    voices = {"A": tone_voice("A", 1), "B": tone_voice("B", 2)}
    paths = [realvoice.render(realvoice.compose(f"tones-{seed}", voices, seed), folder) for seed in range(3)]
    return [(json.loads(p.read_text()), p.parent) for p in paths]


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x ** 2))) if len(x) else 0.0


def _mask(spans, n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for start, end in spans:
        mask[max(0, round(start * SR)):max(0, round(end * SR))] = True
    return mask


def _dominant(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / SR)[np.argmax(spectrum)])


def test_the_layout_has_the_events_and_length_asked_for(rendered):
    records = [record for record, _ in rendered]
    assert all(realvoice.LENGTH[0] - 5 <= r["duration"] <= realvoice.LENGTH[1] + 15 for r in records)
    assert sum(len(r["interruptions"]) for r in records) >= 1
    assert sum(len(r["backchannels"]) for r in records) >= 1
    assert {s["id"] for r in records for s in r["speakers"]} == {"A", "B"}


def test_each_partner_channel_sounds_where_the_truth_says(rendered):
    for record, folder in rendered:
        stereo, rate = sf.read(folder / record["files"]["stereo"])
        assert rate == SR
        n = len(stereo)
        speech = {who: [(x["start"], x["end"]) for x in record["turns"] + record["backchannels"]
                        if x["speaker"] == who] for who in "AB"}
        anyone = _mask([(a - 0.05, b + 0.05) for who in "AB" for a, b in speech[who]], n)
        silence = _rms(stereo[~anyone])
        for channel, who in enumerate("AB"):
            other = "B" if who == "A" else "A"
            own_only = _mask(speech[who], n) & ~_mask([(a - 0.05, b + 0.05) for a, b in speech[other]], n)
            other_only = _mask(speech[other], n) & ~_mask([(a - 0.05, b + 0.05) for a, b in speech[who]], n)
            assert _rms(stereo[own_only, channel]) > 10 * silence
            # Where only the partner speaks this channel carries bleed only (at most 15 %).
            assert _rms(stereo[other_only, channel]) < 0.2 * _rms(stereo[other_only, 1 - channel])


def test_backchannels_are_one_short_word_of_the_listener_inside_the_partners_turn(rendered):
    seen = 0
    for record, folder in rendered:
        stereo, _ = sf.read(folder / record["files"]["stereo"])
        for bc in record["backchannels"]:
            seen += 1
            assert bc["end"] - bc["start"] <= realvoice.BACKCHANNEL_MAX + 0.001
            assert len(bc["text"].split()) == 1
            hosts = [t for t in record["turns"] if t["start"] <= bc["start"] and bc["end"] <= t["end"]]
            assert hosts and all(t["speaker"] != bc["speaker"] for t in hosts)
            channel = "AB".index(bc["speaker"])
            piece = stereo[round(bc["start"] * SR):round(bc["end"] * SR), channel]
            assert _dominant(piece) == pytest.approx(PITCH[bc["speaker"]], abs=30)
    assert seen


def test_interruptions_start_inside_the_interrupted_turn(rendered):
    for record, _ in rendered:
        for event in record["interruptions"]:
            cut = [t for t in record["turns"] if t["speaker"] == event["interrupted"]
                   and t["start"] < event["time"] < t["end"]]
            starts = [t for t in record["turns"] if t["speaker"] == event["interrupter"]
                      and abs(t["start"] - event["time"]) < 0.002]
            assert cut and starts


def test_the_shared_mic_is_quiet_before_anyone_speaks_and_loud_when_they_do(rendered):
    for record, folder in rendered:
        mono, _ = sf.read(folder / record["files"]["mono"])
        first = min(t["start"] for t in record["turns"])
        speech = _mask([(t["start"], t["end"]) for t in record["turns"]], len(mono))
        assert _rms(mono[speech]) > 10 * _rms(mono[: round((first - 0.05) * SR)])
        assert record["mix"]["room"]["rt60"] >= realvoice.ROOM_RT60[0]


def test_speaker_pools_are_fixed_and_both_used():
    keys = [f"librispeech/{i}" for i in range(40)]
    pools = [realvoice.pool_of(k) for k in keys]
    assert pools == [realvoice.pool_of(k) for k in keys]
    assert set(pools) == {"tune", "report"}
