"""Map pinecone SDK exceptions onto the dovetail error tree (the SDK is imported only once it has raised).

Messages are scrubbed of the API key (a server or proxy may echo it in an error body) and the mapped error is
raised by ``dovetail.core.retry`` without chaining the SDK exception, whose request carries the key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dovetail.core.errors import DovetailError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import ProviderTimeoutError
from dovetail.core.errors import error_for_status
from dovetail.core.redact import redact
from dovetail.core.retry import parse_retry_after

__all__ = ["PROVIDER", "map_error"]

PROVIDER = "pinecone"


def _status_message(where: str, status: int, detail: str) -> str:
    if status == 429:
        return f"{where} was rate limited (429): {detail}; slow down or lower max_concurrency"
    if status in (401, 403):
        return (
            f"{where} was refused ({status}): {detail}; check the API key (api_key=, "
            "[providers.pinecone] api_key in dovetail.toml, or PINECONE_API_KEY) and its project"
        )
    if status == 404:
        return f"{where}: not found (404): {detail}; check the index name or host"
    if status in (400, 413, 422):
        hint = "; lower batch_size" if status == 413 else ""
        return f"{where}: Pinecone rejected the request ({status}): {detail}{hint}"
    return f"{where} failed ({status}): {detail}"


def map_error(exc: BaseException, operation: str, secrets: Iterable[Any] = ()) -> BaseException:
    """The dovetail error for an exception raised by the pinecone SDK during ``operation``.

    ``secrets`` (the API key) are masked in the message. Exceptions that are not the SDK's (and dovetail
    errors) are returned unchanged.
    """
    if isinstance(exc, DovetailError):
        return exc
    from pinecone import errors as pe

    secrets = tuple(secrets)
    where = f"pinecone {operation}"
    if isinstance(exc, pe.ApiError):
        status = exc.status_code
        retry_after = parse_retry_after(exc.headers) if exc.headers else None
        if retry_after is None:
            retry_after = parse_retry_after(str(getattr(exc, "retry_after", "") or ""))
        msg = _status_message(where, status, redact(str(exc.message), secrets))
        return error_for_status(status, msg, provider=PROVIDER, request_id=exc.request_id, retry_after=retry_after)
    detail = redact(str(exc), secrets)
    if isinstance(exc, pe.PineconeTimeoutError):
        msg = f"{where} timed out: {detail}; raise timeout= or retry later"
        return ProviderTimeoutError(msg, provider=PROVIDER)
    if isinstance(exc, pe.PineconeConnectionError):
        msg = f"{where} could not reach Pinecone: {detail}; check host= and the network"
        return ProviderConnectionError(msg, provider=PROVIDER)
    if isinstance(exc, (pe.PineconeValueError, pe.PineconeTypeError)):
        msg = f"{where}: the pinecone SDK rejected the input: {detail}"
        return InvalidInputError(msg)
    if isinstance(exc, pe.PineconeError):
        msg = f"{where} failed: {detail}"
        return ProviderError(msg, provider=PROVIDER, status=getattr(exc, "status_code", None))
    if type(exc).__module__.split(".")[0] == "httpx":
        # The SDK wraps transport errors itself; this catches any that slip through unwrapped.
        detail = redact(repr(exc), secrets)
        if "Timeout" in type(exc).__name__:
            msg = f"{where} timed out: {detail}; raise timeout= or retry later"
            return ProviderTimeoutError(msg, provider=PROVIDER)
        msg = f"{where} failed in transport: {detail}; check host= and the network"
        return ProviderConnectionError(msg, provider=PROVIDER)
    return exc
