"""Development tools: benchmark scoring and conversation generators (not part of the package)."""
