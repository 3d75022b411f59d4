"""Data package ``coder.labels``: the CAMEO taxonomy and actor dictionaries (no code; see README.md)."""
