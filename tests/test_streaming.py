"""The block-by-block reading of a recording gives what the whole-file path gives, bit for bit.

Speech detection, channel levels, the channels' mix and the channels read again for
transcription are compared, on the sample conversations and on a 7-minute one made of them (longer
than one batch of the speech detector), with the whole file loaded at once and fed to
faster-whisper's own `get_speech_timestamps`.
"""

from pathlib import Path

import numpy as np
import pytest
import soundfile
from faster_whisper.vad import VadOptions, get_speech_timestamps

from listening_coach.audio import SAMPLE_RATE, ChannelReader, SignalBuffer, load_audio, open_audio
from listening_coach.types import Span
from listening_coach.vad import BATCH_WINDOWS, WINDOW, LevelMeter, SpeechFinder, frame_levels, read_mono, scan, speech_spans

SAMPLES = Path(__file__).resolve().parents[1] / "sample_audio"
NAMES = ("chores", "inlaws", "weekend")


def whole_file_speech(signal, min_silence=0.3, pad=0.1):
    """The speech spans as the whole-file path found them: faster-whisper on the whole signal."""
    options = VadOptions(min_silence_duration_ms=int(min_silence * 1000), speech_pad_ms=int(pad * 1000))
    found = get_speech_timestamps(signal, options, sampling_rate=SAMPLE_RATE)
    return [Span(f["start"] / SAMPLE_RATE, f["end"] / SAMPLE_RATE) for f in found]


def fed_in_blocks(signal, seconds):
    finder = SpeechFinder()
    step = int(seconds * SAMPLE_RATE)
    for start in range(0, signal.size, step):
        finder.feed(signal[start: start + step])
    return finder.spans()


@pytest.fixture(scope="module")
def long_stereo(tmp_path_factory):
    """7 minutes of the stereo samples one after another, with pauses (more than one VAD batch)."""
    pieces = [load_audio(SAMPLES / f"{name}.stereo.flac").samples for name in NAMES]
    pause = np.zeros((2, SAMPLE_RATE), dtype=np.float32)
    joined = np.concatenate([p for _ in range(3) for piece in pieces for p in (piece, pause)], axis=1)
    assert joined.shape[1] > BATCH_WINDOWS * WINDOW
    path = tmp_path_factory.mktemp("long") / "long.stereo.flac"
    soundfile.write(path, joined.T, SAMPLE_RATE, subtype="PCM_16")
    return path


@pytest.mark.parametrize("name", NAMES)
def test_speech_found_block_by_block_is_faster_whispers(name):
    signal = load_audio(SAMPLES / f"{name}.mono.flac").mono
    expected = whole_file_speech(signal)
    assert expected and speech_spans(signal) == expected
    assert fed_in_blocks(signal, 7.3) == expected


def test_speech_across_detector_batches_and_a_whole_number_of_windows(long_stereo):
    signal = load_audio(long_stereo).mono
    for length in (signal.size, signal.size // WINDOW * WINDOW):  # the second pads a silent window
        expected = whole_file_speech(signal[:length], min_silence=0.5, pad=0.2)
        finder = SpeechFinder(min_silence=0.5, pad=0.2)
        for start in range(0, length, 30 * SAMPLE_RATE):
            finder.feed(signal[start: min(start + 30 * SAMPLE_RATE, length)])
        assert finder.spans() == expected


def test_levels_block_by_block_are_the_whole_files():
    samples = load_audio(SAMPLES / "inlaws.stereo.flac").samples
    meter = LevelMeter(2)
    for start in range(0, samples.shape[1], 12345):  # blocks that cut frames in two
        meter.feed(samples[:, start: start + 12345])
    np.testing.assert_array_equal(meter.levels(), frame_levels(samples))


@pytest.mark.parametrize("keep_mono", [True, False])
def test_one_pass_finds_what_the_whole_file_path_finds(long_stereo, keep_mono):
    whole = load_audio(long_stereo)
    audio = open_audio(long_stereo)
    seen = []
    found = scan(audio, keep_mono=keep_mono, on_progress=seen.append)
    assert found.speech == whole_file_speech(whole.mono)
    np.testing.assert_array_equal(found.levels, frame_levels(whole.samples))
    if keep_mono:
        np.testing.assert_array_equal(found.mono, whole.mono)
    else:
        assert found.mono is None
    assert found.info == whole.info and sum(seen) == pytest.approx(whole.info.duration, abs=1e-3)
    np.testing.assert_array_equal(read_mono(audio), whole.mono)


def test_a_mono_file_keeps_its_one_channel_as_the_mix():
    whole = load_audio(SAMPLES / "weekend.mono.flac")
    found = scan(open_audio(SAMPLES / "weekend.mono.flac"), keep_mono=True)
    assert found.levels is None
    np.testing.assert_array_equal(found.mono, whole.samples[0])


def test_a_channel_read_again_is_the_whole_files_channel(long_stereo):
    whole = load_audio(long_stereo).samples
    audio = open_audio(long_stereo)
    reader = ChannelReader(audio, 1, seconds=7.0)
    stretches = [(0, 100), (50, 200), (16000 * 6, 16000 * 9), (16000 * 9, 16000 * 9 + 5),
                 (16000 * 30, 16000 * 100), (16000 * 20, 16000 * 21),  # earlier: read from the start
                 (whole.shape[1] - 10, whole.shape[1] + 1000), (whole.shape[1] + 5, whole.shape[1] + 10)]
    for start, stop in stretches:
        np.testing.assert_array_equal(reader[start:stop], whole[1][start:stop])


def test_a_signal_buffer_grows_when_the_header_said_too_little():
    buffer = SignalBuffer(2, expected=10)
    blocks = [np.full((2, n), n, dtype=np.float32) for n in (5, 20000, 3)]
    for block in blocks:
        buffer.append(block)
    np.testing.assert_array_equal(buffer.samples, np.concatenate(blocks, axis=1))


def test_whisper_hears_the_same_samples_from_channels_read_again(long_stereo):
    """Per-partner transcription of a long file: every chunk sent to faster-whisper (regions of
    both channels, packed and joined) is the same array as when cut from the whole-file load."""
    from listening_coach.attribution.speakers import REGION_PAD
    from listening_coach.spans import pad_spans
    from listening_coach.transcribe import Region, _chunks, _join, _split_long
    from listening_coach.vad import own_voice_spans

    whole = load_audio(long_stereo).samples
    audio = open_audio(long_stereo)
    found = scan(audio, keep_mono=False)
    regions = [pad_spans(spans, REGION_PAD, found.info.duration) for spans in own_voice_spans(found.levels, found.speech)]

    def joined(channels):
        heard = [Region(channels[c], span, "AB"[c]) for c in range(2) for span in regions[c]]
        return [_join(chunk)[0] for chunk in _chunks(_split_long(heard, 60.0), 60.0)]  # 1-minute chunks

    streamed, expected = joined([ChannelReader(audio, c) for c in range(2)]), joined(whole)
    assert len(expected) > 4 and len(streamed) == len(expected)
    for a, b in zip(streamed, expected):
        np.testing.assert_array_equal(a, b)
