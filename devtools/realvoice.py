"""Simulated two-person conversations made of real read speech (Landini et al. 2022 style).

Two speakers of one corpus (LibriSpeech or Common Voice, in ../shared/data/realspeech) are
picked; each utterance is trimmed of leading and trailing silence, cut into phrase-sized pieces
at the pauses between the words Whisper found, and the pieces are laid on a timeline by
devtools.timeline with the same events as the espeak-ng conversations: gaps, long pauses,
interruptions, terminal overlaps and backchannels. A backchannel is one whole short word
(at most 0.7 s) cut from the listener's own utterances. A speaker has only 5-15 s of speech, so
a 45-90 s conversation re-uses each speaker's speech, cut at other places on every pass.

Each conversation NAME is written as:

- NAME.stereo.flac: one partner per channel, dry, with a little bleed of the other (per-partner);
- NAME.mono.flac: both partners through a simple room to one microphone (shared mic): a
  synthetic exponentially decaying impulse response per speaker (RT60 0.2-0.5 s), the two at
  different distances and levels, plus noise;
- NAME.truth.json: the truth record of sample_audio/README.md (schema listening-coach.truth/1).

Speakers are split once and for all into a "tune" and a "report" pool by a hash of their id,
and a conversation only pairs speakers of one pool.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import fftconvolve, resample_poly

from devtools.timeline import (
    BLEED_DELAY, CLIP_PEAK, GAP, LEAD_IN, PAUSE, PEAK_DBFS, SAMPLE_RATE, TAIL, Clip, Line, labels, layout,
    mix, track, truth,
)

CACHE = Path.home() / ".cache" / "listening-coach-dev"
CORPORA = ("librispeech", "commonvoice")
POOLS = ("tune", "report")
LENGTH = (45.0, 90.0)  # s, target length of a conversation
PIECE = (1.2, 6.0)  # s, target length range of one turn's piece of an utterance
PIECE_STRETCH = 3.0  # s a piece may run past its target while looking for a pause
CUT_PAUSE = 0.12  # s between two words at least, to cut there
EDGE_PAD = 0.08  # s of audio kept around a piece's first and last word
BACKCHANNEL_MAX = 0.7  # s, longest word used as a backchannel
BACKCHANNEL_MIN = 0.15  # s, shortest
BACKCHANNEL_AUDIBLE = 0.25  # s; shorter words are only taken when nothing else is left
BACKCHANNEL_WORDS = ("yes", "yeah", "no", "well", "oh", "right", "so", "okay", "ok", "now", "sure",
                     "and", "but", "true", "good", "fine", "mm", "hmm", "ah")
SILENCE_DB = -35.0  # dB below the loudest 20 ms frame that counts as silence when trimming
FRAME = 0.02  # s, frame of the trimming energy
MIN_SPEECH = {"librispeech": 8.0, "commonvoice": 3.0}  # s of trimmed speech a speaker needs
SAME_SEX_SHARE = 0.4  # share of conversations between two women or two men
INTERRUPTIBLE_WORDS = 5  # a piece with this many words can be interrupted
ROOM_RT60 = (0.2, 0.5)  # s
ROOM_VOLUME = (25.0, 60.0)  # m^3, sets the critical distance with the RT60
NEAR, FAR = (0.5, 1.2), (1.0, 2.5)  # m, distances of the nearer and the farther partner
LEVEL_SPREAD = 3.0  # dB, speaker loudness varies by up to this either way
ROOM_NOISE_DBFS = (-50.0, -40.0)  # RMS of the shared mic's noise
BLEED = (0.05, 0.15)  # amplitude of the other voice on each per-partner mic
SPEED_OF_SOUND = 343.0  # m/s

Word = tuple[str, float, float]  # (text, start s, end s)


@dataclass(frozen=True)
class Utterance:
    """One trimmed recording at SAMPLE_RATE, peak CLIP_PEAK, with its words' times (s)."""

    audio: np.ndarray
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Voice:
    """A speaker: `key` "corpus/id", sex "F" or "M" and their utterances."""

    key: str
    sex: str
    utterances: tuple[Utterance, ...]


@dataclass(frozen=True)
class SpeakerFiles:
    """A corpus speaker before loading: `key` "corpus/id", sex "F"/"M" and audio files."""

    key: str
    sex: str
    files: tuple[Path, ...]

    @property
    def corpus(self) -> str:
        return self.key.split("/")[0]


@dataclass(frozen=True)
class Conversation:
    """A conversation ready to lay out: lines, the clip of each (speaker, text), and the voices."""

    name: str
    seed: int
    lines: tuple[Line, ...]
    clips: dict[tuple[str, str], Clip]
    voices: dict[str, Voice]


def pool_of(key: str) -> str:
    """"tune" or "report": the pool of speaker `key`, fixed by a hash of the key."""
    return POOLS[hashlib.sha256(key.encode()).digest()[0] % 2]


def corpus_speakers(data_dir: Path) -> list[SpeakerFiles]:
    """Every LibriSpeech and Common Voice speaker with a known sex under `data_dir` (realspeech/)."""
    found = []
    libri = data_dir / "librispeech"
    sexes = {}
    for row in (libri / "SPEAKERS.TXT").read_text(encoding="utf-8", errors="replace").splitlines():
        fields = [f.strip() for f in row.split("|")]
        if not row.startswith(";") and len(fields) >= 2:
            sexes[fields[0]] = fields[1]
    by_speaker: dict[str, list[Path]] = {}
    for path in sorted(libri.glob("*.flac")):
        by_speaker.setdefault(path.name.split("-")[0], []).append(path)
    found += [SpeakerFiles(f"librispeech/{s}", sexes[s], tuple(files))
              for s, files in by_speaker.items() if sexes.get(s) in ("F", "M")]
    common = data_dir / "commonvoice"
    by_speaker, sex_of = {}, {}
    with open(common / "clips.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["gender"] in ("male", "female"):
                by_speaker.setdefault(row["speaker"], []).append(common / "clips" / row["path"])
                sex_of[row["speaker"]] = "M" if row["gender"] == "male" else "F"
    found += [SpeakerFiles(f"commonvoice/{s}", sex_of[s], tuple(files)) for s, files in by_speaker.items()]
    return found


# ----------------------------------------------------------------------------- utterances


def load_audio(path: Path) -> np.ndarray:
    """An audio file as mono float64 at SAMPLE_RATE."""
    data, rate = sf.read(str(path), dtype="float64", always_2d=True)
    mono = data.mean(axis=1)
    if rate != SAMPLE_RATE:
        g = np.gcd(rate, SAMPLE_RATE)
        mono = resample_poly(mono, SAMPLE_RATE // g, rate // g)
    return mono


def whisper_words(path: Path, cache_dir: Path) -> list[Word]:
    """Words of the file at `path` by faster-whisper tiny.en (word_timestamps), cached as JSON.

    The cache file is `cache_dir`/whisper-words.json, keyed by the file's path and size.
    """
    cache_file = cache_dir / "whisper-words.json"
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    key = f"{path.resolve()}:{path.stat().st_size}"
    if key not in cache:
        from listening_coach.transcribe import load_model

        segments, _ = load_model(None).transcribe(
            load_audio(path).astype(np.float32), language="en", beam_size=5, word_timestamps=True,
            condition_on_previous_text=False)
        cache[key] = [[w.word.strip(), round(w.start, 3), round(w.end, 3)]
                      for segment in segments for w in segment.words or () if w.word.strip()]
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cache_file.with_suffix(".partial")
        partial.write_text(json.dumps(cache, indent=0))
        partial.replace(cache_file)
    return [(str(text), float(start), float(end)) for text, start, end in cache[key]]


def speech_extent(audio: np.ndarray, loudest: float | None = None) -> tuple[int, int]:
    """First and one-past-last sample of the frames louder than SILENCE_DB below `loudest`.

    `loudest` is the reference RMS (that of the loudest FRAME of `audio` when None); (0, 0) if
    all is silent.
    """
    hop = round(FRAME * SAMPLE_RATE)
    n = len(audio) // hop
    if n == 0:
        return 0, 0
    rms = np.sqrt(np.mean(audio[:n * hop].reshape(n, hop) ** 2, axis=1))
    reference = rms.max() if loudest is None else loudest
    loud = np.flatnonzero(rms > reference * 10 ** (SILENCE_DB / 20))
    if len(loud) == 0 or reference == 0:
        return 0, 0
    return int(loud[0]) * hop, min(len(audio), (int(loud[-1]) + 1) * hop)


def prepare(audio: np.ndarray, words: Sequence[Word]) -> Utterance:
    """Trim leading and trailing silence, scale to peak CLIP_PEAK and shift the word times."""
    first, last = speech_extent(audio)
    if last <= first:
        return Utterance(np.zeros(0), ())
    audio = audio[first:last] * (CLIP_PEAK / max(np.max(np.abs(audio[first:last])), 1e-9))
    offset, length = first / SAMPLE_RATE, (last - first) / SAMPLE_RATE
    kept = tuple((text, max(0.0, s - offset), min(length, e - offset)) for text, s, e in words
                 if e - offset > 0 and s - offset < length)
    audio.flags.writeable = False
    return Utterance(audio, kept)


def load_voice(speaker: SpeakerFiles, cache_dir: Path) -> Voice:
    """A corpus speaker's utterances, trimmed, with Whisper word times (cached)."""
    utterances = tuple(prepare(load_audio(path), whisper_words(path, cache_dir)) for path in speaker.files)
    return Voice(speaker.key, speaker.sex, tuple(u for u in utterances if u.words))


def speech_seconds(voice: Voice) -> float:
    """Seconds of trimmed speech the voice has."""
    return sum(len(u.audio) for u in voice.utterances) / SAMPLE_RATE


# ----------------------------------------------------------------------------- pieces


def _piece(utterance: Utterance, first: int, last: int, loudest: float) -> Clip | None:
    """The words first..last (inclusive) of `utterance` as a trimmed clip (None if silent).

    Silence is judged against `loudest`, the RMS of the utterance's loudest frame.
    """
    words = utterance.words
    before = words[first - 1][2] if first > 0 else 0.0
    after = words[last + 1][1] if last + 1 < len(words) else len(utterance.audio) / SAMPLE_RATE
    start = max(before, words[first][1] - EDGE_PAD, (before + words[first][1]) / 2)
    end = min(after, words[last][2] + EDGE_PAD, max((words[last][2] + after) / 2, words[last][2]))
    a, b = round(start * SAMPLE_RATE), round(end * SAMPLE_RATE)
    lo, hi = speech_extent(utterance.audio[a:b], loudest)
    if hi - lo < round(0.1 * SAMPLE_RATE):
        return None
    offset = (a + lo) / SAMPLE_RATE
    texts = [w[0] for w in words[first:last + 1]]
    onsets, pos = [], 0
    for i, text in enumerate(texts):
        onset = words[first + i][1] - offset
        if i > 0 and 0 < onset < (hi - lo) / SAMPLE_RATE:
            onsets.append((pos, onset))
        pos += len(text) + 1
    audio = utterance.audio[a + lo:a + hi].copy()
    audio.flags.writeable = False
    return Clip(audio, tuple(onsets))


def _loudest(utterance: Utterance) -> float:
    """RMS of the loudest FRAME of the utterance (the reference of silence when trimming)."""
    hop = round(FRAME * SAMPLE_RATE)
    n = max(len(utterance.audio) // hop, 1)
    frames = np.resize(utterance.audio, n * hop).reshape(n, hop)
    return float(np.sqrt(np.mean(frames ** 2, axis=1)).max())


def pieces(utterance: Utterance, rng: np.random.Generator) -> list[tuple[str, Clip]]:
    """Cut `utterance` at word pauses into phrase-sized (text, clip) pieces of random lengths.

    A piece grows word by word until it is at least its target length (drawn from PIECE) and
    the next word starts CUT_PAUSE or more later; past PIECE_STRETCH beyond the target it is
    cut at the next word boundary whatever the pause.
    """
    words, loudest = utterance.words, _loudest(utterance)
    out, first = [], 0
    target = rng.uniform(*PIECE)
    for i, (_, start, end) in enumerate(words):
        length = end - words[first][1]
        last_word = i + 1 == len(words)
        pause = last_word or words[i + 1][1] - end >= CUT_PAUSE
        if last_word or (length >= target and pause) or length >= target + PIECE_STRETCH:
            clip = _piece(utterance, first, i, loudest)
            if clip is not None:
                out.append((" ".join(w[0] for w in words[first:i + 1]), clip))
            first, target = i + 1, rng.uniform(*PIECE)
    return out


def _normal(text: str) -> str:
    """A word in lower case without punctuation."""
    return re.sub(r"[^a-z0-9']", "", text.lower())


def backchannel_clips(voice: Voice, rng: np.random.Generator, count: int = 3) -> dict[str, Clip]:
    """Up to `count` short whole words of `voice` (BACKCHANNEL_MIN-MAX s), keyed by their text.

    Words of BACKCHANNEL_WORDS come first, then any short word of BACKCHANNEL_AUDIBLE s or more,
    then the shorter ones.
    """
    candidates = []
    for utterance in voice.utterances:
        loudest = _loudest(utterance)
        for i, (text, start, end) in enumerate(utterance.words):
            word = _normal(text)
            if word and BACKCHANNEL_MIN <= end - start <= BACKCHANNEL_MAX:
                rank = (word not in BACKCHANNEL_WORDS, end - start < BACKCHANNEL_AUDIBLE, rng.random())
                candidates.append((rank, word, utterance, i, loudest))
    chosen: dict[str, Clip] = {}
    for _, word, utterance, i, loudest in sorted(candidates, key=lambda c: c[0]):
        if len(chosen) == count:
            break
        clip = _piece(utterance, i, i, loudest)
        if word not in chosen and clip is not None and len(clip.audio) <= BACKCHANNEL_MAX * SAMPLE_RATE:
            chosen[word] = clip
    return chosen


# ----------------------------------------------------------------------------- conversations


def compose(name: str, voices: dict[str, Voice], seed: int) -> Conversation:
    """Lines for a 45-90 s conversation between voices "A" and "B" (placements drawn by `seed`).

    Speakers alternate; each turn is the next piece of its speaker's speech (the speech is cut
    again, at other places, whenever it runs out). Placement odds follow the espeak-ng generator:
    25 % interruption (of a piece with INTERRUPTIBLE_WORDS words or more), 15 % terminal overlap,
    10 % long pause, else a gap; a turn of 3 s or more gets up to two backchannels.
    """
    rng = np.random.default_rng(seed)
    clips: dict[tuple[str, str], Clip] = {}
    backchannels = {}
    for who in ("A", "B"):
        backchannels[who] = backchannel_clips(voices[who], rng)
        clips.update({(who, text): clip for text, clip in backchannels[who].items()})
    queues: dict[str, list[tuple[str, Clip]]] = {"A": [], "B": []}

    def next_piece(who: str) -> tuple[str, Clip]:
        if not queues[who]:
            for utterance in voices[who].utterances:
                queues[who] += pieces(utterance, rng)
            if not queues[who]:
                raise ValueError(f"{voices[who].key}: no speech long enough to make a turn")
        return queues[who].pop(0)

    def laid_out_length() -> float:
        timeline = layout(lines, seed, lambda text, who: clips[(who, text)], name)
        ends = [t.end for t in timeline.turns] + [s + len(a) for _, s, a, _ in timeline.backchannels]
        return max(ends) / SAMPLE_RATE + TAIL

    target = rng.uniform(*LENGTH)
    lines: list[Line] = []
    elapsed, speaker = LEAD_IN, "AB"[rng.integers(2)]
    # The estimate ignores what interruptions cut off, so the layout has the last word.
    while elapsed < target or laid_out_length() < target:
        text, clip = next_piece(speaker)
        clips.setdefault((speaker, text), clip)
        length = len(clips[(speaker, text)].audio) / SAMPLE_RATE
        prev = lines[-1] if lines else None
        place, roll = "gap", rng.random()
        if prev is not None:
            prev_length = len(clips[(prev.speaker, prev.text)].audio) / SAMPLE_RATE
            if roll < 0.25 and prev.min_words is not None and prev_length >= 2.5:
                place = "interrupt"
            elif roll < 0.4:
                place = "overlap"
            elif roll < 0.5:
                place = "pause"
        listener = "B" if speaker == "A" else "A"
        options = sorted(backchannels[listener])
        n_bc = int(rng.choice([0, 1, 2], p=[0.4, 0.45, 0.15])) if length >= 3.0 and options else 0
        bc = tuple(str(b) for b in rng.choice(options, size=min(n_bc, len(options)), replace=False)) \
            if n_bc else ()
        min_words = 2 if len(text.split()) >= INTERRUPTIBLE_WORDS else None
        lines.append(Line(speaker, text, labels(), place, bc, min_words))
        elapsed += length + np.mean(PAUSE if place == "pause" else GAP)
        speaker = listener
    return Conversation(name, seed, tuple(lines), clips, voices)


def impulse_response(rt60: float, distance: float, critical: float,
                     rng: np.random.Generator) -> np.ndarray:
    """A synthetic room response: a direct path 1/`distance` (m) and a decaying noise tail.

    The tail falls by 60 dB in `rt60` s and carries the energy of the diffuse field, 1/`critical`^2
    (the same at every distance), so the direct-to-reverberant ratio is (critical/distance)^2.
    """
    n = round(1.2 * rt60 * SAMPLE_RATE)
    delay = round(distance / SPEED_OF_SOUND * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    tail = rng.normal(size=n) * np.exp(-6.91 * t / rt60)
    tail[: round(0.0025 * SAMPLE_RATE)] = 0.0  # the first reflections come a little after the direct path
    tail *= (1.0 / critical) / np.sqrt(np.sum(tail ** 2))
    response = np.zeros(delay + n)
    response[delay] = 1.0 / distance
    response[delay:] += tail
    return response


def room_mix(tracks: dict[str, np.ndarray], rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Both partners' dry tracks through one room to one mic, plus noise: int16 (samples, 1).

    Returns the mix and a record of the room (RT60, distances, levels, noise).
    """
    rt60 = float(rng.uniform(*ROOM_RT60))
    critical = 0.057 * np.sqrt(rng.uniform(*ROOM_VOLUME) / rt60)
    near = "AB"[rng.integers(2)]
    n = len(tracks["A"])
    heard = np.zeros(n)
    record: dict = {"rt60": round(rt60, 3), "critical_distance": round(float(critical), 3),
                    "distance": {}, "level_db": {}}
    for who in ("A", "B"):
        distance = float(rng.uniform(*(NEAR if who == near else FAR)))
        level = float(rng.uniform(-LEVEL_SPREAD, LEVEL_SPREAD))
        response = impulse_response(rt60, distance, critical, rng)
        heard += fftconvolve(tracks[who], response)[:n] * 10 ** (level / 20)
        record["distance"][who], record["level_db"][who] = round(distance, 2), round(level, 1)
    noise_dbfs = float(rng.uniform(*ROOM_NOISE_DBFS))
    heard *= 10 ** (PEAK_DBFS / 20) / np.max(np.abs(heard))
    heard += rng.normal(0.0, 10 ** (noise_dbfs / 20), size=n)
    record["noise_dbfs"] = round(noise_dbfs, 1)
    return np.clip(np.round(heard * 32767), -32768, 32767).astype(np.int16)[:, None], record


def render(conversation: Conversation, out_dir: Path) -> Path:
    """Lay out `conversation`, write its stereo, mono (room) and truth files; return the truth path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    timeline = layout(conversation.lines, conversation.seed,
                      lambda text, who: conversation.clips[(who, text)], conversation.name)
    rng = np.random.default_rng([conversation.seed, 2])
    bleed = float(np.round(rng.uniform(*BLEED), 3))
    stereo, _ = mix(timeline, bleed, conversation.seed)
    n = len(stereo)
    mono, room = room_mix({who: track(timeline, who, n) for who in ("A", "B")}, rng)
    speakers = [{"id": who, "name": voice.key, "sex": voice.sex,
                 "speech_s": round(speech_seconds(voice), 2)}
                for who, voice in sorted(conversation.voices.items())]
    mixing = {"bleed": bleed, "bleed_delay": BLEED_DELAY, "peak_dbfs": PEAK_DBFS, "room": room}
    record = truth(conversation.name, timeline, n, speakers, mixing)
    sf.write(out_dir / record["files"]["stereo"], stereo, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
    sf.write(out_dir / record["files"]["mono"], mono, SAMPLE_RATE, format="FLAC", subtype="PCM_16")
    path = out_dir / f"{conversation.name}.truth.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def pairs(speakers: Sequence[SpeakerFiles], pool: str, count: int, seed: int,
          corpora: Sequence[str] = CORPORA) -> list[tuple[SpeakerFiles, SpeakerFiles]]:
    """`count` speaker pairs of one corpus and of `pool`, no speaker twice while others are left.

    Every fourth conversation is Common Voice (when both corpora are asked for), the rest
    LibriSpeech; SAME_SEX_SHARE of the pairs are two women or two men.
    """
    rng = np.random.default_rng([seed, 7])
    used: set[str] = set()
    out = []
    for i in range(count):
        corpus = corpora[-1] if len(corpora) > 1 and i % 4 == 3 else corpora[0]
        eligible = [s for s in speakers if s.corpus == corpus and pool_of(s.key) == pool]
        fresh = [s for s in eligible if s.key not in used] or eligible
        first = fresh[rng.integers(len(fresh))]
        same = rng.random() < SAME_SEX_SHARE
        partners = [s for s in fresh if s.key != first.key and (s.sex == first.sex) == same]
        partners = partners or [s for s in eligible if s.key != first.key and (s.sex == first.sex) == same]
        if not partners:
            partners = [s for s in eligible if s.key != first.key]
        second = partners[rng.integers(len(partners))]
        used |= {first.key, second.key}
        out.append((first, second))
    return out


def make_set(data_dir: Path, pool: str, count: int, seed: int, out_dir: Path, cache_dir: Path = CACHE,
             corpora: Sequence[str] = CORPORA) -> list[Path]:
    """Write `count` conversations of speaker pool `pool` into `out_dir`; return the truth paths.

    Speakers whose files last less than MIN_SPEECH (s) in all are passed over.
    """
    speakers = [s for s in corpus_speakers(data_dir)
                if sum(sf.info(str(f)).duration for f in s.files) >= MIN_SPEECH[s.corpus]]
    voices: dict[str, Voice] = {}
    paths = []
    for i, pair in enumerate(pairs(speakers, pool, count, seed, corpora)):
        for speaker in pair:
            if speaker.key not in voices:
                voices[speaker.key] = load_voice(speaker, cache_dir)
        name = f"{pool}-{seed}-{i:03d}"
        chosen = {"A": voices[pair[0].key], "B": voices[pair[1].key]}
        paths.append(render(compose(name, chosen, seed * 1000 + i), out_dir))
    return paths
