"""Typed exceptions. Library code raises these; only the CLI turns them into messages and exit codes."""

from __future__ import annotations


class CoderError(Exception):
    """Base class of every error the coder reports to a user."""

    exit_code = 1


class DataFileError(CoderError):
    """A data file (taxonomy, actor dictionary, label file) is malformed; the message names file and line."""

    exit_code = 3

    def __init__(self, path: object, line: int, problem: str):
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}")


class InputError(CoderError):
    """The input to code is unusable as a whole (missing file, unknown extension, nothing readable)."""

    exit_code = 2


class ModelError(CoderError):
    """A model directory is missing, incomplete or incompatible with this version."""

    exit_code = 4


class ConfigError(CoderError):
    """A training or run configuration value is invalid; the message names the key and the bad value."""

    exit_code = 5


class StoreError(CoderError):
    """The event store is unusable (not a store, another schema, coded with other settings, write failed)."""

    exit_code = 6
