"""Make synthetic couple conversations with ground truth, for tests, demos and benchmarks.

Each conversation is a list of lines written as data. A line is spoken by partner "A" or "B",
carries ground-truth labels (question kind, reflection, validation, criticism, apology, feeling)
and says how it is placed in time relative to the previous line:

- "gap": starts 0.15-0.8 s after the previous line ends;
- "pause": starts 1.5-3.0 s after the previous line ends;
- "interrupt": starts while the previous speaker still has at least 1 s of speech left; the
  previous line is cut off at a word boundary 0.5-1.2 s later (with a short fade);
- "overlap": a terminal overlap, starting 0.05-0.25 s before the previous line ends.

A line may also carry backchannels ("mm-hmm", "yeah", ...) that the listener says in the middle
of it without taking the floor. The layout, mixing and truth code is devtools/timeline.py, shared
with the real-voice generator devtools/realvoice.py.

Speech comes from the espeak-ng library (libespeak-ng, installed with the `espeak-ng` package),
called through ctypes in a forked child per line: it gives the same samples as the `espeak-ng`
command plus the time of every word, which is what lets an interrupted line be cut at a word
boundary and its spoken words be recorded exactly. Output per conversation NAME, in the output
folder:

- NAME.stereo.flac: channel 0 = partner A's mic, channel 1 = partner B's mic, each with bleed of
  the other voice (delayed 1 ms) and a little seeded noise;
- NAME.mono.flac: both voices summed, plus noise;
- NAME.truth.json: ground truth, schema "listening-coach.truth/1" (see sample_audio/README.md).

Everything is seeded: the same spec gives the same samples on every run.

Usage::

    python scripts/make_conversations.py samples            # the committed set in sample_audio/
    python scripts/make_conversations.py random --count 20 --seed 1 --out /tmp/convs
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import functools
import json
import os
import pickle
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # devtools/ lives at the top of the repository

from devtools.timeline import (  # noqa: E402
    BLEED_DELAY, CLIP_PEAK, LEAD_IN, NOISE_DBFS, PEAK_DBFS, PLACEMENTS, SAMPLE_RATE, Clip, Line,
    Timeline, labels, mix, speech_bounds, trim_threshold, truth,
)
from devtools.timeline import layout as layout_lines  # noqa: E402

SAMPLES_DIR = ROOT / "sample_audio"

BACKCHANNELS = ("mm-hmm", "yeah", "right", "okay", "I see", "oh no", "uh-huh")
# espeak reads "mm-hmm" as "em em hmm"; these phoneme strings say what the text means.
SPOKEN_AS = {"mm-hmm": "[[@m'h@m]]"}


# ----------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice: name (e.g. "en-us+m3"), pitch (0-99) and speed (words per minute)."""

    name: str
    pitch: int
    speed: int


@dataclass(frozen=True)
class ConversationSpec:
    """Everything needed to make one conversation; `seed` fixes timing and noise."""

    id: str
    seed: int
    names: dict[str, str]
    voices: dict[str, Voice]
    lines: tuple[Line, ...]
    bleed: float = 0.2  # amplitude of the other voice on each mic (0.2 = -14 dB)


def say(speaker: str, text: str, *tags: str, place: str = "gap", bc: tuple[str, ...] = (),
        min_words: int | None = None) -> Line:
    """Shorthand for a dialogue Line; `tags` go through `labels`, `bc` are backchannels."""
    if speaker not in ("A", "B"):
        raise ValueError(f"speaker must be 'A' or 'B', got {speaker!r}")
    if place not in PLACEMENTS:
        raise ValueError(f"place must be one of {PLACEMENTS}, got {place!r}")
    for text_bc in bc:
        if text_bc not in BACKCHANNELS:
            raise ValueError(f"unknown backchannel {text_bc!r}; use one of {BACKCHANNELS}")
    return Line(speaker, text, labels(*tags), place, tuple(bc), min_words)


# ----------------------------------------------------------------------------- the sample set

VOICE_A = Voice("en-us+m3", 35, 150)
VOICE_B = Voice("en-us+f3", 65, 140)

CHORES = ConversationSpec(
    id="chores",
    seed=101,
    names={"A": "Dan", "B": "Priya"},
    voices={"A": VOICE_A, "B": VOICE_B},
    lines=(
        say("B", "Can we talk about the kitchen? The sink was full of dishes again.", "closed"),
        say("A", "Sure. What happened?", "open"),
        say("B", "I feel exhausted when I cook and then clean up on my own. It feels like the "
            "house is only my job.", "feeling", bc=("mm-hmm",)),
        say("A", "So you feel alone with the evening work, and it wears you down.", "reflection"),
        say("B", "Yes, exactly.", place="overlap"),
        say("A", "But you never notice when I do the laundry or take the bins out or wash the car "
            "on Sunday mornings.", "criticism", min_words=5),
        say("B", "That's not fair, I thanked you for the laundry.", place="interrupt"),
        say("A", "You're right. I'm sorry, that's on me.", "apology", place="pause"),
        say("B", "Thank you. You do a lot too, and it makes sense that you want it seen.",
            "validation", bc=("yeah",)),
        say("A", "What would help you most on the nights you cook?", "open"),
        say("B", "Maybe you could do the dishes on those nights, and I will do the bathroom.",
            bc=("okay",)),
        say("A", "That makes sense. Should I start tonight?", "validation", "closed",
            place="overlap"),
    ),
)

WEEKEND = ConversationSpec(
    id="weekend",
    seed=202,
    names={"A": "Marcus", "B": "Jen"},
    voices={"A": Voice("en-us+m1", 30, 150), "B": Voice("en-us+f2", 65, 140)},
    lines=(
        say("A", "I was thinking we could drive up to the lake this weekend, just the two of us."),
        say("B", "That sounds lovely, but I promised Nina I would help her move flats on Saturday "
            "and it could take all day.", min_words=5),
        say("A", "You always say yes to everyone else before you even ask me.", "criticism",
            place="interrupt"),
        say("B", "It sounds like you feel you come second to my friends, and I can see why that "
            "would hurt.", "reflection", "validation", place="pause", bc=("yeah",)),
        say("A", "I feel lonely when our weekends fill up with other people's plans.", "feeling"),
        say("B", "What would a good weekend look like for you?", "open"),
        say("A", "Sleeping in, a long walk by the water, and dinner somewhere quiet with our phones "
            "switched off.", bc=("mm-hmm",)),
        say("B", "Could we do the walk and the dinner on Sunday?", "closed", place="overlap"),
        say("A", "Sunday works. And I'm sorry I snapped at you, that wasn't fair.", "apology",
            bc=("okay",)),
        say("B", "Thank you. I have missed our time together too.", "feeling"),
    ),
)

INLAWS = ConversationSpec(
    id="inlaws",
    seed=303,
    names={"A": "Tom", "B": "Leah"},
    voices={"A": Voice("en-us+m7", 40, 145), "B": Voice("en-us+f3", 70, 140)},
    lines=(
        say("B", "Your parents want to stay for two weeks in December. How do you feel about "
            "that?", "open"),
        say("A", "I feel nervous about it. Last time my mother reorganised the kitchen and you "
            "were upset for days.", "feeling", bc=("oh no",)),
        say("B", "So you are worried it will be as tense as last year.", "reflection"),
        say("A", "Right, and I would be stuck in the middle again.", place="overlap"),
        say("B", "That makes sense. Being caught between us must be hard.", "validation"),
        say("A", "Would one week be enough?", "closed"),
        say("B", "One week is fine, but you never stand up to your mother when she criticises my "
            "cooking in front of everyone.", "criticism", min_words=8),
        say("A", "Wait, I did say something at Easter.", place="interrupt"),
        say("B", "You did. I'm sorry, I shouldn't have said never.", "apology", place="pause"),
        say("A", "What would you need from me while they are here?", "open"),
        say("B", "Just check in with me each evening, and back me up if things start to get "
            "tense at dinner.", bc=("uh-huh", "I see")),
        say("A", "I can do that.", place="overlap"),
    ),
)

SAMPLES = {spec.id: spec for spec in (CHORES, WEEKEND, INLAWS)}


# ----------------------------------------------------------------------------- the random pool


def pool_line(text: str, *tags: str, min_words: int | None = None) -> Line:
    """A speaker-less line for random composition (speaker and placement are set later)."""
    return say("A", text, *tags, min_words=min_words)


POOL = {
    "chores": (
        pool_line("Who is taking the recycling out this week?", "closed"),
        pool_line("I feel taken for granted when I'm the only one who notices the laundry piling "
                  "up.", "feeling", min_words=6),
        pool_line("You never put your dishes in the dishwasher, they just sit on the counter until "
                  "I move them.", "criticism", min_words=4),
        pool_line("It sounds like you're tired of keeping track of everything in the house.",
                  "reflection"),
        pool_line("How would you like us to split the cleaning from now on?", "open"),
        pool_line("I'm sorry, I said I would vacuum on Saturday and I forgot. That's on me.",
                  "apology", min_words=3),
        pool_line("Can we make a list and put it on the fridge?", "closed"),
        pool_line("I cleaned the bathroom yesterday and nobody said a word about it, which was a "
                  "bit disappointing.", min_words=4),
    ),
    "weekend": (
        pool_line("Do you want to go hiking on Saturday or stay home?", "closed"),
        pool_line("What would make this weekend feel restful for you?", "open"),
        pool_line("I feel excited when we plan something new together, even something small.",
                  "feeling", min_words=4),
        pool_line("You always fill our weekends with plans without checking with me first.",
                  "criticism", min_words=3),
        pool_line("So what I'm hearing is that you need one day with nothing scheduled at all.",
                  "reflection"),
        pool_line("My brother asked if we could come over for a barbecue on Sunday afternoon, and "
                  "I said I would ask you first.", min_words=4),
        pool_line("Sorry, I booked the cinema without asking you. I should have checked.",
                  "apology", min_words=2),
        pool_line("A quiet morning with coffee and the papers sounds perfect to me."),
    ),
    "inlaws": (
        pool_line("When are your parents planning to visit next?", "closed"),
        pool_line("How did you feel after the phone call with your mother?", "open"),
        pool_line("I feel hurt when your dad comments on how we raise the kids.", "feeling",
                  min_words=3),
        pool_line("You never defend me when your family starts teasing me at dinner.",
                  "criticism", min_words=3),
        pool_line("It sounds like you felt judged when my sister talked about our house.",
                  "reflection"),
        pool_line("It makes sense that you'd want some space after a long visit like that.",
                  "validation", min_words=5),
        pool_line("I'm sorry, I should have told them we needed a night to ourselves.", "apology",
                  min_words=2),
        pool_line("My mother offered to help with the garden next month, and she wants to bring "
                  "her own tools and plants.", min_words=4),
    ),
    "money": (
        pool_line("Did you see the credit card bill this month?", "closed"),
        pool_line("What worries you most about our savings right now?", "open"),
        pool_line("I feel anxious when I see big purchases that we didn't talk about first.",
                  "feeling", min_words=3),
        pool_line("You always buy new gadgets and then tell me we can't afford a holiday.",
                  "criticism", min_words=3),
        pool_line("So you're saying the budget feels like it only limits you and not me.",
                  "reflection"),
        pool_line("That's a fair point, I can see why the bill upset you.", "validation",
                  min_words=4),
        pool_line("I'm sorry I didn't mention the new phone. I should have asked first.",
                  "apology", min_words=3),
        pool_line("Could we sit down on Sunday evening and go through the accounts together?",
                  "closed"),
    ),
    "unheard": (
        pool_line("I feel unheard when I tell you about my day and you keep looking at your "
                  "phone.", "feeling", min_words=3),
        pool_line("You never really listen to me, you just wait for your turn to talk.",
                  "criticism", min_words=4),
        pool_line("It sounds like you felt dismissed last night when I changed the subject.",
                  "reflection"),
        pool_line("Can you tell me more about what happened at work today?", "open"),
        pool_line("Were you upset that I left the table early?", "closed"),
        pool_line("That makes sense. Anyone would feel ignored in that situation.", "validation"),
        pool_line("I'm sorry, you're right. I was distracted and that's on me.", "apology",
                  min_words=2),
        pool_line("Work has been really stressful this month, and when I get home I just want to "
                  "switch off for a while.", min_words=4),
    ),
    "any": (
        pool_line("What do you think we should do?", "open"),
        pool_line("Does that sound okay to you?", "closed"),
        pool_line("That makes sense to me.", "validation"),
        pool_line("I hear you. It sounds like this has been on your mind for a while.",
                  "reflection"),
        pool_line("I think we both want the same thing here, we just go about it differently.",
                  min_words=4),
        pool_line("Okay, let's try that for a couple of weeks and see how it goes."),
        pool_line("Thank you for telling me how you feel about it."),
        pool_line("Honestly, I didn't realise it bothered you this much.", min_words=3),
    ),
}

# Voices that Whisper tiny.en understands well (word error rate about 5-10 % on clean lines).
MALE_VOICES = (Voice("en-us+m3", 35, 150), Voice("en-us+m1", 30, 150), Voice("en-us+m7", 40, 145))
FEMALE_VOICES = (Voice("en-us+f3", 65, 140), Voice("en-us+f2", 65, 140), Voice("en-us+f5", 60, 140))
NAMES = ("Alex", "Sam", "Jordan", "Maya", "Chris", "Priya", "Dan", "Leah", "Noah", "Zoe")


def random_spec(seed: int, name: str | None = None) -> ConversationSpec:
    """A varied conversation from POOL: 30-120 s, random voices, placements and bleed 10-30 %."""
    rng = np.random.default_rng(seed)
    topic = [t for t in POOL if t != "any"][rng.integers(len(POOL) - 1)]
    # The topic's lines and the general ones first, then the other topics' lines.
    first_lines = list(POOL[topic]) + list(POOL["any"])
    other_lines = [line for t, lines in POOL.items() if t not in (topic, "any") for line in lines]
    order = [first_lines[i] for i in rng.permutation(len(first_lines))]
    order += [other_lines[i] for i in rng.permutation(len(other_lines))]
    # Pick two voices; sometimes two men or two women, which is harder for one-mic diarization.
    gendered = [MALE_VOICES, FEMALE_VOICES]
    first = gendered[rng.integers(2)]
    second = gendered[rng.integers(2)] if rng.random() < 0.3 else gendered[1 - gendered.index(first)]
    voice_a = first[rng.integers(len(first))]
    voice_b = next(second[i] for i in rng.permutation(len(second)) if second[i] != voice_a)
    voices = {
        "A": replace(voice_a, pitch=int(voice_a.pitch + rng.integers(-8, 9)),
                     speed=int(voice_a.speed + rng.integers(-5, 11))),
        "B": replace(voice_b, pitch=int(voice_b.pitch + rng.integers(-8, 9)),
                     speed=int(voice_b.speed + rng.integers(-5, 11))),
    }
    names = [str(n) for n in rng.choice(NAMES, size=2, replace=False)]

    target = rng.uniform(32.0, 112.0)  # s; the estimate below keeps the length within 30-120 s
    lines: list[Line] = []
    elapsed, prev_length = LEAD_IN, 0.0
    speaker = "AB"[rng.integers(2)]
    while elapsed + prev_length < target:
        base = order[len(lines) % len(order)]
        prev = lines[-1] if lines else None
        place = "gap"
        if prev is not None:
            roll = rng.random()
            if roll < 0.3 and prev.min_words is not None \
                    and len(prev.text.split()) >= prev.min_words + 5:
                place = "interrupt"
            elif roll < 0.45:
                place = "overlap"
            elif roll < 0.55:
                place = "pause"
        n_words = len(base.text.split())
        n_bc = int(rng.choice([0, 1, 2], p=[0.35, 0.45, 0.2])) if n_words >= 11 else 0
        bc = tuple(str(b) for b in rng.choice(BACKCHANNELS, size=n_bc, replace=False))
        lines.append(replace(base, speaker=speaker, place=place, backchannels=bc))
        length = len(synthesize(base.text, voices[speaker]).audio) / SAMPLE_RATE
        elapsed += prev_length / 2 if place == "interrupt" else prev_length + 0.4
        prev_length = length
        speaker = "B" if speaker == "A" else "A"
    return ConversationSpec(
        id=name or f"random-{seed}",
        seed=seed,
        names={"A": names[0], "B": names[1]},
        voices=voices,
        lines=tuple(lines),
        bleed=float(np.round(rng.uniform(0.1, 0.3), 3)),
    )


# ----------------------------------------------------------------------------- speech synthesis


class _EspeakEvent(ctypes.Structure):
    """espeak_EVENT from speak_lib.h (the `id` union is 8 bytes)."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based character index
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # ms from the start of the synthesis
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.POINTER(_EspeakEvent))
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_EVENT_LIST_TERMINATED, _EVENT_WORD = 0, 1
_PARAM_RATE, _PARAM_PITCH = 1, 3
_POS_CHARACTER = 1
_CHARS_UTF8, _PHONEMES_INPUT = 1, 0x100


@functools.cache
def _library() -> ctypes.CDLL:
    """The espeak-ng shared library with the argument types of the calls used here."""
    name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise RuntimeError(f"cannot load the espeak-ng library ({exc}); "
                           "install it with: apt-get install espeak-ng") from exc
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    return lib


def _synth_fresh(text: str, voice: Voice) -> tuple:
    """Initialise espeak-ng and speak `text` once (meant for a fresh process).

    Returns ("ok", sample rate (Hz), int16 sample bytes, [(character index, word onset s)]) or
    ("error", message).
    """
    lib = _library()
    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None, _INITIALIZE_DONT_EXIT)
    if rate <= 0:
        return "error", "espeak-ng failed to initialise (is espeak-ng-data installed?)"
    chunks, words = [], []

    def collect(wav, n_samples, events) -> int:
        chunks.append(ctypes.string_at(wav, 2 * n_samples) if n_samples > 0 else b"")
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            if events[i].type == _EVENT_WORD:
                words.append((events[i].text_position - 1, events[i].audio_position / 1000.0))
            i += 1
        return 0

    callback = _CALLBACK(collect)
    lib.espeak_SetSynthCallback(callback)
    if lib.espeak_SetVoiceByName(voice.name.encode()) != 0:
        return "error", f"espeak-ng has no voice {voice.name!r}"
    lib.espeak_SetParameter(_PARAM_RATE, voice.speed, 0)
    lib.espeak_SetParameter(_PARAM_PITCH, voice.pitch, 0)
    data = text.encode()
    flags = _CHARS_UTF8 | (_PHONEMES_INPUT if "[[" in text else 0)
    if lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, flags, None, None) != 0:
        return "error", f"espeak-ng failed to speak {text!r}"
    return "ok", rate, b"".join(chunks), words


def espeak(text: str, voice: Voice) -> tuple[np.ndarray, int, list[tuple[int, float]]]:
    """Speak `text`: int16 samples, their rate (Hz) and (character index, onset s) of each word.

    espeak-ng carries state (such as the pitch-period phase) from one call to the next, so each
    call runs in a forked child that starts from the library's initial state. This makes the
    output independent of what was spoken before, and equal to what `espeak-ng -v VOICE -p PITCH
    -s SPEED -w FILE TEXT` writes.
    """
    if not hasattr(os, "fork"):
        raise RuntimeError("speaking needs os.fork, which this system lacks (use Linux or macOS)")
    _library()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: speak, send the result, exit without running the parent's cleanup
        os.close(read_fd)
        try:
            with os.fdopen(write_fd, "wb") as out:
                pickle.dump(_synth_fresh(text, voice), out)
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        raise RuntimeError(f"espeak-ng crashed while speaking {text!r}")
    result = pickle.loads(data)
    if result[0] == "error":
        raise RuntimeError(result[1])
    _, rate, samples, words = result
    return np.frombuffer(samples, dtype=np.int16), rate, words


def espeak_available() -> bool:
    """True when the espeak-ng library loads and speaks."""
    try:
        espeak("a", Voice("en-us", 50, 150))
    except RuntimeError:
        return False
    return True


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Resample a whole signal by truncating (or padding) its spectrum; rates in Hz."""
    n_out = round(len(x) * rate_out / rate_in)
    spectrum = np.fft.rfft(x.astype(np.float64))
    kept = np.zeros(n_out // 2 + 1, dtype=complex)
    n = min(len(kept), len(spectrum))
    kept[:n] = spectrum[:n]
    return np.fft.irfft(kept, n=n_out) * (n_out / len(x))


@functools.lru_cache(maxsize=512)
def synthesize(text: str, voice: Voice) -> Clip:
    """Speak `text` with `voice`: mono float at SAMPLE_RATE, peak CLIP_PEAK, silence trimmed.

    Results are cached (the audio is read-only), as lines are measured before they are laid out.
    """
    raw, rate, words = espeak(SPOKEN_AS.get(text, text), voice)
    audio = resample(raw / 32768.0, rate, SAMPLE_RATE)
    audio *= CLIP_PEAK / np.max(np.abs(audio))
    first, last = speech_bounds(audio, trim_threshold())
    offset = first / SAMPLE_RATE
    onsets = tuple((pos, onset - offset) for pos, onset in words if onset - offset > 0)
    audio = audio[first:last]
    audio.flags.writeable = False
    return Clip(audio, onsets)


def layout(spec: ConversationSpec) -> Timeline:
    """Place every line of `spec` on the timeline in its espeak-ng voice (see devtools.timeline)."""
    return layout_lines(spec.lines, spec.seed, lambda text, who: synthesize(text, spec.voices[who]),
                        spec.id)


def make_conversation(spec: ConversationSpec, out_dir: Path | str) -> Path:
    """Write NAME.stereo.flac, NAME.mono.flac and NAME.truth.json; return the truth path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    timeline = layout(spec)
    stereo, mono = mix(timeline, spec.bleed, spec.seed)
    speakers = [{"id": s, "name": spec.names[s], "voice": spec.voices[s].name,
                 "pitch": spec.voices[s].pitch, "speed": spec.voices[s].speed} for s in ("A", "B")]
    mixing = {"bleed": spec.bleed, "bleed_delay": BLEED_DELAY, "noise_dbfs": NOISE_DBFS,
              "peak_dbfs": PEAK_DBFS}
    record = truth(spec.id, timeline, len(mono), speakers, mixing)
    for kind, audio in (("stereo", stereo), ("mono", mono)):
        sf.write(out_dir / record["files"][kind], audio, SAMPLE_RATE, format="FLAC",
                 subtype="PCM_16")
    path = out_dir / f"{spec.id}.truth.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def random_conversations(count: int, seed: int, out_dir: Path | str) -> list[Path]:
    """Write `count` varied random conversations (seeded by `seed`); return their truth paths."""
    return [make_conversation(random_spec(seed * 100_003 + i, f"random-{seed}-{i:03d}"), out_dir)
            for i in range(count)]


def sample_problems(record: dict) -> list[str]:
    """What a committed sample lacks; empty when it is fine.

    A sample needs an interruption, a terminal overlap, two backchannels and 30-90 s of audio.
    """
    problems = []
    if not record["interruptions"]:
        problems.append("no interruption")
    if not record["terminal_overlaps"]:
        problems.append("no terminal overlap")
    if len(record["backchannels"]) < 2:
        problems.append("fewer than two backchannels")
    if not 30 <= record["duration"] <= 90:
        problems.append(f"duration {record['duration']} s is outside 30-90 s")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line: `samples [--out DIR]` or `random --count N --seed S --out DIR`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    samples = commands.add_parser("samples", help="regenerate the committed sample set")
    samples.add_argument("--out", type=Path, default=SAMPLES_DIR)
    rand = commands.add_parser("random", help="write varied random conversations")
    rand.add_argument("--count", type=int, required=True)
    rand.add_argument("--seed", type=int, required=True)
    rand.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "samples":
            paths = [make_conversation(spec, args.out) for spec in SAMPLES.values()]
        else:
            paths = random_conversations(args.count, args.seed, args.out)
    except (RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    status = 0
    for path in paths:
        record = json.loads(path.read_text(encoding="utf-8"))
        problems = sample_problems(record) if args.command == "samples" else []
        print(f"{path}: {record['duration']:.1f} s, {len(record['turns'])} turns, "
              f"{len(record['interruptions'])} interruptions, "
              f"{len(record['backchannels'])} backchannels, "
              f"{len(record['terminal_overlaps'])} terminal overlaps, "
              f"{len(record['pauses'])} pauses" + (f"  PROBLEM: {problems}" if problems else ""))
        status = status or (1 if problems else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
