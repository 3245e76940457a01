"""Public import path of dovetail's typed errors; see ``dovetail.core._exceptions`` for the tree."""

from dovetail.core._exceptions import (
    AuthenticationError,
    ConcurrentWriteError,
    ConfigurationError,
    DovetailError,
    InvalidInputError,
    NotFoundError,
    OutputParserError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitError,
    error_for_status,
)

__all__ = [
    "AuthenticationError",
    "ConcurrentWriteError",
    "ConfigurationError",
    "DovetailError",
    "InvalidInputError",
    "NotFoundError",
    "OutputParserError",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderTimeoutError",
    "RateLimitError",
    "error_for_status",
]
