"""The shipped speaker-embedding model (CAM++) with its numpy front end, on the sample conversations."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from listening_coach.models import speaker_embedding as se
from listening_coach.samples import sample_folder

REFERENCE = Path(__file__).parent / "data" / "embedding_reference.npz"


def _audio(name: str) -> np.ndarray:
    samples, rate = soundfile.read(sample_folder() / name, dtype="float32")
    assert rate == se.SAMPLE_RATE
    return samples


def test_onnx_and_numpy_front_end_reproduce_the_torch_reference():
    reference = np.load(REFERENCE)
    samples = _audio(str(reference["audio"]))
    for (start, end), expected in zip(reference["segments"], reference["campplus"]):
        segment = samples[int(start * se.SAMPLE_RATE) : int(end * se.SAMPLE_RATE)]
        embedding = se.campplus_embed(se.campplus_features(segment))
        assert embedding.shape == expected.shape
        assert np.linalg.norm(embedding) == pytest.approx(1.0, abs=1e-5)
        assert float(embedding @ expected) >= 0.999


def _lone_turn_frames(truth: dict, n_frames: int) -> dict[str, list[np.ndarray]]:
    """Per speaker, the frame indices of each turn where the other partner is silent."""
    frame_times = np.arange(n_frames) * se.FRAME_STEP
    lone = {}
    for speaker in ("A", "B"):
        others = [t for t in truth["turns"] + truth["backchannels"] if t["speaker"] != speaker]
        busy = np.zeros(n_frames, dtype=bool)
        for other in others:
            busy |= (frame_times >= other["start"] - 0.1) & (frame_times <= other["end"] + 0.1)
        lone[speaker] = [
            np.flatnonzero((frame_times >= t["start"]) & (frame_times < t["end"]) & ~busy)
            for t in truth["turns"] if t["speaker"] == speaker
        ]
    return lone


@pytest.mark.parametrize("conversation", ["chores", "weekend", "inlaws"])
def test_turns_of_one_partner_are_closer_than_turns_of_the_two(conversation):
    truth = json.loads((sample_folder() / f"{conversation}.truth.json").read_text())
    frames = se.campplus_features(_audio(f"{conversation}.mono.flac"))  # once for the whole recording
    lone = _lone_turn_frames(truth, len(frames))
    embeddings = {
        speaker: [se.campplus_embed(frames[turn]) for turn in sorted(turns, key=len)[-2:]]
        for speaker, turns in lone.items()
    }
    same = [float(a @ b) for a, b in (embeddings["A"], embeddings["B"])]
    across = [float(a @ b) for a in embeddings["A"] for b in embeddings["B"]]
    assert min(same) > max(across)


def test_bad_shapes_are_refused():
    bands = se.CAMPPLUS_BANDS
    with pytest.raises(ValueError, match="mono"):
        se.campplus_features(np.zeros((16000, 2), dtype=np.float32))
    with pytest.raises(ValueError, match=f"\\(n_frames, {bands}\\)"):
        se.campplus_embed(np.zeros((100, bands + 1), dtype=np.float32))
    with pytest.raises(ValueError, match=f"\\(n_frames, {bands}\\)"):
        se.campplus_embed(np.zeros(100 * bands, dtype=np.float32))
    with pytest.raises(ValueError, match="at least"):
        se.campplus_embed(np.zeros((se.MIN_FRAMES - 1, bands), dtype=np.float32))
    with pytest.raises(ValueError, match="NaN"):
        se.campplus_embed(np.full((100, bands), np.nan, dtype=np.float32))


def test_features_come_every_frame_step():
    second = np.random.default_rng(0).normal(0, 0.1, se.SAMPLE_RATE).astype(np.float32)
    assert se.campplus_features(second).shape == (1 + (se.SAMPLE_RATE - 400) // 160, se.CAMPPLUS_BANDS)
    assert se.campplus_features(second[:399]).shape == (0, se.CAMPPLUS_BANDS)


def test_embedding_many_selections_at_once_equals_one_by_one():
    frames = se.campplus_features(_audio("chores.mono.flac"))
    lengths = [150, 150, 150, 200, 60, 150, 200]  # batches of equal length, and odd ones out
    starts = np.cumsum([0, *lengths[:-1]])
    selections = [frames[s : s + n] for s, n in zip(starts, lengths)]
    together = se.campplus_embed_many(selections)
    alone = np.stack([se.campplus_embed(s) for s in selections])
    assert together.shape == (len(selections), 192)
    assert np.abs(together - alone).max() < 1e-4
    assert se.campplus_embed_many([]).shape == (0, 192)


def test_frames_of_a_stretch_equal_the_whole_recordings_frames_there():
    samples = _audio("chores.mono.flac")
    whole = se.campplus_features(samples)
    for first, count in [(0, 150), (1234, 150), (len(whole) - 40, 150)]:
        stretch = se.campplus_frames(samples, first, count)
        assert stretch.shape == whole[first : first + count].shape
        assert np.array_equal(stretch, whole[first : first + count])
