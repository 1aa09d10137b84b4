"""Reading a recording block by block: the blocks joined are the whole-file load."""

from pathlib import Path

import numpy as np
import pytest
import soundfile

from listening_coach.audio import SAMPLE_RATE, load_audio, stream_blocks
from listening_coach.errors import AudioError, InputError

SAMPLE = Path(__file__).resolve().parents[1] / "sample_audio" / "inlaws.stereo.flac"


def joined(path, seconds):
    blocks = list(stream_blocks(path, seconds))
    assert all(b.dtype == np.float32 and b.ndim == 2 for b in blocks)
    return blocks, np.concatenate(blocks, axis=1)


def test_blocks_of_a_16_khz_file_are_the_file():
    blocks, audio = joined(SAMPLE, 10.0)
    whole = load_audio(SAMPLE).samples
    assert len(blocks) == 5 and all(b.shape == (2, 10 * SAMPLE_RATE) for b in blocks[:-1])
    np.testing.assert_array_equal(audio, whole)


@pytest.mark.parametrize("suffix, rate, fmt", [(".wav", 44100, "WAV"), (".ogg", 48000, "OGG"), (".mp3", 22050, "MP3")])
def test_resampled_blocks_match_the_whole_file_load(tmp_path, suffix, rate, fmt):
    import soxr

    data, source_rate = soundfile.read(SAMPLE, dtype="float32", always_2d=True)
    data = soxr.resample(data, source_rate, rate)
    path = tmp_path / f"talk{suffix}"
    with soundfile.SoundFile(path, "w", rate, 2, format=fmt) as out:
        for start in range(0, len(data), rate):  # libsndfile's Vorbis encoder crashes on long writes
            out.write(data[start: start + rate])
    whole = load_audio(path).samples
    blocks, audio = joined(path, 7.0)
    assert len(blocks) >= 7
    assert audio.shape == whole.shape
    assert np.max(np.abs(audio - whole)) < 1e-3, "the same samples up to resampling rounding"


def test_streaming_refuses_what_loading_refuses(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(stream_blocks(tmp_path / "missing.wav"))
    notes = tmp_path / "notes.wav"
    notes.write_text("not audio at all")
    with pytest.raises(AudioError, match="not a readable audio file"):
        list(stream_blocks(notes))


def test_a_file_only_ffmpeg_reads_streams_too(tmp_path):
    """AAC in MP4, which libsndfile cannot read, is decoded by PyAV block by block."""
    import av

    path = tmp_path / "talk.m4a"
    data, source_rate = soundfile.read(SAMPLE, dtype="float32", always_2d=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=source_rate, layout="stereo")
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data[: 12 * source_rate].T), format="fltp",
                                           layout="stereo")
        frame.sample_rate = source_rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    whole = load_audio(path).samples
    blocks, audio = joined(path, 4.0)
    assert len(blocks) >= 3 and audio.shape == whole.shape
    np.testing.assert_array_equal(audio, whole)
