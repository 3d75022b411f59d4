"""Data package holding the shipped default model (``default/``)."""
