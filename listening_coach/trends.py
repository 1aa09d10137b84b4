"""The history shown to the user: a table and interruption trend, JSON, CSV and a plot."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from .errors import InputError
from .history import SessionSummary

SPARKS = "▁▂▃▄▅▆▇█"
CSV_FIELDS = ("session", "recorded_at", "duration_s", "partner", "interruptions_made",
              "interruptions_per_10_min", "times_interrupted", "talk_share", "open_questions",
              "reflections", "score")


def as_json(sessions: list[SessionSummary]) -> list[dict]:
    """The sessions as JSON-ready data, one entry per session with its partners' figures."""
    return [{"id": s.id, "recorded_at": s.recorded_at.isoformat(timespec="seconds"),
             "duration": s.duration, "audio_path": s.audio_path,
             "partners": [asdict(p) for p in s.partners]}
            for s in sessions]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def csv_text(value: str) -> str:
    """`value` made inert for spreadsheets: a leading formula character gets a quote before it."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_rows(sessions: list[SessionSummary]) -> list[dict]:
    """One row per partner per session, keyed by CSV_FIELDS; names cannot start a formula."""
    return [dict(zip(CSV_FIELDS, (
        s.id, s.recorded_at.isoformat(timespec="seconds"), round(s.duration, 1), csv_text(p.name),
        p.interruptions_made, p.interruptions_per_10_min, p.times_interrupted,
        round(p.talk_share, 3), p.open_questions, p.reflections, p.score)))
        for s in sessions for p in s.partners]


def to_csv(sessions: list[SessionSummary]) -> str:
    """`csv_rows` as the text of a CSV file with a header line."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(sessions))
    return buffer.getvalue()


def trends(sessions: list[SessionSummary]) -> dict[str, list[tuple[datetime, int, float]]]:
    """Per partner name: (date, interruptions made, per 10 minutes) for each session, oldest first."""
    series: dict[str, list[tuple[datetime, int, float]]] = {}
    for s in sessions:
        for p in s.partners:
            series.setdefault(p.name, []).append(
                (s.recorded_at, p.interruptions_made, p.interruptions_per_10_min))
    return series


def sparkline(values: list[float]) -> str:
    """Values as block characters scaled from 0 to their maximum."""
    top = max(values, default=0) or 1
    return "".join(SPARKS[min(len(SPARKS) - 1, int(v / top * (len(SPARKS) - 1) + 0.5))] for v in values)


def render_history(sessions: list[SessionSummary], console) -> None:
    """Print the sessions as a table (a row per partner) and each partner's interruption trend."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, padding=0, show_edge=False, title="Sessions")
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Min", justify="right", no_wrap=True)
    table.add_column("Partner", max_width=12, overflow="ellipsis", no_wrap=True)
    from rich.text import Text

    for header in ("Inter-\nruptions", "per\n10 min", "Was\ncut off", "Talk", "Open\nQs",
                   "Reflec-\ntions", "Score"):
        table.add_column(header, justify="right", no_wrap=True)
    for s in sessions:
        for n, p in enumerate(s.partners):
            first = n == 0
            table.add_row(
                str(s.id) if first else "", f"{s.recorded_at:%Y-%m-%d}" if first else "",
                f"{s.duration / 60:.1f}" if first else "", Text(printable(p.name)), str(p.interruptions_made),
                f"{p.interruptions_per_10_min:.1f}", str(p.times_interrupted),
                f"{p.talk_share:.0%}", str(p.open_questions), str(p.reflections),
                "-" if p.score is None else str(p.score),
                end_section=n == len(s.partners) - 1)
    console.print(table)
    console.print("Interruptions made, oldest session first (raw, and per 10 minutes):")
    for name, points in trends(sessions).items():
        raw = [count for _, count, _ in points]
        rate = [per for _, _, per in points]
        console.print(f"  {printable(name)[:12]:<12} {sparkline(rate[-20:])}  "
                      f"{rate[0]:.1f} -> {rate[-1]:.1f} per 10 min, {raw[0]} -> {raw[-1]} raw, "
                      f"{len(points)} session(s)", markup=False)


def printable(text: str) -> str:
    """`text` with control characters (terminal escapes among them) shown as '?'."""
    import unicodedata

    return "".join("?" if unicodedata.category(c).startswith("C") else c for c in text)


def check_plot_path(path: Path) -> None:
    """Refuse a plot file that is neither .png nor .svg."""
    if path.suffix.lower() not in (".png", ".svg"):
        raise InputError(f"--plot {path}: give a file ending in .png or .svg.")


def plot(sessions: list[SessionSummary], file_format: str) -> bytes:
    """Each partner's interruptions (raw and per 10 minutes) by date, as a "png" or "svg" file."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import dates as mdates, pyplot
    from matplotlib.ticker import MaxNLocator

    figure, (raw_axes, rate_axes) = pyplot.subplots(2, 1, sharex=True, figsize=(8, 6))
    for name, points in trends(sessions).items():
        dates = [when for when, _, _ in points]
        raw_axes.plot(dates, [count for _, count, _ in points], marker="o", label=name)
        rate_axes.plot(dates, [per for _, _, per in points], marker="o", label=name)
    raw_axes.set_title("Interruptions made per session")
    raw_axes.set_ylabel("interruptions")
    rate_axes.set_ylabel("per 10 minutes")
    rate_axes.set_xlabel("session date")
    for axes in (raw_axes, rate_axes):
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
    raw_axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    locator = mdates.AutoDateLocator()
    rate_axes.xaxis.set_major_locator(locator)
    rate_axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    raw_axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=file_format)
    pyplot.close(figure)
    return buffer.getvalue()
