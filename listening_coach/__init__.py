"""listening-coach: offline coaching of a couple's listening from a recorded conversation."""

from .privacy import switch_off as _switch_off

_switch_off()  # before onnxruntime or Hugging Face Hub is imported anywhere

__version__ = "0.1.0"
