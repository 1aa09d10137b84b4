"""Speech models shipped inside the package as ONNX files, run with onnxruntime on the CPU.

Each model file lies beside a licence notice of its own (`<name>.LICENSE.txt`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ..errors import ModelError

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
import onnxruntime  # noqa: E402  (after the telemetry switch, which it reads at start-up)

MODEL_FOLDER = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def session(filename: str) -> onnxruntime.InferenceSession:
    """A CPU inference session for the shipped model `filename`, made once per process."""
    path = MODEL_FOLDER / filename
    if not path.is_file():
        raise ModelError(f"{path}: the shipped speech model is missing; reinstall listening-coach "
                         "(pip install --force-reinstall listening-coach).")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = min(2, os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.enable_cpu_mem_arena = False  # an arena keeps its largest batch's memory: 180 MB more at peak
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime raises its own, undocumented exception types
        raise ModelError(f"{path}: cannot load the shipped speech model ({error}); reinstall "
                         "listening-coach.") from error
