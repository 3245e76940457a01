"""Map pymongo exceptions into dovetail's error tree, with messages that say what to check.

pymongo is imported lazily (inside the function) so importing the reader stays cheap.
"""

from __future__ import annotations

from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import DovetailError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import ProviderTimeoutError

__all__ = ["ServerUnreachableError", "map_pymongo_error"]

PROVIDER = "mongodb"

# Server error codes: 2 BadValue (e.g. an unknown query operator), 9 FailedToParse, 14 TypeMismatch,
# 18 AuthenticationFailed, 13 Unauthorized, 26 NamespaceNotFound, 50 MaxTimeMSExpired.
_BAD_INPUT_CODES = frozenset({2, 9, 14})
_AUTH_CODES = frozenset({13, 18})


class ServerUnreachableError(ProviderConnectionError):
    """No server was selectable within ``serverSelectionTimeoutMS``: pymongo already spent that time trying,
    so the read is not retried on top (a dead server fails after the timeout, not after several)."""

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]
        """Not retried: pymongo kept trying for the whole server selection timeout."""
        return False


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def map_pymongo_error(
    exc: BaseException,
    *,
    target: str,
    display_uri: str,
    timeout_ms: int,
    secrets: tuple[str, ...] = (),
) -> DovetailError:
    """Translate ``exc`` (raised by pymongo while reading ``target``, ``"db.collection"``) into a dovetail error.

    ``display_uri`` is the password-masked URI; ``secrets`` are scrubbed from the provider's message.
    """
    from pymongo import errors

    detail = _scrub(str(exc), secrets)
    if isinstance(exc, errors.ServerSelectionTimeoutError):
        msg = (
            f"could not reach MongoDB at {display_uri} within serverSelectionTimeoutMS={timeout_ms} while reading "
            f"{target}: check that the server is running and reachable from this machine (host, port, firewall, "
            f"TLS and replica-set settings in the URI) - {detail}"
        )
        return ServerUnreachableError(msg, provider=PROVIDER)
    if isinstance(exc, (errors.NetworkTimeout, errors.ExecutionTimeout)):
        msg = (
            f"MongoDB at {display_uri} timed out while reading {target}; raise socketTimeoutMS/maxTimeMS or "
            f"narrow query_dict - {detail}"
        )
        return ProviderTimeoutError(msg, provider=PROVIDER)
    if isinstance(exc, errors.ConnectionFailure):
        msg = f"lost the connection to MongoDB at {display_uri} while reading {target}; retry - {detail}"
        return ProviderConnectionError(msg, provider=PROVIDER)
    if isinstance(exc, errors.OperationFailure):
        code = exc.code
        if code in _AUTH_CODES:
            msg = (
                f"MongoDB at {display_uri} refused the credentials or the user may not read {target}; check the "
                f"user, password and authSource in the URI - {detail}"
            )
            return AuthenticationError(msg, provider=PROVIDER)
        if code in _BAD_INPUT_CODES:
            msg = f"MongoDB rejected the query on {target} (code {code}); fix query_dict/projection - {detail}"
            return InvalidInputError(msg)
        msg = f"MongoDB failed while reading {target} (code {code}) - {detail}"
        return ProviderError(msg, provider=PROVIDER)
    if isinstance(exc, errors.ConfigurationError):
        msg = f"invalid MongoDB client configuration for {display_uri}: {detail}"
        return ConfigurationError(msg)
    if isinstance(exc, errors.InvalidOperation):
        msg = f"MongoDB client for {display_uri} cannot be used (was it closed?) while reading {target}: {detail}"
        return ProviderError(msg, provider=PROVIDER)
    msg = f"MongoDB error while reading {target}: {type(exc).__name__}: {detail}"
    return ProviderError(msg, provider=PROVIDER)
