"""Interruption, backchannel, talk-share and latency accuracy on seeded synthetic conversations.

Makes COUNT random conversations with scripts/make_conversations.py (espeak-ng needed), analyses
the stereo file (one mic per partner) and the mono mix (shared mic), and compares with the script:

- interruptions: precision, recall, F1; a found one matches a true one of the same interrupter
  whose onset is within 1 s (one-to-one);
- backchannels: precision and recall; a match is the same listener within 0.5 s;
- talk share: absolute error in points (partner A's share);
- latency: mean absolute error (s) over true changes of speaker matched to a found turn;
- terminal overlaps counted as interruptions (should be 0);
- word attribution: the share of transcribed word time given to the partner who speaks at the
  word's midpoint (words at no scripted speech are not scored);
- shared mic: the share of the speech heard as two voices (median and max over the talks).

With a shared microphone (and no enrollment voices) the pipeline's ids "A"/"B" follow the order of
first speech, not the script's partners, so each conversation's found ids are first renamed by the
one-to-one mapping under which found and true speech share the most time (as a DER scorer does).
The scoring helpers are in devtools/scoring.py.

    python benchmarks/interaction.py --count 20 --seed 7
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]  # measure this checkout, whatever is installed

from devtools.scoring import (  # noqa: E402
    match, parse_rttm, speaker_mapping, talk_share, truth_segments, word_attribution,
)

ONSET_TOLERANCE = 1.0
BACKCHANNEL_TOLERANCE = 0.5


def latency_errors(truth: dict, analysis, rename: dict[str, str]) -> list[float]:
    turns = sorted(truth["turns"], key=lambda t: t["start"])
    errors = []
    for previous, turn in zip(turns, turns[1:]):
        if previous["speaker"] == turn["speaker"]:
            continue
        expected = turn["start"] - previous["end"]
        candidates = [t for t in analysis.turns if rename.get(t.speaker) == turn["speaker"] and t.latency is not None
                      and abs(t.start - turn["start"]) <= ONSET_TOLERANCE]
        if candidates:
            found = min(candidates, key=lambda t: abs(t.start - turn["start"]))
            errors.append(abs(found.latency - expected))
    return errors


def evaluate(truth_paths: list[Path], mics: str) -> dict:
    from listening_coach.analysis_json import to_rttm
    from listening_coach.pipeline import AnalyzeOptions, analyze_audio

    totals = dict(int_found=0, int_true=0, int_hit=0, bc_found=0, bc_true=0, bc_hit=0, terminal=0,
                  right=0.0, scored=0.0)
    share_errors, latencies, two_voice_shares = [], [], []
    for path in truth_paths:
        truth = json.loads(path.read_text())
        audio = path.parent / truth["files"]["stereo" if mics == "per-partner" else "mono"]
        analysis = analyze_audio(audio, AnalyzeOptions(mics=mics))
        ref = truth_segments(truth)
        rename = speaker_mapping(ref, parse_rttm(to_rttm(analysis))) if mics == "shared" else {"A": "A", "B": "B"}
        found = [(rename.get(i.interrupter), i.time) for i in analysis.interruptions]
        expected = [(i["interrupter"], i["time"]) for i in truth["interruptions"]]
        totals["int_found"] += len(found)
        totals["int_true"] += len(expected)
        totals["int_hit"] += match(found, expected, ONSET_TOLERANCE)
        terminal = [(o["speaker"], o["time"]) for o in truth["terminal_overlaps"]]
        totals["terminal"] += match(found, terminal, 0.5)
        found_bc = [(rename.get(b.speaker), b.start) for b in analysis.backchannels]
        true_bc = [(b["speaker"], b["start"]) for b in truth["backchannels"]]
        totals["bc_found"] += len(found_bc)
        totals["bc_true"] += len(true_bc)
        totals["bc_hit"] += match(found_bc, true_bc, BACKCHANNEL_TOLERANCE)
        share = sum(s.talk_share for s in analysis.stats if rename.get(s.id) == "A")
        share_errors.append(abs(share - talk_share(ref, "A")) * 100)
        latencies += latency_errors(truth, analysis, rename)
        words = [(t.speaker, w.start, w.end) for t in analysis.turns for w in t.words]
        scored = word_attribution(words, ref, rename)
        if scored["n"]:
            totals["right"] += scored["time"] * scored["seconds"]
            totals["scored"] += scored["seconds"]
        if analysis.two_voice_share is not None:
            two_voice_shares.append(analysis.two_voice_share)
    return {"totals": totals, "share_errors": share_errors, "latency_errors": latencies,
            "two_voice_shares": two_voice_shares}


def ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def report(mics: str, result: dict) -> None:
    t = result["totals"]
    ip, ir = ratio(t["int_hit"], t["int_found"]), ratio(t["int_hit"], t["int_true"])
    f1 = 2 * ip * ir / (ip + ir) if ip + ir else 0.0
    bp, br = ratio(t["bc_hit"], t["bc_found"]), ratio(t["bc_hit"], t["bc_true"])
    shares, lat = result["share_errors"], result["latency_errors"]
    print(f"{mics:>12}  interruptions P {ip:.2f} R {ir:.2f} F1 {f1:.2f} ({t['int_true']} true)  "
          f"terminal overlaps counted: {t['terminal']}")
    print(f"{'':>12}  backchannels  P {bp:.2f} R {br:.2f} ({t['bc_true']} true)")
    print(f"{'':>12}  word time given to the right partner: {ratio(t['right'], t['scored']):.3f}")
    print(f"{'':>12}  talk share error: mean {sum(shares) / len(shares):.1f} max {max(shares):.1f} points")
    print(f"{'':>12}  latency error: mean {sum(lat) / max(len(lat), 1):.2f} s over {len(lat)} changes of speaker")
    if result["two_voice_shares"]:
        heard = sorted(result["two_voice_shares"])
        print(f"{'':>12}  speech heard as two voices: median {heard[len(heard) // 2]:.3f} max {heard[-1]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mics", nargs="+", default=["per-partner", "shared"],
                        choices=["per-partner", "shared"])
    args = parser.parse_args()
    if args.count < 1:
        parser.error(f"--count must be at least 1, got {args.count}")
    from make_conversations import espeak_available, random_conversations

    if not espeak_available():
        sys.exit("espeak-ng is needed to make the conversations (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as folder:
        paths = random_conversations(args.count, args.seed, folder)
        print(f"{len(paths)} conversations, seed {args.seed}")
        for mics in args.mics:
            report(mics, evaluate(paths, mics))


if __name__ == "__main__":
    main()
