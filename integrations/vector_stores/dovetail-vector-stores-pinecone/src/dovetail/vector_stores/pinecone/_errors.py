"""Map pinecone SDK exceptions onto the dovetail error tree (the SDK is imported only once it has raised)."""

from __future__ import annotations

from dovetail.core.errors import (
    AuthenticationError,
    DovetailError,
    InvalidInputError,
    NotFoundError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitError,
)

__all__ = ["PROVIDER", "map_error"]

PROVIDER = "pinecone"


def map_error(exc: BaseException, operation: str) -> BaseException:
    """The dovetail error for an exception raised by the pinecone SDK during ``operation``.

    Exceptions that are not the SDK's (and dovetail errors) are returned unchanged.
    """
    if isinstance(exc, DovetailError):
        return exc
    from pinecone import errors as pe

    where = f"pinecone {operation}"
    if isinstance(exc, pe.ApiError):
        status, request_id = exc.status_code, exc.request_id
        detail = exc.message
        if isinstance(exc, pe.RateLimitError):
            msg = f"{where} was rate limited (429): {detail}; slow down or lower max_concurrency"
            return RateLimitError(
                msg, retry_after=exc.retry_after, status=status, provider=PROVIDER, request_id=request_id
            )
        if status in (401, 403):
            msg = (
                f"{where} was refused ({status}): {detail}; check the API key (api_key=, "
                "[providers.pinecone] api_key in dovetail.toml, or PINECONE_API_KEY) and its project"
            )
            return AuthenticationError(msg, status=status, provider=PROVIDER, request_id=request_id)
        if status == 404:
            msg = f"{where}: not found (404): {detail}; check the index name or host"
            return NotFoundError(msg)
        if status in (400, 413, 422):
            hint = "; lower batch_size" if status == 413 else ""
            msg = f"{where}: Pinecone rejected the request ({status}): {detail}{hint}"
            return InvalidInputError(msg)
        msg = f"{where} failed ({status}): {detail}"
        return ProviderError(msg, status=status, provider=PROVIDER, request_id=request_id)
    if isinstance(exc, pe.PineconeTimeoutError):
        msg = f"{where} timed out: {exc}; raise timeout= or retry later"
        return ProviderTimeoutError(msg, provider=PROVIDER)
    if isinstance(exc, pe.PineconeConnectionError):
        msg = f"{where} could not reach Pinecone: {exc}; check host= and the network"
        return ProviderConnectionError(msg, provider=PROVIDER)
    if isinstance(exc, (pe.PineconeValueError, pe.PineconeTypeError)):
        msg = f"{where}: the pinecone SDK rejected the input: {exc}"
        return InvalidInputError(msg)
    if isinstance(exc, pe.PineconeError):
        msg = f"{where} failed: {exc}"
        return ProviderError(msg, provider=PROVIDER, status=getattr(exc, "status_code", None))
    if type(exc).__module__.split(".")[0] == "httpx":
        # The SDK wraps transport errors itself; this catches any that slip through unwrapped.
        if "Timeout" in type(exc).__name__:
            msg = f"{where} timed out: {exc!r}; raise timeout= or retry later"
            return ProviderTimeoutError(msg, provider=PROVIDER)
        msg = f"{where} failed in transport: {exc!r}; check host= and the network"
        return ProviderConnectionError(msg, provider=PROVIDER)
    return exc
