"""The HTML report: one self-contained page (inline CSS, SVG and script; nothing from the network).

It shows a timeline of who spoke when with overlaps and interruptions marked (with an overview of
the whole talk and a zoom when it is long), each partner's scores with links to the turns behind
them, who interrupted whom, and every turn with its labels. Clicking a turn plays it when the audio
file is at hand. Long talks stay readable: evidence lists show their first few turns and fold the
rest away, and the browser lays out only the turns on screen.
"""

from __future__ import annotations

import functools
import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader

from ..rubric import TECHNIQUES
from ..types import Analysis, Turn
from .common import caveat, clock, interruption_summary, label_tags, possible_interruptions, rows, speaker_names

COLOURS = ("#2563eb", "#d97706", "#059669", "#9333ea")
"""Colour of each partner, in speaker order (blue and amber stay apart for colour-blind eyes)."""

LANE = 34
"""Height of one partner's lane in the timeline (px)."""

NAMES_WIDTH = 76
"""Width of the partners' names beside the timeline (px); they stay put while the timeline scrolls."""

LEFT, RIGHT, TOP, AXIS = 20, 24, 8, 26
"""Timeline margins (px): room for the first and last time labels, space above, time axis below."""

MIN_WIDTH, MIN_PX_PER_SECOND = 820, 4
"""Narrowest timeline drawing (px) and the least horizontal space one second gets."""

TICK_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800)
"""Candidate seconds between time-axis labels; the first leaving 70 px between labels is used."""

OVERVIEW_TICKS = 8
"""Most time labels under the overview of a long talk."""

EVIDENCE_SHOWN = 6
"""Turns listed before an evidence list folds the rest behind "and N more"."""

_environment = Environment(loader=PackageLoader("listening_coach.report", "templates"), autoescape=True,
                           trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class Scale:
    """Seconds to timeline x (px) and partner to lane y (px)."""

    seconds: float
    px_per_second: float
    lanes: dict[str, int]

    def x(self, seconds: float) -> float:
        return round(LEFT + seconds * self.px_per_second, 1)

    def y(self, speaker: str) -> int:
        return TOP + self.lanes[speaker] * LANE

    @property
    def width(self) -> float:
        return self.x(self.seconds) + RIGHT

    @property
    def lanes_height(self) -> int:
        return len(self.lanes) * LANE

    @property
    def height(self) -> int:
        return TOP + self.lanes_height + AXIS


def render_html(analysis: Analysis, audio_href: str | None = None) -> str:
    """The report page for `analysis`; `audio_href` (relative or file:// URL) lets turns be played."""
    names = speaker_names(analysis)
    colours = {sid: COLOURS[i % len(COLOURS)] for i, sid in enumerate(names)}
    seconds = max([analysis.audio.duration, 1.0] + [t.end for t in analysis.turns]
                  + [b.end for b in analysis.backchannels])
    scale = Scale(seconds, max(MIN_PX_PER_SECOND, (MIN_WIDTH - LEFT - RIGHT) / seconds),
                  {sid: i for i, sid in enumerate(names)})
    cut = {i.cut_turn: i for i in analysis.interruptions}
    return _environment.get_template("report.html.j2").render(
        analysis=analysis, names=names, colours=colours, audio_href=audio_href,
        clock=clock, label_tags=label_tags, rows=rows(analysis), cut=cut,
        techniques=TECHNIQUES, scale=scale, ticks=_ticks(scale), tick_steps=TICK_STEPS, names_width=NAMES_WIDTH,
        overview=scale.width > MIN_WIDTH + 1, overview_ticks=_overview_ticks(seconds),
        shown=EVIDENCE_SHOWN, evidence_chips=functools.partial(_evidence_chips, analysis),
        interruption_chips=_interruption_chips(analysis, names),
        overlaps=_overlaps(analysis.turns), who_interrupted=_who_interrupted(analysis, names),
        glance=_glance(analysis, names), doubt=caveat(analysis),
        interruptions=interruption_summary(analysis), unsure=len(possible_interruptions(analysis)),
    )


def audio_link(audio: str | Path, page: str | Path) -> str | None:
    """How the page at `page` refers to the recording at `audio`: a relative URL when both are on
    one drive, else a file:// URI; None when the recording is not at hand."""
    audio, page = Path(audio).resolve(), Path(page).resolve()
    if not audio.is_file():
        return None
    try:
        return quote(Path(os.path.relpath(audio, page.parent)).as_posix())
    except ValueError:  # another drive (Windows)
        return audio.as_uri()


def _ticks(scale: Scale) -> list[float]:
    step = next((s for s in TICK_STEPS if s * scale.px_per_second >= 70), TICK_STEPS[-1])
    return [i * step for i in range(math.floor(scale.seconds / step) + 1)]


def _overview_ticks(seconds: float) -> list[float]:
    """Times (s) labelled under the overview: at most `OVERVIEW_TICKS`, on a round step."""
    step = next((s for s in TICK_STEPS if seconds / s < OVERVIEW_TICKS), TICK_STEPS[-1])
    return [i * step for i in range(math.floor(seconds / step) + 1)]


def _evidence_chips(analysis: Analysis, evidence: tuple[int, ...]) -> list[tuple[int, str, str]]:
    """(turn index, start time, tooltip) of each turn behind a score, in time order."""
    starts = {t.index: t.start for t in analysis.turns}
    return [(n, clock(starts[n]), f"turn #{n}") if n in starts else (n, f"#{n}", f"turn #{n}")
            for n in sorted(evidence, key=lambda n: starts.get(n, math.inf))]


def _interruption_chips(analysis: Analysis, names: dict[str, str]) -> list[tuple[int, str, str]]:
    """(interrupting turn, "time A → B", sentence) of each interruption, in time order."""
    return [(i.turn, f"{clock(i.time)} {names[i.interrupter]} → {names[i.interrupted]}",
             f"{names[i.interrupter]} interrupted {names[i.interrupted]} at {clock(i.time)}")
            for i in sorted(analysis.interruptions, key=lambda i: i.time)]


def _overlaps(turns: tuple[Turn, ...]) -> list[tuple[float, float]]:
    """(start, end) of every stretch where turns of two partners overlap, in time order."""
    ordered = sorted(turns, key=lambda t: t.start)
    found = []
    for i, turn in enumerate(ordered):
        for later in ordered[i + 1:]:
            if later.start >= turn.end:
                break
            if later.speaker != turn.speaker:
                found.append((later.start, min(turn.end, later.end)))
    return found


def _who_interrupted(analysis: Analysis, names: dict[str, str]) -> list[tuple[str, str, int]]:
    """(interrupter, interrupted, count) for every ordered pair of partners, most first."""
    counts = Counter((i.interrupter, i.interrupted) for i in analysis.interruptions)
    pairs = [(a, b, counts[a, b]) for a in names for b in names if a != b]
    return sorted(pairs, key=lambda p: -p[2])


def _glance(analysis: Analysis, names: dict[str, str]) -> list[dict]:
    """Per partner: id, name, score (or None) and whom they interrupted how often [(name, count)]."""
    made = Counter((i.interrupter, i.interrupted) for i in analysis.interruptions)
    return [{"id": sid, "name": name, "score": analysis.scores.get(sid),
             "interrupted": [(names[b], made[sid, b]) for b in names if made[sid, b]]}
            for sid, name in names.items()]
