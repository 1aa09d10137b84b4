"""Transcription in bounded chunks: how regions are packed and cut, and the real model on the samples."""

import math
from pathlib import Path

import numpy as np
import pytest

from listening_coach.audio import SAMPLE_RATE, load_audio
from listening_coach.transcribe import GAP, Region, _chunks, _split_long, transcribe
from listening_coach.types import Span
from listening_coach.spans import pad_spans
from listening_coach.vad import speech_spans

SAMPLES = Path(__file__).resolve().parents[1] / "sample_audio"


def regions_of(spans, signal=np.zeros(SAMPLE_RATE * 100, dtype=np.float32)):
    return [Region(signal, Span(s, e)) for s, e in spans]


def test_chunks_keep_every_region_in_order_and_within_the_limit():
    regions = regions_of([(i * 3.0, i * 3.0 + 2.0) for i in range(30)])  # 2 s regions
    chunks = _chunks(regions, 10.0)
    assert [r for chunk in chunks for r in chunk] == regions
    assert all(sum(r.span.duration + GAP for r in chunk) - GAP <= 10.0 for chunk in chunks)
    assert len(chunks) == math.ceil(30 / 4), "4 regions (4 x 2 s + 3 gaps) fill a 10 s chunk"
    assert len(_chunks(regions, math.inf)) == 1


def test_a_region_longer_than_a_chunk_is_cut_where_it_is_quiet():
    rng = np.random.default_rng(0)
    signal = (0.3 * rng.standard_normal(SAMPLE_RATE * 30)).astype(np.float32)
    quiet = int(8.5 * SAMPLE_RATE)
    signal[quiet: quiet + int(0.02 * SAMPLE_RATE)] = 0.0
    pieces = _split_long(regions_of([(1.0, 26.0)], signal), 10.0)
    assert pieces[0].span == Span(1.0, 8.5), "cut at the silent 20 ms, within 5 s before the limit"
    assert all(p.span.duration <= 10.0 for p in pieces)
    assert [p.span.start for p in pieces[1:]] == [p.span.end for p in pieces[:-1]]
    assert pieces[-1].span.end == 26.0


def sample_regions(name):
    """The padded speech regions of a sample, as the speaker stage sends them."""
    recording = load_audio(SAMPLES / name)
    spans = pad_spans(speech_spans(recording.mono), 0.25, recording.info.duration)
    return [Region(recording.samples[c], s, speaker)
            for c, speaker in enumerate("AB"[:recording.info.channels]) for s in spans]


@pytest.mark.parametrize("name", ["chores.mono.flac", "inlaws.mono.flac"])
def test_a_sample_is_transcribed_in_one_call_as_before(name):
    """The samples fit one chunk, so their words are those of one faster-whisper call over all regions.

    (Mono samples: on the stereo ones, whose bleed Whisper hears with little confidence, faster-
    whisper falls back to sampling at a higher temperature and even two identical calls differ.)
    """
    regions = sample_regions(name)
    words = transcribe(regions)
    assert len(words) > 50
    assert words == transcribe(regions, chunk_seconds=math.inf)


def test_words_from_chunks_keep_recording_times_and_speakers():
    regions = sample_regions("weekend.stereo.flac")
    done = []
    words = transcribe(regions, chunk_seconds=40.0, on_progress=done.append)
    assert len(words) > 50 and {w.speaker for w in words} == {"A", "B"}
    spans = {s: [r.span for r in regions if r.speaker == s] for s in "AB"}
    for word in words:
        assert any(s.start - 0.01 <= word.start <= word.end <= s.end + 0.01 for s in spans[word.speaker])
    joined = sum(r.span.duration + GAP for r in regions)
    assert sum(done) == pytest.approx(joined, abs=0.05), "progress covers all the speech"
