"""One-microphone diarization on synthetic voices, the committed samples and (if present) dev00."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from listening_coach.diarize import MAX_SPEAKERS, diarize
from listening_coach.errors import InputError
from listening_coach.types import Span

SR = 16000
ROOT = Path(__file__).resolve().parents[1]
SHARED_AUDIO = Path(__file__).resolve().parents[2] / "shared" / "data" / "audio"
VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480), (570, 840, 2410))


def voice(f0: float, tract: float, seconds: float, seed: int) -> np.ndarray:
    """A buzzy synthetic talker: harmonics of `f0` (Hz) shaped by vowel formants scaled by `tract`.

    The vowel changes every 0.2 s and the loudness follows a 4 Hz syllable rhythm, so that, as in
    speech, what is "said" varies faster than who says it.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    pitch = f0 * (1 + 0.05 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(pitch) / SR
    out = np.zeros_like(t)
    for start in np.arange(0, seconds, 0.2):
        part = (t >= start) & (t < start + 0.2)
        formants = np.array(VOWELS[rng.integers(len(VOWELS))]) * tract
        for k in range(1, int(4000 / f0)):
            gain = sum(np.exp(-(((k * f0) - f) / 90.0) ** 2) for f in formants) + 0.02
            out[part] += gain * np.sin(k * phase[part]) / k**0.5
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6)) ** 2
    return 0.1 * out * syllables / np.abs(out).max() + rng.normal(0, 1e-3, len(t))


def conversation(
    turns: list[tuple[int, float]], gap: float = 0.4
) -> tuple[np.ndarray, list[tuple[int, Span]]]:
    """Alternating synthetic turns (speaker, seconds) with pauses; returns audio and truth."""
    talkers = [(110.0, 1.0), (210.0, 1.2)]  # (f0 Hz, formant scale)
    pieces, truth, now = [np.zeros(int(0.5 * SR))], [], 0.5
    for i, (speaker, seconds) in enumerate(turns):
        f0, tract = talkers[speaker]
        pieces += [voice(f0, tract, seconds, seed=i), np.zeros(int(gap * SR))]
        truth.append((speaker, Span(now, now + seconds)))
        now += seconds + gap
    return np.concatenate(pieces), truth


def agreement(segments: list[tuple[Span, int]], truth: list[tuple[int, Span]], fixed: bool = False) -> float:
    """Fraction of true speech time given the right speaker (best label mapping unless `fixed`)."""
    shared = np.zeros((2, 2))
    for speaker, span in truth:
        for seg, label in segments:
            if label < 2:
                shared[speaker, label] += span.overlap(seg)
    total = sum(span.duration for _, span in truth)
    if fixed:
        return np.trace(shared) / total
    return max(np.trace(shared), shared[0, 1] + shared[1, 0]) / total


TURNS = [(0, 3.0), (1, 2.5), (0, 2.0), (1, 3.5), (0, 2.5), (1, 1.5), (0, 3.0), (1, 2.0)]


def test_two_synthetic_voices_are_separated_and_numbered_by_first_speech():
    audio, truth = conversation(TURNS)
    segments = diarize(audio, SR, [span for _, span in truth])
    assert agreement(segments, truth, fixed=True) >= 0.9
    assert segments[0][1] == 0
    assert {label for _, label in segments} == {0, 1}


def test_segments_are_sorted_and_inside_speech():
    audio, truth = conversation(TURNS)
    speech = [span for _, span in truth]
    segments = diarize(audio, SR, speech, overlap=False, bridge=0.0)
    starts = [span.start for span, _ in segments]
    assert starts == sorted(starts)
    for span, _ in segments:
        assert any(s.start - 0.01 <= span.start and span.end <= s.end + 0.01 for s in speech)


def test_other_sample_rates_are_resampled():
    audio, truth = conversation(TURNS)
    resampled = np.interp(np.arange(0, len(audio), SR / 22050), np.arange(len(audio)), audio)
    assert agreement(diarize(resampled, 22050, [s for _, s in truth]), truth) >= 0.9


def test_one_speaker_gives_one_speaker():
    audio, truth = conversation([(0, 3.0), (0, 2.0), (0, 2.5)])
    segments = diarize(audio, SR, [span for _, span in truth], n_speakers=1)
    assert segments and {label for _, label in segments} == {0}
    assert sum(span.duration for span, _ in segments) == pytest.approx(7.5 + 2 * 0.4, abs=0.05)


def test_enrollment_names_the_partners_in_voices_order():
    audio, truth = conversation(TURNS)
    voices = {"second": voice(210.0, 1.2, 5.0, seed=99), "first": voice(110.0, 1.0, 5.0, seed=98)}
    segments = diarize(audio, SR, [span for _, span in truth], voices=voices)
    swapped = [(1 - speaker, span) for speaker, span in truth]
    assert agreement(segments, swapped, fixed=True) >= 0.9


def test_enrolling_one_of_two_partners_gives_them_index_zero():
    audio, truth = conversation(TURNS)
    segments = diarize(audio, SR, [span for _, span in truth], voices={"b": voice(210.0, 1.2, 3.0, seed=97)})
    swapped = [(1 - speaker, span) for speaker, span in truth]
    assert agreement(segments, swapped, fixed=True) >= 0.9


def test_silence_gives_no_segments():
    assert diarize(np.zeros(5 * SR), SR, []) == []


@pytest.mark.parametrize("seconds", [0.0, 0.05, 0.2])
def test_very_short_input_does_not_crash(seconds):
    audio = voice(120.0, 1.0, seconds, seed=1) if seconds else np.zeros(0)
    segments = diarize(audio, SR, [Span(0.0, seconds)] if seconds else [])
    assert {label for _, label in segments} <= {0}


def test_speech_beyond_the_audio_is_clipped():
    audio = voice(120.0, 1.0, 2.0, seed=1)
    segments = diarize(audio, SR, [Span(0.0, 10.0)])
    assert max(span.end for span, _ in segments) <= 2.0 + 0.01


@pytest.mark.parametrize("n", [0, MAX_SPEAKERS + 1, 2.5])
def test_unsupported_speaker_counts_raise_input_error(n):
    with pytest.raises(InputError, match="n_speakers"):
        diarize(np.zeros(SR), SR, [], n_speakers=n)


def test_stereo_input_raises_input_error():
    with pytest.raises(InputError, match="mono"):
        diarize(np.zeros((2, SR)), SR, [])


def test_more_voices_than_speakers_raise_input_error():
    voices = {name: voice(120.0, 1.0, 2.0, seed=i) for i, name in enumerate("abc")}
    with pytest.raises(InputError, match="enrollment"):
        diarize(np.zeros(SR), SR, [], voices=voices)


def test_too_short_voice_raises_input_error():
    with pytest.raises(InputError, match="shorter than 1 s"):
        diarize(np.zeros(SR), SR, [], voices={"a": np.zeros(SR // 2)})


def _sample_truths():
    return sorted((ROOT / "sample_audio").glob("*.truth.json"))


@pytest.mark.parametrize("truth_path", _sample_truths(), ids=lambda p: p.name.split(".")[0])
def test_committed_mono_samples_are_attributed(truth_path):
    truth_json = json.loads(truth_path.read_text())
    audio, rate = sf.read(truth_path.parent / truth_json["files"]["mono"], dtype="float32")
    ids = [s["id"] for s in truth_json["speakers"]]
    truth = [(ids.index(t["speaker"]), Span(t["start"], t["end"])) for t in truth_json["turns"]]
    segments = diarize(audio, rate, [span for _, span in truth])
    assert agreement(segments, truth) >= 0.85


def test_dev00_real_meeting_two_speakers():
    if not (SHARED_AUDIO / "dev00.wav").exists():
        pytest.skip(f"{SHARED_AUDIO} not found")
    audio, rate = sf.read(SHARED_AUDIO / "dev00.wav", dtype="float32")
    rows = [line.split() for line in (SHARED_AUDIO / "dev00.rttm").read_text().splitlines()]
    names = sorted({r[7] for r in rows})
    truth = [(names.index(r[7]), Span(float(r[3]), float(r[3]) + float(r[4]))) for r in rows]
    from listening_coach.vad import speech_spans

    segments = diarize(audio, rate, speech_spans(audio))
    assert agreement(segments, truth) >= 0.8


def test_overlapped_speech_stays_with_the_speaker_holding_the_floor():
    audio, truth = conversation(TURNS)
    talker = truth[0][1]  # speaker 0, 0.5-3.5 s
    under = Span(talker.start + 1.0, talker.start + 2.2)  # the other voice joins for 1.2 s
    first = int(under.start * SR)
    audio[first:first + int(under.duration * SR)] += voice(210.0, 1.2, under.duration, seed=50)
    segments = diarize(audio, SR, [span for _, span in truth], overlapped=[under], bridge=0.0)
    holding = [seg for seg, label in segments if seg.overlap(talker) > 0]
    assert len(holding) == 1 and holding[0].overlap(talker) == pytest.approx(talker.duration, abs=0.05)
    assert agreement(segments, truth) >= 0.95
