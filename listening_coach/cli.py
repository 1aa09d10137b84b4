"""The `listening-coach` command line: each command turns a CoachError into one line and an exit code."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from . import __version__
from .errors import CoachError, InputError

EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


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
            if os.environ.get("LISTENING_COACH_DEBUG"):
                raise
            stderr.print(f"listening-coach: unexpected error ({type(error).__name__}: {error}). "
                         "Run again with LISTENING_COACH_DEBUG=1 and report the traceback.",
                         markup=False, soft_wrap=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper


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
@click.option("--names", help="Partner names, comma-separated: channel order, or order of first speech.")
@click.option("--mics", type=click.Choice(["auto", "shared", "per-partner"]), default="auto", show_default=True,
              help="One shared microphone, one per partner (stereo), or decide from the audio.")
@click.option("--speakers", "n_speakers", type=int, default=2, show_default=True,
              help="How many people speak (1 or 2).")
@click.option("--voice", "voice_files", multiple=True, metavar="NAME=FILE",
              help="A few seconds of one partner alone (shared mic); repeat for each partner.")
@click.option("--model", help="faster-whisper model: a local folder or a size name. [default: bundled tiny.en]")
@click.option("--no-save", is_flag=True, help="Do not keep this session in the history.")
@user_errors
def analyze(audio, json_path, rttm_path, names, mics, n_speakers, voice_files, model, no_save):
    """Analyse a recorded conversation and print a per-turn report.

    AUDIO is a WAV, FLAC, OGG or MP3 file with one channel (one shared
    microphone) or two (one microphone per partner).

    \b
    Examples:
      listening-coach analyze talk.wav
      listening-coach analyze talk.flac --names Sam,Alex --json talk.json
      listening-coach analyze talk.wav --mics per-partner --rttm talk.rttm
      listening-coach analyze talk.wav --voice Sam=sam.wav --voice Alex=alex.wav
      listening-coach analyze talk.wav --model models/faster-whisper-base.en
    """
    from .pipeline import AnalyzeOptions

    options = AnalyzeOptions(mics=mics, model=model, names=parse_names(names),
                             n_speakers=_check_speakers(n_speakers))
    voices = _load_voices(voice_files)
    analysis = run_analysis(audio, options, voices)
    show_and_write(analysis, json_path=json_path, rttm_path=rttm_path)


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


def show_and_write(analysis, *, json_path=None, rttm_path=None) -> None:
    """Print the terminal report and write the requested files."""
    from .analysis_json import to_rttm, write_json, write_text_atomically
    from .report.terminal import render_terminal

    render_terminal(analysis, stdout)
    if json_path:
        write_json(analysis, json_path)
        stderr.print(f"Analysis written to {json_path}")
    if rttm_path:
        write_text_atomically(Path(rttm_path), to_rttm(analysis))
        stderr.print(f"Who-spoke-when written to {rttm_path}")


@main.command()
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the analysis as JSON here.")
@user_errors
def demo(json_path):
    """Analyse the bundled sample conversation and print its report.

    \b
    Example:
      listening-coach demo
    """
    from .pipeline import AnalyzeOptions
    from .samples import demo_recording

    path, names = demo_recording()
    stderr.print(f"Demo: analysing the bundled sample conversation {path.name}")
    analysis = run_analysis(path, AnalyzeOptions(names=names))
    show_and_write(analysis, json_path=json_path)


if __name__ == "__main__":
    main()
