"""Record a conversation from a microphone, streamed to a WAV file while it is captured.

sounddevice (PortAudio) is imported only when a device is needed, so every other command works on
machines without audio. A writer thread takes the blocks PortAudio delivers and appends them to
the file every `FLUSH_INTERVAL`; the WAV header is patched after each append, so a crash or
`kill -9` leaves a complete, readable file missing at most the last fraction of a second.
"""

from __future__ import annotations

import math
import os
import queue
import signal
import sys
import threading
import wave
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from .errors import DeviceError, InputError

RATES = (16000, 48000, 44100)
"""Sample rates tried in order (Hz) before the device's own default."""
FLUSH_INTERVAL = 0.1
"""Seconds between appends to the file (and level meter updates)."""
SILENCE_DBFS = -50.0
SILENCE_WARNING = 5.0
"""Seconds with nothing above SILENCE_DBFS on any channel before a warning."""
FULL_SCALE = 32767
METER_FLOOR = -60.0
METER_WIDTH = 40
PA_DEVICE_UNAVAILABLE = -9985
START_TIMEOUT = 10.0
"""Seconds to wait for the first sound from the device."""


@dataclass(frozen=True)
class InputDevice:
    """A device that can record: PortAudio index, name, input channels, default rate (Hz)."""

    index: int
    name: str
    host_api: str
    channels: int
    default_rate: float
    is_default: bool


@dataclass(frozen=True)
class Recorded:
    """The file written, its length (s), sample rate (Hz) and channels."""

    path: Path
    duration: float
    sample_rate: int
    channels: int


def _sounddevice():
    """The sounddevice module, or a DeviceError naming the missing PortAudio library."""
    try:
        import sounddevice
    except OSError:
        raise DeviceError("the PortAudio library is not installed, so no microphone can be used; "
                          "install it (Debian/Ubuntu: sudo apt install libportaudio2; macOS: brew "
                          "install portaudio) or analyse a file recorded elsewhere.") from None
    return sounddevice


def input_devices() -> list[InputDevice]:
    """Every device with at least one input channel."""
    sd = _sounddevice()
    apis = sd.query_hostapis()
    default = sd.default.device[0]
    return [
        InputDevice(index=d["index"], name=d["name"], host_api=apis[d["hostapi"]]["name"],
                    channels=d["max_input_channels"], default_rate=d["default_samplerate"],
                    is_default=d["index"] == default)
        for d in sd.query_devices() if d["max_input_channels"] > 0
    ]


def default_output() -> Path:
    """A new file in the data directory's recordings folder, named by the current time and the
    process id, so that two recordings started in the same second get different names."""
    from .history import recordings_dir

    return recordings_dir() / f"{datetime.now():%Y-%m-%d_%H%M%S}_{os.getpid()}.wav"


def check_recording_path(path: Path) -> Path:
    """`--output` for a recording: a new .wav file in a folder that can be written.

    Raises
    ------
    InputError
        The name does not end in .wav, the file exists, or the path is refused by `outputs`.
    """
    from .outputs import check_output

    if path.suffix.lower() != ".wav":
        raise InputError(f"--output {path}: 'record' writes WAV; give a name ending in .wav "
                         "(convert it afterwards, e.g. 'sox talk.wav talk.flac').")
    if path.exists() or path.is_symlink():
        raise InputError(f"--output {path}: already exists; choose another --output.")
    return check_output("--output", path).path


def record(
    path: Path,
    *,
    device: str | None = None,
    channels: int | None = None,
    duration: float | None = None,
    console: Console,
) -> Recorded:
    """Record from `device` (index or part of its name; default input when None) into `path`.

    `channels` defaults to two when the device has them. Stops after `duration` seconds, on
    SIGINT/SIGTERM, or on Enter when standard input is a terminal. A live level meter and warnings
    about silence and clipping go to `console`.
    """
    sd = _sounddevice()
    info = _input_device(sd, device)
    channels = channels or min(2, info["max_input_channels"])
    if channels > info["max_input_channels"]:
        raise DeviceError(f"{info['name']} has {info['max_input_channels']} input channel(s); "
                          f"--channels {channels} needs more.")
    rate = _sample_rate(sd, info, channels)
    stop = threading.Event()
    writer = _WavWriter(path, rate, channels, limit=round(duration * rate) if duration else None,
                        on_full=stop.set)
    try:
        stream = sd.InputStream(device=info["index"], channels=channels, samplerate=rate,
                                dtype="int16", callback=writer.callback)
        stream.start()
    except sd.PortAudioError as error:
        writer.abandon()
        raise _open_error(info["name"], error) from None
    if not writer.started.wait(START_TIMEOUT):  # some sound servers take a second or two
        stream.close()
        writer.abandon()
        raise DeviceError(f"no sound arrives from {info['name']} after {START_TIMEOUT:.0f} s; check "
                          "that it is connected and not used by another program.")

    hint = _stop_hint(duration, stop)
    console.print(f"Recording {channels} channel(s) at {rate} Hz from {info['name']} to {path}",
                  markup=False, soft_wrap=True)
    previous = _on_signals(stop)
    try:
        with Live(writer.meter.render(hint), console=console, transient=True,
                  refresh_per_second=10) as live:
            while not stop.wait(FLUSH_INTERVAL):
                for warning in writer.meter.new_warnings():
                    live.console.print(f"Warning: {warning}", style="yellow", markup=False)
                live.update(writer.meter.render(hint))
    finally:
        stream.close()
        _restore_signals(previous)
        writer.close()
    if writer.overflows:
        console.print(f"Warning: {writer.overflows} block(s) of sound were dropped because the "
                      "computer was busy.", style="yellow")
    if writer.frames == 0:
        path.unlink(missing_ok=True)
        raise DeviceError(f"nothing was recorded from {info['name']}; check the microphone and "
                          "'listening-coach devices'.")
    return Recorded(path=path, duration=writer.frames / rate, sample_rate=rate, channels=channels)


def _input_device(sd, device: str | None) -> dict:
    spec = int(device) if device is not None and device.isdigit() else device
    try:
        info = sd.query_devices(spec, "input")
    except (ValueError, sd.PortAudioError):
        if spec is None:
            raise DeviceError("no input device found: connect or enable a microphone (is it "
                              "muted or blocked in the system's privacy settings?).") from None
        raise DeviceError(f"--device {device}: no such input device; 'listening-coach devices' "
                          "lists them.") from None
    if info["max_input_channels"] < 1:
        raise DeviceError(f"--device {device}: {info['name']} cannot record (no input channels); "
                          "'listening-coach devices' lists the ones that can.")
    return info


def _sample_rate(sd, info: dict, channels: int) -> int:
    """The first rate of RATES, then the device default, that the device accepts (Hz)."""
    for rate in (*RATES, int(info["default_samplerate"])):
        try:
            sd.check_input_settings(device=info["index"], channels=channels, samplerate=rate,
                                    dtype="int16")
            return rate
        except (ValueError, sd.PortAudioError):
            continue
    raise DeviceError(f"{info['name']} accepts none of the sample rates tried "
                      f"({', '.join(map(str, RATES))} Hz or its default) with {channels} channel(s).")


def _open_error(name: str, error: Exception) -> DeviceError:
    code = error.args[1] if len(error.args) > 1 else None
    if code == PA_DEVICE_UNAVAILABLE:
        return DeviceError(f"{name} is busy: another program is using it; close that program "
                           "(a call, another recorder) and try again.")
    return DeviceError(f"cannot open {name} for recording ({error}); 'listening-coach devices' "
                       "lists the devices and their channels.")


def _stop_hint(duration: float | None, stop: threading.Event) -> str:
    """Start watching for Enter when it can stop the recording; say how to stop."""
    if sys.stdin is not None and sys.stdin.isatty():
        threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
        until = f" or at {_clock(duration)}" if duration else ""
        return f"Stop with Enter or Ctrl-C{until}."
    if duration:
        return f"Stops at {_clock(duration)} (or on Ctrl-C / SIGTERM)."
    return f"Stop with Ctrl-C or 'kill {os.getpid()}'."


def _on_signals(stop: threading.Event) -> dict:
    """Make SIGINT and SIGTERM end the recording cleanly; returns the handlers they replace."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    return previous


def _restore_signals(previous: dict) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class _WavWriter:
    """Appends int16 blocks from the PortAudio callback to a 0600 WAV file from a thread.

    `limit` is the number of frames after which `on_full` is called and further sound dropped.
    """

    def __init__(self, path: Path, rate: int, channels: int, *, limit: int | None, on_full) -> None:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise InputError(f"{path}: already exists; choose another --output.") from None
        except OSError as error:
            raise InputError(f"{path}: cannot create the recording ({error.strerror}).") from None
        self.path = path
        self._file = os.fdopen(fd, "wb")
        self._wav = wave.open(self._file, "wb")
        self._wav.setnchannels(channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(rate)
        self._wav.writeframes(b"")  # the header, so an early kill still leaves a valid file
        self._limit = limit
        self._on_full = on_full
        self._blocks: queue.Queue[np.ndarray] = queue.Queue()
        self._closing = threading.Event()
        self.started = threading.Event()
        self.frames = 0
        self.overflows = 0
        self.meter = LevelMeter(channels, rate)
        self._thread = threading.Thread(target=self._run, name="wav-writer", daemon=True)
        self._thread.start()

    def callback(self, indata, frames, time_info, status) -> None:
        """PortAudio's callback: queue a copy of the block (runs on the audio thread)."""
        if status.input_overflow:
            self.overflows += 1
        self._blocks.put(indata.copy())
        self.started.set()

    def _run(self) -> None:
        while not self._closing.wait(FLUSH_INTERVAL):
            self._append_queued()
        self._append_queued()

    def _append_queued(self) -> None:
        blocks = []
        while True:
            try:
                blocks.append(self._blocks.get_nowait())
            except queue.Empty:
                break
        if not blocks:
            return
        data = np.concatenate(blocks)
        if self._limit is not None:
            data = data[: max(0, self._limit - self.frames)]
        if len(data):
            self._wav.writeframes(data.tobytes())  # also rewrites the header's lengths
            self.frames += len(data)
            self.meter.update(data, self.frames)
        if self._limit is not None and self.frames >= self._limit:
            self._on_full()

    def close(self) -> None:
        """Write what is queued, fix the header and close the file."""
        self._closing.set()
        self._thread.join()
        self._wav.close()
        self._file.close()

    def abandon(self) -> None:
        """Close and remove the file when recording could not start."""
        self.close()
        self.path.unlink(missing_ok=True)


class LevelMeter:
    """Per-channel peak levels (dBFS) of the latest audio, and warnings about silence and clipping."""

    def __init__(self, channels: int, rate: int) -> None:
        self._rate = rate
        self._lock = threading.Lock()
        self.levels = [-math.inf] * channels
        self.elapsed = 0.0
        self._last_sound = 0.0
        self._silence_warned = False
        self._clipped = [0] * channels
        self._clip_warned = [False] * channels
        self._warnings: list[str] = []

    def update(self, block: np.ndarray, total_frames: int) -> None:
        """Take a block of int16 samples (frames x channels); `total_frames` recorded so far."""
        peaks = np.abs(block.astype(np.int32)).max(axis=0)
        with self._lock:
            self.elapsed = total_frames / self._rate
            self.levels = [20 * math.log10(p / 32768) if p else -math.inf for p in peaks]
            if max(self.levels) > SILENCE_DBFS:
                self._last_sound = self.elapsed
                self._silence_warned = False
            elif self.elapsed - self._last_sound >= SILENCE_WARNING and not self._silence_warned:
                self._silence_warned = True
                self._warnings.append(
                    f"nothing above {SILENCE_DBFS:.0f} dBFS for {SILENCE_WARNING:.0f} s: is the "
                    "microphone on, unmuted and the one chosen? ('listening-coach devices')")
            for channel, peak in enumerate(peaks):
                if peak >= FULL_SCALE:
                    full = np.abs(block[:, channel].astype(np.int32)) >= FULL_SCALE
                    self._clipped[channel] += int(full.sum())
                    if not self._clip_warned[channel]:
                        self._clip_warned[channel] = True
                        self._warnings.append(
                            f"channel {channel + 1} is clipping (sound at full scale): turn its "
                            "input gain down or move the microphone further away.")

    def new_warnings(self) -> list[str]:
        """Warnings raised since the last call."""
        with self._lock:
            warnings, self._warnings = self._warnings, []
        return warnings

    def render(self, hint: str) -> Group:
        """A bar per channel from METER_FLOOR to 0 dBFS, the elapsed time and how to stop."""
        with self._lock:
            levels, elapsed, clipped = list(self.levels), self.elapsed, list(self._clipped)
        lines = []
        for channel, level in enumerate(levels):
            fill = 0 if level == -math.inf else round(METER_WIDTH * max(0.0, 1 - level / METER_FLOOR))
            colour = "red" if level > -1 else "yellow" if level > -12 else "green"
            line = Text(f"ch{channel + 1} ")
            line.append("█" * fill, style=colour)
            line.append("·" * (METER_WIDTH - fill), style="dim")
            line.append(f" {level:6.1f} dBFS" if level > -math.inf else "   silent")
            if clipped[channel]:
                line.append(" CLIP", style="bold red")
            lines.append(line)
        lines.append(Text(f"{_clock(elapsed)} recorded. {hint}"))
        return Group(*lines)
