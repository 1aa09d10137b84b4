"""listening-coach: offline coaching of a couple's listening from a recorded conversation."""

__version__ = "0.1.0"
