"""Speaker ids and the padding of speech sent to Whisper, shared by both microphone set-ups."""

SPEAKER_IDS = ("A", "B")
"""Ids of the partners, in channel order (one mic each) or order of first speech (shared mic)."""

REGION_PAD = 0.25
"""Seconds of context kept around each speech region sent to Whisper."""
