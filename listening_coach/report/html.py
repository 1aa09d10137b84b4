"""The HTML report: one self-contained page (inline CSS, SVG and script; nothing from the network).

It shows a timeline of who spoke when with overlaps and interruptions marked, each partner's scores
with links to the turns behind them, who interrupted whom, and every turn with its labels. Clicking
a turn plays it when the audio file is at hand.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader

from ..rubric import TECHNIQUES
from ..types import Analysis, Turn
from .common import caveat, clock, label_tags, rows, speaker_names

COLOURS = ("#2563eb", "#d97706", "#059669", "#9333ea")
"""Colour of each partner, in speaker order (blue and amber stay apart for colour-blind eyes)."""

LANE = 34
"""Height of one partner's lane in the timeline (px)."""

LEFT, RIGHT, TOP, AXIS = 76, 24, 8, 26
"""Timeline margins (px): names on the left, room for the last time label, space above, time axis below."""

MIN_WIDTH, MIN_PX_PER_SECOND = 900, 4
"""Narrowest timeline drawing (px) and the least horizontal space one second gets."""

TICK_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800)
"""Candidate seconds between time-axis labels; the first leaving 70 px between labels is used."""

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
        techniques=TECHNIQUES, scale=scale, ticks=_ticks(scale),
        overlaps=_overlaps(analysis.turns), who_interrupted=_who_interrupted(analysis, names),
        glance=_glance(analysis, names), doubt=caveat(analysis),
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
