"""How often the shared-mic overlap model hears two voices where only one speaks.

Run from the repository root::

    python benchmarks/two_voices.py [--weights FILE]

Single-speaker speech: 25 lines of the dialogue pool per voice, 0.5 s apart, with -55 dBFS noise,
dry and with room echo (RT60 0.4 s). Voices: the espeak-ng voices the benchmarks use, and the four
voices of Debian's `flite` (resynthesised from recorded people) when the `flite` command exists.
Then, when ../shared/data/audio is present, two real clips: jfk.flac (one speaker) and dev00.wav
(two speakers, overlap from its RTTM: found overlap scored by time).

It prints, per voice, the seconds of speech and the share of it marked as two voices. `--weights`
measures other weights than the shipped `listening_coach/two_voices.npz`.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import fftconvolve

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "benchmarks")]

import make_conversations as conversations  # noqa: E402
from devtools.scoring import read_rttm  # noqa: E402
from diarization import SHARED, load_mono  # noqa: E402
from listening_coach import two_voices  # noqa: E402
from listening_coach.features import SAMPLE_RATE, log_mel  # noqa: E402
from listening_coach.types import Span  # noqa: E402
from listening_coach.vad import merge_spans, speech_spans  # noqa: E402

LINES = 25
GAP = 0.5  # s between lines
NOISE_DBFS = -55.0
RT60 = 0.4  # s
ESPEAK_VOICES = (*conversations.MALE_VOICES[:1], *conversations.FEMALE_VOICES[:1])
FLITE_VOICES = ("kal16", "awb", "rms", "slt")


def two_voice_time(audio: np.ndarray) -> tuple[list[Span], float]:
    """Overlap spans the model finds in mono 16 kHz `audio`, and the seconds of speech in it."""
    speech = speech_spans(audio.astype(np.float32))
    return two_voices.overlap_spans(log_mel(audio), speech), sum(s.duration for s in speech)


def _espeak_line(text: str, voice: conversations.Voice) -> np.ndarray:
    """`text` spoken by an espeak-ng `voice`, 16 kHz float."""
    return conversations.synthesize(text, voice).audio


def flite_line(text: str, voice: str) -> np.ndarray:
    """`text` spoken by flite's `voice`, 16 kHz float."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "line.wav"
        command = ["flite", "-voice", voice, "-t", text, "-o", str(out)]
        subprocess.run(command, check=True, capture_output=True)
        return load_mono(out).astype(np.float64)


def monologue(speak, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One voice saying the first `LINES` pool lines: (dry, with room echo), noise added to both."""
    texts = [line.text for group in conversations.POOL.values() for line in group][:LINES]
    pieces = []
    for text in texts:
        clip = speak(text)
        pieces += [clip / np.max(np.abs(clip)) * 0.5, np.zeros(int(GAP * SAMPLE_RATE))]
    dry = np.concatenate(pieces)
    t = np.arange(int(RT60 * SAMPLE_RATE)) / SAMPLE_RATE
    room = rng.normal(size=t.size) * np.exp(-6.9 * t / RT60) * 0.15
    room[0] = 1.0
    echo = fftconvolve(dry, room)[: len(dry)]
    noise = rng.normal(size=len(dry)) * 10 ** (NOISE_DBFS / 20)
    return dry + noise, echo + noise


def report_voice(name: str, speak, rng: np.random.Generator) -> None:
    """Print how much of `speak`'s monologue, dry and with echo, is marked as two voices."""
    cells = []
    for audio in monologue(speak, rng):
        found, speech = two_voice_time(audio)
        marked = sum(s.duration for s in found)
        cells.append(f"{marked:5.1f} s of {speech:5.1f} s ({100 * marked / speech:4.1f} %)")
    print(f"{name:<16} {cells[0]:>28} {cells[1]:>28}")


def report_real_clips() -> None:
    """Print the two-voice time on jfk.flac and, against its RTTM, on dev00.wav (when present)."""
    audio = SHARED / "audio"
    if not (audio / "dev00.wav").exists():
        print(f"real clips: skipped ({audio} not found)")
        return
    found, speech = two_voice_time(load_mono(audio / "jfk.flac"))
    print(f"jfk.flac (one speaker): {sum(s.duration for s in found):.2f} s of {speech:.1f} s of speech "
          "marked as two voices")
    segments = read_rttm(audio / "dev00.rttm")
    true = merge_spans([Span(max(a[1], b[1]), min(a[2], b[2])) for i, a in enumerate(segments)
                        for b in segments[i + 1:] if a[0] != b[0] and min(a[2], b[2]) > max(a[1], b[1])])
    found, speech = two_voice_time(load_mono(audio / "dev00.wav"))
    hit = sum(f.overlap(t) for f in found for t in true)
    marked, overlapped = sum(s.duration for s in found), sum(s.duration for s in true)
    print(f"dev00.wav (two speakers): {marked:.2f} s of {speech:.1f} s of speech marked as two voices "
          f"({100 * marked / speech:.0f} %), {overlapped:.2f} s truly "
          f"overlapped, {hit:.2f} s of it found (precision {hit / max(marked, 1e-9):.2f}, "
          f"recall {hit / max(overlapped, 1e-9):.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", type=Path, help="another two_voices.npz to measure")
    args = parser.parse_args()
    if args.weights:
        if not args.weights.is_file():
            parser.error(f"--weights: {args.weights} is not a file")
        two_voices.MODEL_PATH = args.weights
        two_voices._model.cache_clear()
    rng = np.random.default_rng(5)
    print(f"{'single speaker':<16} {'dry: marked as two voices':>28} {'room echo':>28}")
    if conversations.espeak_available():
        for voice in ESPEAK_VOICES:
            speak = functools.partial(_espeak_line, voice=voice)
            report_voice(f"espeak {voice.name}", speak, rng)
    else:
        print("espeak-ng voices: skipped (apt-get install espeak-ng)")
    if shutil.which("flite"):
        for voice in FLITE_VOICES:
            report_voice(f"flite {voice}", functools.partial(flite_line, voice=voice), rng)
    else:
        print("flite voices: skipped (apt-get install flite)")
    report_real_clips()
    return 0


if __name__ == "__main__":
    sys.exit(main())
