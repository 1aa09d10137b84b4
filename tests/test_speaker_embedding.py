"""The shipped speaker-embedding models with their numpy front ends, on the sample conversations."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from listening_coach.models import speaker_embedding as se
from listening_coach.samples import sample_folder

REFERENCE = Path(__file__).parent / "data" / "embedding_reference.npz"
MODELS = {
    "campplus": (se.campplus_features, se.campplus_embed, se.CAMPPLUS_BANDS),
    "resemblyzer": (se.resemblyzer_features, se.resemblyzer_embed, se.RESEMBLYZER_BANDS),
}


def _audio(name: str) -> np.ndarray:
    samples, rate = soundfile.read(sample_folder() / name, dtype="float32")
    assert rate == se.SAMPLE_RATE
    return samples


@pytest.mark.parametrize("model", sorted(MODELS))
def test_onnx_and_numpy_front_end_reproduce_the_torch_reference(model):
    features, embed, _ = MODELS[model]
    reference = np.load(REFERENCE)
    samples = _audio(str(reference["audio"]))
    for (start, end), expected in zip(reference["segments"], reference[model]):
        segment = samples[int(start * se.SAMPLE_RATE) : int(end * se.SAMPLE_RATE)]
        embedding = embed(features(segment))
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


@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("conversation", ["chores", "weekend", "inlaws"])
def test_turns_of_one_partner_are_closer_than_turns_of_the_two(model, conversation):
    features, embed, _ = MODELS[model]
    truth = json.loads((sample_folder() / f"{conversation}.truth.json").read_text())
    frames = features(_audio(f"{conversation}.mono.flac"))  # once for the whole recording
    lone = _lone_turn_frames(truth, len(frames))
    embeddings = {
        speaker: [embed(frames[turn]) for turn in sorted(turns, key=len)[-2:]]
        for speaker, turns in lone.items()
    }
    same = [float(a @ b) for a, b in (embeddings["A"], embeddings["B"])]
    across = [float(a @ b) for a in embeddings["A"] for b in embeddings["B"]]
    assert min(same) > max(across)


@pytest.mark.parametrize("model", sorted(MODELS))
def test_bad_shapes_are_refused(model):
    features, embed, bands = MODELS[model]
    with pytest.raises(ValueError, match="mono"):
        features(np.zeros((16000, 2), dtype=np.float32))
    with pytest.raises(ValueError, match=f"\\(n_frames, {bands}\\)"):
        embed(np.zeros((100, bands + 1), dtype=np.float32))
    with pytest.raises(ValueError, match=f"\\(n_frames, {bands}\\)"):
        embed(np.zeros(100 * bands, dtype=np.float32))
    with pytest.raises(ValueError, match="at least"):
        embed(np.zeros((se.MIN_FRAMES - 1, bands), dtype=np.float32))
    with pytest.raises(ValueError, match="NaN"):
        embed(np.full((100, bands), np.nan, dtype=np.float32))


def test_features_come_every_frame_step():
    second = np.random.default_rng(0).normal(0, 0.1, se.SAMPLE_RATE).astype(np.float32)
    assert se.campplus_features(second).shape == (1 + (se.SAMPLE_RATE - 400) // 160, se.CAMPPLUS_BANDS)
    assert se.resemblyzer_features(second).shape == (1 + se.SAMPLE_RATE // 160, se.RESEMBLYZER_BANDS)
    assert se.SAMPLE_RATE * se.FRAME_STEP == 160
