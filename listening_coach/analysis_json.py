"""The analysis as JSON (schema `listening-coach.analysis/1`, documented in docs/json-format.md) and RTTM."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .errors import InputError
from .types import (
    Analysis, AudioInfo, Backchannel, Interruption, Labels, Overlap, PartnerScore, Span, Speaker,
    SpeakerStats, TechniqueScore, Turn, Word,
)

SCHEMA = "listening-coach.analysis/1"


def to_dict(analysis: Analysis) -> dict[str, Any]:
    """The analysis as plain JSON-ready data."""
    return {
        "schema": SCHEMA,
        "audio": asdict(analysis.audio),
        "mics": analysis.mics,
        "model": analysis.model,
        "two_voice_share": analysis.two_voice_share,
        "voices_heard": analysis.voices_heard,
        "voice": {speaker: [[s.start, s.end] for s in spans] for speaker, spans in analysis.voice.items()},
        "speakers": [asdict(s) for s in analysis.stats],
        "turns": [_turn_dict(t) for t in analysis.turns],
        "interruptions": [
            {"time": i.time, "interrupter": i.interrupter, "interrupted": i.interrupted, "turn": i.turn,
             "cut_turn": i.cut_turn, "overlap": i.overlap, "cut_off_text": i.cut_off_text,
             "took_floor": i.took_floor}
            for i in analysis.interruptions
        ],
        "backchannels": [
            {"time": b.start, "end": b.end, "speaker": b.speaker, "text": b.text}
            for b in analysis.backchannels
        ],
        "overlaps": [asdict(o) for o in analysis.overlaps],
        "pauses": [asdict(p) for p in analysis.pauses],
        "scores": {
            speaker: {
                "overall": score.overall,
                "techniques": {name: {"score": t.score, "evidence": list(t.evidence),
                                      "explanation": t.explanation}
                               for name, t in score.techniques.items()},
                "strength": score.strength,
                "tip": score.tip,
            }
            for speaker, score in analysis.scores.items()
        },
    }


def _turn_dict(turn: Turn) -> dict[str, Any]:
    return {
        "index": turn.index, "speaker": turn.speaker, "start": turn.start, "end": turn.end,
        "text": turn.text, "reply_to": turn.reply_to, "latency": turn.latency,
        "interruption": turn.interruption,
        "words": [{"text": w.text, "start": w.start, "end": w.end, "probability": w.probability}
                  for w in turn.words],
        "labels": asdict(turn.labels),
    }


def _labels(data: dict[str, Any]) -> Labels:
    """Labels from their JSON object; files written before `possible` existed have none."""
    return Labels(**{**data, "possible": tuple(data.get("possible", ()))})


def from_dict(data: dict[str, Any], source: str = "analysis") -> Analysis:
    """Rebuild an `Analysis` from `to_dict` output; InputError names `source` when it does not fit."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InputError(f"{source}: not a listening-coach analysis (expected schema '{SCHEMA}'); "
                         "make one with 'listening-coach analyze AUDIO --json PATH'.")
    try:
        stats = tuple(SpeakerStats(**s) for s in data["speakers"])
        turns = tuple(
            Turn(index=t["index"], speaker=t["speaker"], start=t["start"], end=t["end"],
                 words=tuple(Word(speaker=t["speaker"], **w) for w in t["words"]),
                 reply_to=t["reply_to"], latency=t["latency"], interruption=t["interruption"],
                 labels=_labels(t["labels"]))
            for t in data["turns"]
        )
        return Analysis(
            audio=AudioInfo(**data["audio"]),
            mics=data["mics"],
            speakers=tuple(Speaker(s.id, s.name) for s in stats),
            turns=turns,
            interruptions=tuple(Interruption(**i) for i in data["interruptions"]),
            backchannels=tuple(Backchannel(speaker=b["speaker"], start=b["time"], end=b["end"], text=b["text"])
                               for b in data["backchannels"]),
            stats=stats,
            overlaps=tuple(Overlap(**o) for o in data.get("overlaps", [])),
            pauses=tuple(Span(**p) for p in data.get("pauses", [])),
            scores={
                speaker: PartnerScore(
                    overall=s["overall"],
                    techniques={n: TechniqueScore(t["score"], tuple(t["evidence"]), t["explanation"])
                                for n, t in s["techniques"].items()},
                    strength=s["strength"], tip=s["tip"])
                for speaker, s in data["scores"].items()
            },
            model=data.get("model", ""),
            two_voice_share=_share(data.get("two_voice_share")),
            voices_heard=_count(data.get("voices_heard")),
            voice={speaker: tuple(Span(float(a), float(b)) for a, b in spans)
                   for speaker, spans in data.get("voice", {}).items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as error:
        raise InputError(f"{source}: the analysis is incomplete or damaged ({error!r}); "
                         "analyse the recording again.") from None


def _share(value: Any) -> float | None:
    """`value` if it is a share (a number from 0 to 1) or None; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"two_voice_share must be a number from 0 to 1, not {value!r}")
    return float(value)


def to_json(analysis: Analysis) -> str:
    """The analysis as the text of a JSON file."""
    return json.dumps(to_dict(analysis), indent=2, ensure_ascii=False) + "\n"


def write_json(analysis: Analysis, path: str | Path) -> None:
    """Write the analysis to `path` (0600, atomically; unsafe paths refused: see `outputs`)."""
    from .outputs import check_output, write_output

    write_output(check_output("--json", path), to_json(analysis))


def read_json(path: str | Path) -> Analysis:
    """Read an analysis written by `write_json`."""
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        raise InputError(f"{path}: is not a regular file (a FIFO or device); give the JSON written "
                         "by 'analyze --json'.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; give the JSON written by 'analyze --json'.") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give the JSON file written by 'analyze --json'.") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read it ({error.strerror}); give the JSON written by "
                         "'analyze --json'.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not valid JSON ({error}); give the file written by 'analyze --json'.") from None
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to be an analysis; give the file written by "
                         "'analyze --json'.") from None
    return from_dict(data, str(path))


def _count(value: Any) -> int | None:
    """`value` if it is a count of voices (a whole number from 0) or None; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"voices_heard must be a whole number, not {value!r}")
    return value


def to_rttm(analysis: Analysis) -> str:
    """Who spoke when, one RTTM SPEAKER line per stretch of each speaker's voice, named by speaker id.

    Analyses saved before voice activity was kept give their turns and backchannels instead.
    """
    uri = Path(analysis.audio.path).stem.replace(" ", "_") or "audio"
    if analysis.voice:
        spans = [(s.start, s.end, speaker) for speaker, voice in analysis.voice.items() for s in voice]
    else:
        spans = [(t.start, t.end, t.speaker) for t in analysis.turns]
        spans += [(b.start, b.end, b.speaker) for b in analysis.backchannels]
    return "".join(
        f"SPEAKER {uri} 1 {start:.3f} {end - start:.3f} <NA> <NA> {speaker} <NA> <NA>\n"
        for start, end, speaker in sorted(spans)
    )
