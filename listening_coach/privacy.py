"""Switches that keep third-party libraries from writing telemetry or reaching the network.

onnxruntime (1.29 and later, on Linux) writes a device id and an event database under
~/.cache/Microsoft and looks up a telemetry host unless ORT_DISABLE_TELEMETRY is set before it
starts; Hugging Face Hub sends telemetry and checks for model updates unless told otherwise.
`switch_off` must run before either library is imported: the package's `__init__` calls it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

QUIET = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "HF_HUB_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
}
"""Environment variables set (unless the user set them) before any library reads them."""

_USER_OFFLINE = os.environ.get("HF_HUB_OFFLINE")
"""HF_HUB_OFFLINE as the user set it (None when unset), read before `switch_off` sets it."""


def switch_off() -> None:
    """Set every QUIET variable the user has not set."""
    for name, value in QUIET.items():
        os.environ.setdefault(name, value)


@contextmanager
def model_download() -> Iterator[None]:
    """Let Hugging Face Hub go online while the user's own named model is fetched.

    Only the download the user asked for by name (`--model base.en`) runs inside this; telemetry
    stays off. A user who set HF_HUB_OFFLINE themselves is obeyed.
    """
    if _USER_OFFLINE is not None:
        yield
        return
    from huggingface_hub import constants

    os.environ["HF_HUB_OFFLINE"] = "0"
    constants.HF_HUB_OFFLINE = False
    try:
        yield
    finally:
        os.environ["HF_HUB_OFFLINE"] = "1"
        constants.HF_HUB_OFFLINE = True
