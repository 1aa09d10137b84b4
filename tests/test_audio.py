"""Reading recordings: WAV, FLAC, OGG and MP3 at any rate, one or two channels, resampled to 16 kHz."""

from pathlib import Path

import numpy as np
import pytest
import soundfile

from listening_coach.audio import SAMPLE_RATE, load_audio

SAMPLE = Path(__file__).resolve().parents[1] / "sample_audio" / "weekend.stereo.flac"


@pytest.fixture(scope="module")
def stereo():
    data, rate = soundfile.read(SAMPLE, dtype="float32", always_2d=True)
    return data[: 10 * rate], rate


@pytest.mark.parametrize("suffix, rate, fmt", [
    (".wav", 44100, "WAV"), (".flac", 22050, "FLAC"), (".ogg", 48000, "OGG"), (".mp3", 44100, "MP3"),
])
@pytest.mark.parametrize("channels", [1, 2])
def test_formats_rates_and_channels(tmp_path, stereo, suffix, rate, fmt, channels):
    import soxr

    data, source_rate = stereo
    data = soxr.resample(data[:, :channels], source_rate, rate)
    path = tmp_path / f"talk{suffix}"
    soundfile.write(path, data, rate, format=fmt)
    recording = load_audio(path)
    assert recording.info.channels == channels and recording.info.sample_rate == rate
    assert recording.info.duration == pytest.approx(10.0, abs=0.1)  # MP3 adds encoder padding
    assert recording.samples.shape[0] == channels
    assert recording.samples.shape[1] == pytest.approx(10 * SAMPLE_RATE, abs=0.1 * SAMPLE_RATE)
    original = soxr.resample(stereo[0][:, :channels], source_rate, SAMPLE_RATE).T
    # same loudness per channel as the original (a decode or resampling slip would change it)
    for channel in range(channels):
        assert np.std(recording.samples[channel]) == pytest.approx(np.std(original[channel]), rel=0.05)


def test_mono_property_averages_the_channels(stereo):
    recording = load_audio(SAMPLE)
    assert recording.mono.shape == (recording.samples.shape[1],)
    assert np.allclose(recording.mono[:1000], recording.samples[:, :1000].mean(axis=0))
