"""SDK exceptions map onto the dovetail error tree; the retry switch-off reports when it cannot work."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from dovetail.core import errors as de
from dovetail.vector_stores.pinecone import PineconeVectorStore
from dovetail.vector_stores.pinecone._client import disable_sdk_retries
from dovetail.vector_stores.pinecone._errors import map_error
from pinecone import errors as pe


def _api(cls: type[Any], status: int, **extra: Any) -> Any:
    return cls(message=f"boom {status}", status_code=status, request_id="req-1", **extra)


CASES: list[tuple[str, BaseException, type[BaseException], bool]] = [
    ("429", _api(pe.RateLimitError, 429, retry_after=2.0), de.RateLimitError, True),
    ("401", _api(pe.UnauthorizedError, 401), de.AuthenticationError, False),
    ("403", _api(pe.ForbiddenError, 403), de.AuthenticationError, False),
    ("404", _api(pe.NotFoundError, 404), de.NotFoundError, False),
    ("400", _api(pe.ApiError, 400), de.InvalidInputError, False),
    ("413", _api(pe.PayloadTooLargeError, 413), de.InvalidInputError, False),
    ("409", _api(pe.ConflictError, 409), de.ProviderError, True),
    ("500", _api(pe.ServiceError, 500), de.ProviderError, True),
    ("503", _api(pe.ServiceError, 503), de.ProviderError, True),
    ("timeout", pe.PineconeTimeoutError("slow"), de.ProviderTimeoutError, True),
    ("connection", pe.PineconeConnectionError("refused"), de.ProviderConnectionError, True),
    ("sdk-value", pe.PineconeValueError("bad"), de.InvalidInputError, False),
    ("httpx-timeout", httpx.ReadTimeout("slow"), de.ProviderTimeoutError, True),
    ("httpx-reset", httpx.RemoteProtocolError("reset"), de.ProviderConnectionError, True),
]


@pytest.mark.parametrize(("exc", "expected", "retryable"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_mapping(exc: BaseException, expected: type[BaseException], retryable: bool) -> None:
    mapped = map_error(exc, "query")
    assert type(mapped) is expected
    assert isinstance(mapped, de.DovetailError)
    assert mapped.is_retryable is retryable
    assert "pinecone query" in str(mapped)


def test_mapping_keeps_details() -> None:
    mapped = map_error(_api(pe.RateLimitError, 429, retry_after=2.0), "upsert")
    assert isinstance(mapped, de.RateLimitError)
    assert (mapped.retry_after, mapped.status, mapped.request_id, mapped.provider) == (2.0, 429, "req-1", "pinecone")


def test_foreign_exceptions_pass_through() -> None:
    exc = KeyError("x")
    assert map_error(exc, "query") is exc


def test_unknown_sdk_layout_turns_dovetail_retries_off() -> None:
    assert disable_sdk_retries(object()) is False
    store = PineconeVectorStore(host="h", api_key="k", max_retries=5)
    assert store._policy().max_retries == 5
    store._sdk_retries_off = False  # what the store records when the switch-off did not work
    assert store._policy().max_retries == 0
