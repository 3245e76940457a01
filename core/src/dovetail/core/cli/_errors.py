"""Exit codes and the error type of the ``dovetail`` command."""

from __future__ import annotations

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "CLIError"]

EXIT_OK = 0
EXIT_ERROR = 1
"""Something failed while running (a provider error, a partial ingest, an unexpected exception)."""
EXIT_USAGE = 2
"""The command line or its input was wrong (bad option, missing folder or index, unknown provider)."""


class CLIError(Exception):
    """An expected failure: ``main`` prints ``message`` (no traceback) and exits with ``code``."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
