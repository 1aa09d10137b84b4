"""The `listening-coach` command line: one handler (CoachGroup) turns every error, click's own included,
into one line on stderr and an exit code; every output path is checked before the work starts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console

from . import __version__
from .errors import CoachError, InputError, MemoryShortage

MIC_CHOICES = ("auto", "shared", "per-partner")
"""Microphone set-ups: decide from the audio, one shared microphone, one microphone per partner."""

SPEAKER_CHOICES = ("auto", "1", "2")
"""How many people speak: decide from the voices heard (one or two), or say so."""

EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130

_NO_COLOR = bool(os.environ.get("NO_COLOR"))  # no-color.org: then no ANSI styling at all
stdout = Console(highlight=False, color_system=None if _NO_COLOR else "auto")
stderr = Console(stderr=True, highlight=False, color_system=None if _NO_COLOR else "auto")


class CoachGroup(click.Group):
    """The command group whose `main` turns every error, click's own included, into one line on
    stderr and an exit code (see errors.py); no command handles errors itself."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort as error:
            if isinstance(error.__cause__, KeyboardInterrupt):
                return _fail("stopped.", EXIT_INTERRUPTED, standalone_mode)
            return _fail("stopped; nothing was changed.", EXIT_INTERRUPTED, standalone_mode)
        except click.ClickException as error:
            hint = ""
            context = getattr(error, "ctx", None)
            if context is not None:
                hint = f" (see '{context.command_path} --help')"
            message = " ".join(error.format_message().split())
            return _fail(f"{message}{hint}", max(error.exit_code, 2), standalone_mode)
        except CoachError as error:
            return _fail(str(error), error.exit_code, standalone_mode)
        except KeyboardInterrupt:
            return _fail("stopped.", EXIT_INTERRUPTED, standalone_mode)
        except Exception as error:  # a bug: say so briefly; LISTENING_COACH_DEBUG shows the traceback
            if isinstance(error, MemoryError) or "failed to map segment" in str(error):
                return _fail(OUT_OF_MEMORY, MemoryShortage.exit_code, standalone_mode)
            if os.environ.get("LISTENING_COACH_DEBUG"):
                raise
            return _fail(f"unexpected error ({type(error).__name__}: {error}). Run again with "
                         "LISTENING_COACH_DEBUG=1 and report the traceback.", EXIT_INTERNAL,
                         standalone_mode)
        code = result if isinstance(result, int) else 0  # an int only from --help / --version
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message: str, code: int, standalone_mode: bool) -> int:
    """Print `listening-coach: message` as one line on stderr; exit with `code` (or return it)."""
    stderr.print(f"listening-coach: {' '.join(message.split())}", markup=False, soft_wrap=True)
    if standalone_mode:
        sys.exit(code)
    return code


OUT_OF_MEMORY = ("the computer ran out of memory; close other programs and try again, or split a "
                 "long recording into parts of about 30 minutes.")
"""What a MemoryError is told as: not a bug, no memory left for an array or to load a library."""

MAX_NAME = 40
"""Longest partner name, in characters."""


def parse_names(value: str | None, option: str = "--names") -> tuple[str, ...]:
    """'Sam,Alex' -> ('Sam', 'Alex'); see `check_name` for what a name may be."""
    if value is None:
        return ()
    names = tuple(n.strip() for n in value.split(","))
    if len(names) > 2 or any(not n for n in names):
        raise InputError(f"{option} '{value}': give one or two names separated by a comma, "
                         "e.g. --names Sam,Alex.")
    for name in names:
        check_name(name, option)
    if len(names) == 2 and names[0].casefold() == names[1].casefold():
        raise InputError(f"{option} '{value}': the two partners need different names, "
                         "e.g. --names Sam,Alex.")
    return names


def check_name(name: str, option: str) -> None:
    """Refuse a partner name that is empty, too long, holds control characters (terminal escapes)
    or square brackets (terminal styling), or starts like a spreadsheet formula."""
    import unicodedata

    shown = name.encode("unicode_escape").decode("ascii")
    if not name:
        raise InputError(f"{option}: a partner's name is empty; give a name, e.g. Sam.")
    if len(name) > MAX_NAME:
        raise InputError(f"{option} '{shown[:MAX_NAME]}...': names are at most {MAX_NAME} characters.")
    if any(unicodedata.category(c).startswith("C") for c in name) or any(c in name for c in "[]"):
        raise InputError(f"{option} '{shown}': a name cannot hold control characters or square "
                         "brackets; use letters, digits and spaces.")
    if name.startswith(("=", "+", "-", "@")):
        raise InputError(f"{option} '{shown}': a name cannot start with '{name[0]}'; start it with "
                         "a letter.")


@click.group(cls=CoachGroup, context_settings={"help_option_names": ["-h", "--help"],
                                               "max_content_width": 80})
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
@click.option("--speakers", "n_speakers", type=click.Choice(SPEAKER_CHOICES), default="auto",
              show_default=True, help="How many people speak: decide from the voices, 1 or 2.")
@click.option("--voice", "voice_files", multiple=True, metavar="NAME=FILE",
              help="A few seconds of one partner alone (shared mic); repeat for each partner.")
@click.option("--model", help="faster-whisper model: a local folder or a size name. [default: bundled tiny.en]")
@click.option("--no-save", is_flag=True, help="Do not keep this session in the history.")
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
    names = parse_names(names)
    voice_files = _parse_voices(voice_files)
    n_speakers = _speaker_count(n_speakers, names, voice_files)
    _check_counts(names, voice_files, n_speakers)
    inputs = [audio, *voice_files.values()]
    outputs = check_outputs(inputs, json=json_path, rttm=rttm_path, html=html_path)
    if not no_save:
        check_history()
    from .pipeline import AnalyzeOptions  # after the checks: loading the pipeline takes seconds

    options = AnalyzeOptions(mics=mics, model=model, names=names, n_speakers=n_speakers)
    voices = _load_voices(voice_files)
    analysis = run_analysis(audio, options, voices)
    finish(analysis, outputs, audio if not no_save else None)


def _speaker_count(choice: str, names: tuple[str, ...], voices: dict) -> int | None:
    """How many people speak: as --speakers says, else as many as the names or voices given, else
    None (decided from the voices heard)."""
    if choice != "auto":
        return int(choice)
    return len(names) or len(voices) or None


def _parse_voices(voice_files) -> dict[str, Path]:
    """Each NAME=FILE of --voice as {name: file}; names checked as for --names."""
    voices: dict[str, Path] = {}
    for item in voice_files:
        name, sep, file = item.partition("=")
        name = name.strip()
        if not sep or not name or not file:
            raise InputError(f"--voice '{item}': write it as NAME=FILE, e.g. --voice Sam=sam.wav.")
        check_name(name, "--voice")
        if name.casefold() in (n.casefold() for n in voices):
            raise InputError(f"--voice {name}: given twice; give one clip per partner.")
        voices[name] = Path(file)
    return voices


def _check_counts(names: tuple[str, ...], voices: dict, n_speakers: int | None) -> None:
    """Before the work: as many names and voice clips as partners, when they are given."""
    if n_speakers is None:
        return
    if names and len(names) != n_speakers:
        raise InputError(f"--names gives {len(names)} name(s) for {n_speakers} partner(s) "
                         f"(--speakers {n_speakers}); give one name per partner, e.g. "
                         + ("--names Sam,Alex." if n_speakers == 2 else "--names Sam."))
    if voices and len(voices) != n_speakers:
        raise InputError(f"--voice is given for {len(voices)} partner(s) of {n_speakers}; give one "
                         "clip per partner, e.g. --voice Sam=sam.wav --voice Alex=alex.wav.")
    if names and voices and {n.casefold() for n in names} != {n.casefold() for n in voices}:
        raise InputError("--names and --voice name different partners; use the same names in both.")


def _load_voices(voice_files: dict[str, Path]) -> dict:
    """Read each enrollment clip into {name: 16 kHz mono samples}."""
    from .audio import load_audio

    return {name: load_audio(file).mono for name, file in voice_files.items()}


def check_outputs(inputs, **paths) -> dict:
    """Check every requested output before the work (see `outputs`); {option name: Output}.

    At most one of them may be "-" (standard output), and no two may be the same file.
    """
    from .outputs import check_output

    outputs = {name: check_output(f"--{name}", path, inputs=inputs, stdout_ok=name != "plot")
               for name, path in paths.items() if path is not None}
    if sum(o.to_stdout for o in outputs.values()) > 1:
        raise InputError("only one output can go to standard output ('-'); give file names to the others.")
    files = [o.path.resolve() for o in outputs.values() if not o.to_stdout]
    if len(set(files)) < len(files):
        raise InputError("two outputs are given the same file; give each its own name.")
    return outputs


def check_history() -> None:
    """Before the work: the history can be opened (a damaged or unwritable one is said now)."""
    from .history import check_database

    check_database()


def run_analysis(audio: Path, options, voices=None):
    """Run the pipeline with a progress bar (time left) on stderr."""
    from .progress import ProgressDisplay
    from .pipeline import analyze_audio

    with ProgressDisplay(stderr) as progress:
        return analyze_audio(audio, options, voices=voices or None, progress=progress)


WRITTEN = {"json": "Analysis", "rttm": "Who-spoke-when", "html": "HTML report"}


def show_and_write(analysis, outputs: dict) -> None:
    """Print the terminal report (on stderr when an output takes stdout) and write `outputs`."""
    from .analysis_json import to_json, to_rttm
    from .outputs import write_output
    from .report.html import audio_link, render_html
    from .report.terminal import render_terminal

    render_terminal(analysis, stderr if any(o.to_stdout for o in outputs.values()) else stdout)
    for name, output in outputs.items():
        if name == "json":
            text = to_json(analysis)
        elif name == "rttm":
            text = to_rttm(analysis)
        else:
            page = output.path or Path.cwd() / "report.html"
            text = render_html(analysis, audio_link(analysis.audio.path, page))
        write_output(output, text)
        stderr.print(f"{WRITTEN[name]} written to {output}", markup=False, soft_wrap=True)


def finish(analysis, outputs: dict, saved_audio: Path | None) -> None:
    """Save the session (unless `saved_audio` is None), then show and write the report.

    The session is saved first, so a file that cannot be written loses no analysis; that
    error then says how to write the files again from the history.
    """
    session_id = save_to_history(analysis, saved_audio) if saved_audio is not None else None
    try:
        show_and_write(analysis, outputs)
    except InputError as error:
        if session_id is None:
            raise
        raise InputError(f"{error} The session was saved as {session_id}: 'listening-coach report "
                         f"{session_id} --html PATH' writes its report again.") from None


def save_to_history(analysis, audio: Path) -> int | None:
    """Keep the session in the history and say its id (None when only one partner was heard)."""
    from .history import save_session

    if len(analysis.speakers) < 2:
        stderr.print("Only one voice was heard, so this is not saved as a couple's session.")
        return None

    session_id = save_session(analysis, Path(audio).resolve())
    stderr.print(f"Saved as session {session_id} ('listening-coach report {session_id}' shows it again).")
    return session_id


@main.command()
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the analysis as JSON here.")
@click.option("--html", "html_path", type=click.Path(path_type=Path),
              help="Also write the report as one self-contained HTML page here.")
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
    outputs = check_outputs([path], json=json_path, html=html_path)
    stderr.print(f"Demo: analysing the bundled sample conversation {path.name}")
    analysis = run_analysis(path, AnalyzeOptions(names=names))
    show_and_write(analysis, outputs)


@main.command()
@click.argument("source", metavar="ANALYSIS.json|SESSION_ID")
@click.option("--html", "html_path", type=click.Path(path_type=Path),
              help="Also write the report as one self-contained HTML page here.")
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
    is_id = _is_session_id(source)
    outputs = check_outputs([] if is_id else [source], html=html_path)
    analysis = load_analysis(source)
    try:
        show_and_write(analysis, outputs)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
        # the file's structure was right but a value is not (a time that is text, say)
        what = f"session {source}" if is_id else source
        raise InputError(f"{what}: the analysis holds a value of the wrong kind ({error}); "
                         "analyse the recording again.") from None


def _is_session_id(source: str) -> bool:
    return source.isascii() and source.isdigit() and not Path(source).exists()


def load_analysis(source: str):
    """The analysis that SOURCE names: a session id from the history, or the path of a JSON file
    written by 'analyze --json'."""
    from .analysis_json import read_json
    from .history import get_session

    if _is_session_id(source):
        return get_session(int(source))
    return read_json(source)


@main.command()
@click.argument("input_path", metavar="INPUT.jsonl", type=click.Path(path_type=Path))
@click.option("--output", "output_path", type=click.Path(path_type=Path),
              help="Write the labels here instead of to standard output.")
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
    from .record import check_recording_path, default_output, record as capture

    names = parse_names(names)
    if enroll and len(names) != 2:
        raise InputError("--enroll needs both partners' names, e.g. --names Sam,Alex.")
    path = check_recording_path(output) if output else default_output()
    if not no_save:
        check_history()
    channel_count = int(channels) if channels else None
    voice_paths = _enroll_voices(names, device, channel_count) if enroll else {}
    recorded = capture(path, device=device, channels=channel_count, duration=duration, console=stderr)
    stderr.print(f"Recorded {recorded.duration:.1f} s to {recorded.path}", markup=False, soft_wrap=True)
    try:
        analyse_recording(recorded.path, names, mics, voice_paths, save=not no_save)
    except BaseException:
        _say_where_recording_is(recorded.path, "the analysis did not finish")
        raise
    if no_save:
        _say_where_recording_is(recorded.path, "--no-save keeps it out of the history")


def analyse_recording(path: Path, names, mics: str, voice_paths: dict, *, save: bool) -> None:
    """Analyse what `record` made, removing the enrollment clips once read; save it if `save`."""
    from .pipeline import AnalyzeOptions  # after recording: loading the pipeline takes seconds

    try:
        voices = _load_voices(voice_paths)
    finally:
        for clip in voice_paths.values():  # private clips, needed only to tell the voices apart
            clip.unlink(missing_ok=True)
    analysis = run_analysis(path, AnalyzeOptions(mics=mics, names=names), voices)
    finish(analysis, {}, path if save else None)


def _say_where_recording_is(path: Path, why: str) -> None:
    """Tell where an unsaved recording is kept, since 'sessions delete' cannot reach it."""
    import shlex

    stderr.print(f"The recording is kept at {path} ({why}); 'listening-coach analyze "
                 f"{shlex.quote(str(path))}' analyses it again, 'rm {shlex.quote(str(path))}' "
                 "deletes it.", markup=False, soft_wrap=True)


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

    from .outputs import write_output

    if plot_path:
        trends.check_plot_path(plot_path)
    outputs = check_outputs([], csv=csv_path, plot=plot_path)
    if as_json and "csv" in outputs and outputs["csv"].to_stdout:
        raise InputError("--json and --csv - both print on standard output; give --csv a file name.")
    sessions = list_sessions(partner=partner, since=since.date() if since else None)
    table = stderr if "csv" in outputs and outputs["csv"].to_stdout else stdout
    if as_json:
        click.echo(json.dumps(trends.as_json(sessions), indent=2, ensure_ascii=False))
    elif sessions:
        trends.render_history(sessions, table)
    else:
        stderr.print("No sessions saved yet: 'listening-coach record' or 'analyze' adds them.")
    if "csv" in outputs:
        write_output(outputs["csv"], trends.to_csv(sessions))
        stderr.print(f"Sessions written to {outputs['csv']}", markup=False)
    if "plot" in outputs:
        write_output(outputs["plot"], trends.plot(sessions, plot_path.suffix[1:].lower()))
        stderr.print(f"Trend plot written to {plot_path}", markup=False)


@main.group()
def sessions():
    """Manage saved sessions ('history' lists them)."""


@sessions.command("delete")
@click.argument("session_id", type=int)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
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
        try:
            answer = click.confirm(f"Delete session {session_id}?", err=True)
        except click.exceptions.Abort:  # no answer: standard input closed
            stderr.print()  # end the prompt's line
            raise InputError(f"no answer to 'Delete session {session_id}?'; nothing was deleted "
                             "(add --yes to delete without asking).") from None
        if not answer:
            stderr.print("Nothing was deleted.")
            return
    deleted = delete(session_id)
    if deleted.audio_deleted:
        stderr.print(f"Deleted session {session_id} and its recording.")
    else:
        stderr.print(f"Deleted session {session_id}; its audio {deleted.audio_path} was kept "
                     "(not in the recordings folder, or already gone).", markup=False, soft_wrap=True)


if __name__ == "__main__":
    main()
