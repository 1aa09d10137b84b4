"""The `listening-coach` command line: each command turns a CoachError into one line and an exit code."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from . import __version__
from .errors import CoachError, InputError, MemoryShortage

MIC_CHOICES = ("auto", "shared", "per-partner")
"""Microphone set-ups: decide from the audio, one shared microphone, one microphone per partner."""

EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130

_NO_COLOR = bool(os.environ.get("NO_COLOR"))  # no-color.org: then no ANSI styling at all
stdout = Console(highlight=False, color_system=None if _NO_COLOR else "auto")
stderr = Console(stderr=True, highlight=False, color_system=None if _NO_COLOR else "auto")


def user_errors(command):
    """Show a CoachError as `listening-coach: message` on stderr and exit with its code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CoachError as error:
            stderr.print(f"listening-coach: {error}", markup=False, soft_wrap=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            stderr.print("listening-coach: stopped.")
            sys.exit(EXIT_INTERRUPTED)
        except Exception as error:  # a bug: say so briefly; LISTENING_COACH_DEBUG shows the traceback
            if isinstance(error, MemoryError) or "failed to map segment" in str(error):
                _out_of_memory()  # not a bug: no memory left for an array or to load a library
            if os.environ.get("LISTENING_COACH_DEBUG"):
                raise
            stderr.print(f"listening-coach: unexpected error ({type(error).__name__}: {error}). "
                         "Run again with LISTENING_COACH_DEBUG=1 and report the traceback.",
                         markup=False, soft_wrap=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper


def _out_of_memory() -> None:
    error = MemoryShortage("the computer ran out of memory; close other programs and try again, "
                           "or split a long recording into parts of about 30 minutes.")
    stderr.print(f"listening-coach: {error}", markup=False, soft_wrap=True)
    sys.exit(error.exit_code)


def parse_names(value: str | None) -> tuple[str, ...]:
    """'Sam,Alex' -> ('Sam', 'Alex'); empty names are refused."""
    if not value:
        return ()
    names = tuple(n.strip() for n in value.split(","))
    if any(not n for n in names) or len(names) > 2:
        raise InputError(f"--names '{value}': give one or two names separated by a comma, e.g. --names Sam,Alex.")
    return names


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 80})
@click.version_option(__version__, prog_name="listening-coach")
def main() -> None:
    """Coach a couple's listening from a recorded practice conversation, fully offline.

    \b
    Examples:
      listening-coach demo
      listening-coach analyze talk.wav --names Sam,Alex --html talk.html
    """


@main.command()
@click.argument("audio", type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write the analysis as JSON here.")
@click.option("--rttm", "rttm_path", type=click.Path(path_type=Path), help="Write who spoke when (RTTM) here.")
@click.option("--html", "html_path", type=click.Path(path_type=Path),
              help="Write the report as one self-contained HTML page here.")
@click.option("--names", help="Partner names, comma-separated: channel order, or order of first speech.")
@click.option("--mics", type=click.Choice(MIC_CHOICES), default="auto", show_default=True,
              help="One shared microphone, one per partner (stereo), or decide from the audio.")
@click.option("--speakers", "n_speakers", type=int, default=2, show_default=True,
              help="How many people speak (1 or 2).")
@click.option("--voice", "voice_files", multiple=True, metavar="NAME=FILE",
              help="A few seconds of one partner alone (shared mic); repeat for each partner.")
@click.option("--model", help="faster-whisper model: a local folder or a size name. [default: bundled tiny.en]")
@click.option("--no-save", is_flag=True, help="Do not keep this session in the history.")
@user_errors
def analyze(audio, json_path, rttm_path, html_path, names, mics, n_speakers, voice_files, model, no_save):
    """Analyse a recorded conversation and print a per-turn report.

    AUDIO is a WAV, FLAC, OGG or MP3 file with one channel (one shared
    microphone) or two (one microphone per partner).

    \b
    Examples:
      listening-coach analyze talk.wav
      listening-coach analyze talk.flac --names Sam,Alex --json talk.json
      listening-coach analyze talk.wav --html talk.html
      listening-coach analyze talk.wav --mics per-partner --rttm talk.rttm
      listening-coach analyze talk.wav --voice Sam=sam.wav --voice Alex=alex.wav
      listening-coach analyze talk.wav --model models/faster-whisper-base.en
    """
    from .pipeline import AnalyzeOptions

    options = AnalyzeOptions(mics=mics, model=model, names=parse_names(names),
                             n_speakers=_check_speakers(n_speakers))
    voices = _load_voices(voice_files)
    analysis = run_analysis(audio, options, voices)
    show_and_write(analysis, json_path=json_path, rttm_path=rttm_path, html_path=html_path)
    if not no_save:
        save_to_history(analysis, audio)


def _check_speakers(n_speakers: int) -> int:
    if n_speakers not in (1, 2):
        raise InputError(f"--speakers {n_speakers}: listening-coach follows one or two people; "
                         "use --speakers 1 for a monologue or 2 for a couple.")
    return n_speakers


def _load_voices(voice_files) -> dict:
    """Read each NAME=FILE enrollment clip into {name: 16 kHz mono samples}."""
    from .audio import load_audio

    voices = {}
    for item in voice_files:
        name, sep, file = item.partition("=")
        if not sep or not name.strip() or not file:
            raise InputError(f"--voice '{item}': write it as NAME=FILE, e.g. --voice Sam=sam.wav.")
        voices[name.strip()] = load_audio(file).mono
    return voices


def run_analysis(audio: Path, options, voices=None):
    """Run the pipeline with a progress bar (time left) on stderr."""
    from .progress import ProgressDisplay
    from .pipeline import analyze_audio

    with ProgressDisplay(stderr) as progress:
        return analyze_audio(audio, options, voices=voices or None, progress=progress)


def show_and_write(analysis, *, json_path=None, rttm_path=None, html_path=None) -> None:
    """Print the terminal report and write the requested files."""
    from .analysis_json import to_rttm, write_json, write_text_atomically
    from .report.html import audio_link, render_html
    from .report.terminal import render_terminal

    render_terminal(analysis, stdout)
    if json_path:
        write_json(analysis, json_path)
        stderr.print(f"Analysis written to {json_path}")
    if rttm_path:
        write_text_atomically(Path(rttm_path), to_rttm(analysis))
        stderr.print(f"Who-spoke-when written to {rttm_path}")
    if html_path:
        page = render_html(analysis, audio_link(analysis.audio.path, html_path))
        write_text_atomically(Path(html_path), page)
        stderr.print(f"HTML report written to {html_path}", markup=False, soft_wrap=True)


def save_to_history(analysis, audio: Path) -> int:
    """Keep the session in the history and say its id."""
    from .history import save_session

    session_id = save_session(analysis, Path(audio).resolve())
    stderr.print(f"Saved as session {session_id} ('listening-coach report {session_id}' shows it again).")
    return session_id


@main.command()
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the analysis as JSON here.")
@click.option("--html", "html_path", type=click.Path(path_type=Path),
              help="Also write the report as one self-contained HTML page here.")
@user_errors
def demo(json_path, html_path):
    """Analyse the bundled sample conversation and print its report.

    The session is not saved in the history.

    \b
    Examples:
      listening-coach demo
      listening-coach demo --html demo.html
    """
    from .pipeline import AnalyzeOptions
    from .samples import demo_recording

    path, names = demo_recording()
    stderr.print(f"Demo: analysing the bundled sample conversation {path.name}")
    analysis = run_analysis(path, AnalyzeOptions(names=names))
    show_and_write(analysis, json_path=json_path, html_path=html_path)


@main.command()
@click.argument("source", metavar="ANALYSIS.json|SESSION_ID")
@click.option("--html", "html_path", type=click.Path(path_type=Path),
              help="Also write the report as one self-contained HTML page here.")
@user_errors
def report(source, html_path):
    """Show the report of a saved session, or of an analysis saved with 'analyze --json'.

    Prints the summary per partner and every turn; --html also writes the
    page with the timeline, scores and turns (open it in any browser).

    \b
    Examples:
      listening-coach report talk.json
      listening-coach report talk.json --html talk.html
      listening-coach report 12          (session 12 of 'history')
    """
    show_and_write(load_analysis(source), html_path=html_path)


def load_analysis(source: str):
    """The analysis that SOURCE names: a session id from the history, or the path of a JSON file
    written by 'analyze --json'."""
    from .analysis_json import read_json
    from .history import get_session

    if source.isdigit() and not Path(source).exists():
        return get_session(int(source))
    return read_json(source)


@main.command()
@click.argument("input_path", metavar="INPUT.jsonl", type=click.Path(path_type=Path))
@click.option("--output", "output_path", type=click.Path(path_type=Path),
              help="Write the labels here instead of to standard output.")
@user_errors
def classify(input_path, output_path):
    """Label each utterance of a JSON Lines file (questions, reflections, validation ...).

    Each input line: {"id": ..., "text": ..., "context": [{"speaker": ..., "text": ...}]};
    the last context item is the partner's previous turn. Each output line:
    {"id": ..., "labels": {"question": "open"|"closed"|null, "reflection": true, ...}}.

    \b
    Example:
      listening-coach classify turns.jsonl --output labels.jsonl
    """
    from .classify import classify_file

    count = classify_file(input_path, output_path)
    if output_path is not None:
        stderr.print(f"Labelled {count} utterances into {output_path}")


@main.command()
@user_errors
def devices():
    """List the devices that can record, with channels and default rate.

    \b
    Examples:
      listening-coach devices
      listening-coach record --device 2
    """
    from rich.table import Table

    from .errors import DeviceError
    from .record import input_devices

    found = input_devices()
    if not found:
        raise DeviceError("no input device found: connect or enable a microphone.")
    table = Table("ID", "Name", "Channels", "Default rate", "Host API", box=None)
    for d in found:
        table.add_row(str(d.index), d.name + (" (default)" if d.is_default else ""),
                      str(d.channels), f"{d.default_rate:.0f} Hz", d.host_api)
    stdout.print(table)


@main.command()
@click.option("--device", help="Input device: its ID or part of its name (see 'devices'). [default: system default]")
@click.option("--channels", type=click.Choice(["1", "2"]),
              help="1 for one shared microphone, 2 for one per partner. [default: 2 if the device has them]")
@click.option("--duration", type=click.FloatRange(min=1), help="Stop after this many seconds.")
@click.option("--names", help="Partner names, comma-separated: channel order, or order of first speech.")
@click.option("--output", type=click.Path(path_type=Path),
              help="WAV file to write. [default: a new file in the history's recordings folder]")
@click.option("--mics", type=click.Choice(MIC_CHOICES), default="auto", show_default=True,
              help="How to read the channels when analysing (as for 'analyze').")
@click.option("--enroll", is_flag=True,
              help="First record each partner alone saying a sentence (needs --names), so that "
                   "a shared microphone's voices get the right names.")
@click.option("--no-save", is_flag=True, help="Analyse but do not keep this session in the history.")
@user_errors
def record(device, channels, duration, names, output, mics, enroll, no_save):
    """Record a conversation, then analyse it and save the session.

    Shows a level meter per channel; stop with Enter or Ctrl-C, or at
    --duration. Without a terminal only --duration or a signal (SIGINT,
    SIGTERM) stops it. The sound is written to disk as it is recorded, so a
    crash loses at most a fraction of a second.

    \b
    Examples:
      listening-coach record --names Sam,Alex
      listening-coach record --device 2 --channels 2 --duration 600
      listening-coach record --output talk.wav --no-save
      listening-coach record --channels 1 --names Sam,Alex --enroll
    """
    from .record import default_output, record as capture

    names = parse_names(names)
    if enroll and len(names) != 2:
        raise InputError("--enroll needs both partners' names, e.g. --names Sam,Alex.")
    channel_count = int(channels) if channels else None
    voice_paths = _enroll_voices(names, device, channel_count) if enroll else {}
    recorded = capture(output or default_output(), device=device, channels=channel_count,
                       duration=duration, console=stderr)
    stderr.print(f"Recorded {recorded.duration:.1f} s to {recorded.path}", markup=False, soft_wrap=True)
    from .pipeline import AnalyzeOptions  # after recording: loading the pipeline takes seconds

    try:
        voices = _load_voices(f"{name}={path}" for name, path in voice_paths.items())
    finally:
        for path in voice_paths.values():  # private clips, needed only to tell the voices apart
            path.unlink(missing_ok=True)
    analysis = run_analysis(recorded.path, AnalyzeOptions(mics=mics, names=names), voices)
    show_and_write(analysis)
    if not no_save:
        save_to_history(analysis, recorded.path)


ENROLL_SECONDS = 5.0
"""How long each partner speaks alone before the conversation when enrolling (s)."""


def _enroll_voices(names, device, channels) -> dict:
    """Record each partner alone for ENROLL_SECONDS; {name: path of their clip}."""
    from .record import default_output, record as capture

    base = default_output()
    voices = {}
    for number, name in enumerate(names, 1):
        stderr.print(f"{name}, please say a sentence or two on your own, e.g. what you did today.",
                     markup=False)
        clip = base.with_name(f"{base.stem}_voice{number}.wav")
        voices[name] = capture(clip, device=device, channels=channels, duration=ENROLL_SECONDS,
                               console=stderr).path
    stderr.print("Thank you. Now the conversation:")
    return voices


@main.command()
@click.option("--partner", help="Only sessions with this partner (name, any case).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Only sessions on or after this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the sessions as JSON instead of a table.")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path),
              help="Also write a row per partner per session here.")
@click.option("--plot", "plot_path", type=click.Path(path_type=Path),
              help="Also draw the interruption trend to this .png or .svg file.")
@user_errors
def history(partner, since, as_json, csv_path, plot_path):
    """Show saved sessions and each partner's interruption trend.

    Interruptions are shown raw and per 10 minutes of conversation, so
    sessions of different lengths compare fairly.

    \b
    Examples:
      listening-coach history
      listening-coach history --partner Sam --since 2025-01-01
      listening-coach history --json
      listening-coach history --csv sessions.csv --plot trend.png
    """
    import json

    from . import trends
    from .history import list_sessions

    if plot_path:
        trends.check_plot_path(plot_path)
    sessions = list_sessions(partner=partner, since=since.date() if since else None)
    if as_json:
        click.echo(json.dumps(trends.as_json(sessions), indent=2, ensure_ascii=False))
    elif sessions:
        trends.render_history(sessions, stdout)
    else:
        stderr.print("No sessions saved yet: 'listening-coach record' or 'analyze' adds them.")
    if csv_path:
        trends.write_csv(sessions, csv_path)
        stderr.print(f"Sessions written to {csv_path}", markup=False)
    if plot_path:
        trends.write_plot(sessions, plot_path)
        stderr.print(f"Trend plot written to {plot_path}", markup=False)


@main.group()
def sessions():
    """Manage saved sessions ('history' lists them)."""


@sessions.command("delete")
@click.argument("session_id", type=int)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@user_errors
def delete_session(session_id, yes):
    """Delete session SESSION_ID and its recording.

    The audio is deleted only when 'record' made it (it lives in the
    history's recordings folder); a file you analysed from elsewhere is kept.

    \b
    Examples:
      listening-coach sessions delete 12
      listening-coach sessions delete 12 --yes
    """
    from .history import delete_session as delete

    if not yes:
        click.confirm(f"Delete session {session_id}?", abort=True, err=True)
    deleted = delete(session_id)
    if deleted.audio_deleted:
        stderr.print(f"Deleted session {session_id} and its recording.")
    else:
        stderr.print(f"Deleted session {session_id}; its audio {deleted.audio_path} was kept "
                     "(not in the recordings folder, or already gone).", markup=False, soft_wrap=True)


if __name__ == "__main__":
    main()
