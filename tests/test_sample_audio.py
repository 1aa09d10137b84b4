"""Checks of the committed sample conversations (sample_audio/) and their ground truth."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_audio"
TRUTH_PATHS = sorted(SAMPLE_DIR.glob("*.truth.json"))
TOL = 0.002  # s; truth times are rounded to 1 ms
LABEL_KEYS = {"question", "reflection", "validation", "criticism", "apology", "feeling"}


def _load_maker():
    """Import scripts/make_conversations.py (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "make_conversations", ROOT / "scripts" / "make_conversations.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


maker = _load_maker()


@pytest.fixture(params=TRUTH_PATHS, ids=lambda path: path.name.split(".")[0])
def truth(request) -> dict:
    return json.loads(request.param.read_text(encoding="utf-8"))


def _speech(truth: dict, speaker: str | None = None) -> list[tuple[float, float]]:
    """(start, end) of every turn and backchannel, optionally of one speaker only."""
    spans = truth["turns"] + truth["backchannels"]
    return sorted((s["start"], s["end"]) for s in spans if speaker in (None, s["speaker"]))


def _mask(spans: list[tuple[float, float]], n: int, rate: int) -> np.ndarray:
    """Boolean mask over n samples, True inside the spans (s)."""
    mask = np.zeros(n, dtype=bool)
    for start, end in spans:
        mask[round(start * rate):round(end * rate)] = True
    return mask


def test_the_sample_set_is_committed():
    assert len(TRUTH_PATHS) >= 3
    assert {json.loads(p.read_text())["id"] for p in TRUTH_PATHS} == set(maker.SAMPLES)


def test_truth_follows_the_schema(truth):
    assert truth["schema"] == "listening-coach.truth/1"
    assert truth["sample_rate"] == 16000
    assert set(truth["files"]) == {"stereo", "mono"}
    assert [s["id"] for s in truth["speakers"]] == ["A", "B"]
    assert all(s["name"] and s["voice"] for s in truth["speakers"])
    for turn in truth["turns"]:
        assert turn["speaker"] in ("A", "B") and turn["text"].strip()
        assert set(turn["labels"]) == LABEL_KEYS
        assert turn["labels"]["question"] in (None, "open", "closed")
    for bc in truth["backchannels"]:
        assert bc["speaker"] in ("A", "B") and bc["text"] in maker.BACKCHANNELS


def test_times_are_sorted_and_inside_the_file(truth):
    duration = truth["duration"]
    for key in ("turns", "backchannels", "pauses"):
        spans = [(s["start"], s["end"]) for s in truth[key]]
        assert spans == sorted(spans), key
        assert all(0 <= start < end <= duration for start, end in spans), key
    for key in ("interruptions", "terminal_overlaps"):
        times = [e["time"] for e in truth[key]]
        assert times == sorted(times) and all(0 <= t <= duration for t in times), key


def test_every_sample_has_the_events_it_is_for(truth):
    assert len(truth["interruptions"]) >= 1
    assert len(truth["terminal_overlaps"]) >= 1
    assert len(truth["backchannels"]) >= 2
    assert 30 <= truth["duration"] <= 90


def test_interruptions_take_the_floor_early(truth):
    for event in truth["interruptions"]:
        interrupter = [t for t in truth["turns"] if t["speaker"] == event["interrupter"]
                       and abs(t["start"] - event["time"]) < TOL]
        interrupted = [t for t in truth["turns"] if t["speaker"] == event["interrupted"]
                       and t["start"] < event["time"] < t["end"]]
        assert len(interrupter) == 1 and len(interrupted) == 1
        assert 0.5 - TOL <= interrupted[0]["end"] - event["time"] <= 1.2 + TOL


def test_terminal_overlaps_start_just_before_the_end(truth):
    for event in truth["terminal_overlaps"]:
        assert any(t["speaker"] == event["speaker"] and abs(t["start"] - event["time"]) < TOL
                   for t in truth["turns"])
        assert any(t["speaker"] == event["other"]
                   and 0.05 - TOL <= t["end"] - event["time"] <= 0.25 + TOL
                   for t in truth["turns"])


def test_backchannels_are_short_and_inside_the_partners_turn(truth):
    for bc in truth["backchannels"]:
        assert bc["end"] - bc["start"] <= 1.0
        assert any(t["speaker"] != bc["speaker"] and t["start"] < bc["start"] < bc["end"] < t["end"]
                   for t in truth["turns"])
        own = [t for t in truth["turns"] if t["speaker"] == bc["speaker"]]
        assert all(bc["end"] + 1.0 <= t["start"] or t["end"] + 1.0 <= bc["start"] for t in own)


def test_one_speakers_turns_are_a_second_apart(truth):
    for speaker in ("A", "B"):
        turns = [t for t in truth["turns"] if t["speaker"] == speaker]
        assert all(b["start"] - a["end"] >= 1.0 for a, b in zip(turns, turns[1:]))


def test_audio_files_match_the_truth(truth):
    for kind, channels in (("stereo", 2), ("mono", 1)):
        path = SAMPLE_DIR / truth["files"][kind]
        info = sf.info(path)
        assert (info.format, info.subtype) == ("FLAC", "PCM_16")
        assert info.samplerate == truth["sample_rate"] and info.channels == channels
        assert abs(info.frames / info.samplerate - truth["duration"]) < TOL
        assert path.stat().st_size < 2.5e6


def test_speech_is_where_the_truth_says(truth):
    audio, rate = sf.read(SAMPLE_DIR / truth["files"]["mono"])
    speech = _speech(truth)
    guarded = [(start - TOL, end + TOL) for start, end in speech]
    silence = audio[~_mask(guarded, len(audio), rate)]
    assert 20 * np.log10(np.sqrt(np.mean(silence ** 2))) < -45
    for start, end in speech:
        part = audio[round(start * rate):round(end * rate)]
        assert 20 * np.log10(np.sqrt(np.mean(part ** 2))) > -35, (start, end)


def test_each_mic_hears_its_partner_louder_than_the_bleed(truth):
    audio, rate = sf.read(SAMPLE_DIR / truth["files"]["stereo"])
    for channel, speaker in enumerate("AB"):
        other = "B" if speaker == "A" else "A"
        turns = [(t["start"], t["end"]) for t in truth["turns"] if t["speaker"] == speaker]
        alone = _mask(turns, len(audio), rate) & ~_mask(_speech(truth, other), len(audio), rate)
        rms = np.sqrt(np.mean(audio[alone] ** 2, axis=0))
        assert rms[channel] > 3 * rms[1 - channel]


def test_regenerating_a_sample_gives_the_same_audio_and_truth(tmp_path):
    if not maker.espeak_available():
        pytest.skip("the espeak-ng library is not installed (apt-get install espeak-ng)")
    # A fresh process: libraries loaded by other tests (CTranslate2, ONNX Runtime) change the
    # process's floating-point modes, which the synthesizer's forked children would inherit.
    subprocess.run([sys.executable, str(maker.__file__), "samples", "--out", str(tmp_path)], check=True)
    path = tmp_path / "weekend.truth.json"
    committed = json.loads((SAMPLE_DIR / path.name).read_text(encoding="utf-8"))
    assert json.loads(path.read_text(encoding="utf-8")) == committed
    for name in committed["files"].values():
        new, _ = sf.read(tmp_path / name, dtype="int16")
        old, _ = sf.read(SAMPLE_DIR / name, dtype="int16")
        assert np.array_equal(new, old), name
