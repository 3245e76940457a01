"""The shared path from provider SDK exceptions to dovetail's typed errors (``dovetail.core.provider_errors``).

SDK exceptions are recognised by class name, so the tests raise plain exception classes with those names (the
providers' own suites drive the real SDKs against loopback servers)."""

from __future__ import annotations

import re

import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import DovetailError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import ProviderTimeoutError
from dovetail.core.errors import RateLimitError
from dovetail.core.provider_errors import ErrorHints
from dovetail.core.provider_errors import StatusFailure
from dovetail.core.provider_errors import class_names
from dovetail.core.provider_errors import map_provider_error
from dovetail.core.provider_errors import status_error
from dovetail.core.redact import redact

HINTS = ErrorHints(
    "acme",
    auth="Check ACME_API_KEY.",
    not_found="Check the model name.",
    timeout="raise timeout=...",
    status_advice={529: "Acme is overloaded."},
    key_patterns=(re.compile(r"\bak-[a-z0-9]{6,}"),),
)


class TimeoutException(Exception):
    pass


class TransportError(Exception):
    pass


class ConnectError(TransportError):
    pass


class RemoteProtocolError(TransportError):
    pass


class APIConnectionError(Exception):
    pass


def test_class_names_follow_the_mro() -> None:
    assert {"ConnectError", "TransportError", "Exception"} <= class_names(ConnectError())
    assert class_names(None) == frozenset()


@pytest.mark.parametrize(
    ("status", "cls", "fragment"),
    [
        (401, AuthenticationError, "Check ACME_API_KEY."),
        (403, AuthenticationError, "refused with HTTP 403"),
        (404, NotFoundError, "Check the model name."),
        (400, InvalidInputError, "Fix the input; it is not retried"),
        (422, InvalidInputError, "HTTP 422"),
        (429, RateLimitError, "Lower the request rate"),
        (500, ProviderError, "failed with HTTP 500: boom."),
        (529, ProviderError, "Acme is overloaded."),
    ],
)
def test_status_errors_say_what_to_do(status: int, cls: type[DovetailError], fragment: str) -> None:
    error = status_error(StatusFailure(status, "boom"), HINTS, operation="chat")
    assert type(error) is cls
    assert fragment in str(error)
    assert str(error).startswith("acme chat")


@pytest.mark.parametrize(("status", "kept"), [(429, 2.0), (503, 2.0), (500, None), (502, None)])
def test_retry_after_is_kept_for_429_and_503(status: int, kept: float | None) -> None:
    error = status_error(StatusFailure(status, "slow down", headers={"Retry-After": "2"}), HINTS, operation="x")
    assert isinstance(error, ProviderError)
    assert error.retry_after == kept
    assert error.is_retryable
    if kept is not None:
        assert "retry after 2.00s" in str(error)
    explicit = status_error(StatusFailure(status, "x", retry_after=0.5), HINTS, operation="x")
    assert getattr(explicit, "retry_after", None) == (0.5 if kept is not None else None)


def test_request_id_status_provider_and_redaction() -> None:
    failure = StatusFailure(500, "key sk-secret-123 and ak-abcdef1 at https://u:pw@h/x", request_id="req_9")
    error = status_error(failure, HINTS, operation="embed", secret="sk-secret-123")
    assert isinstance(error, ProviderError)
    assert (error.status, error.provider, error.request_id) == (500, "acme", "req_9")
    text = str(error)
    assert "(request id req_9)" in text
    for secret in ("sk-secret-123", "ak-abcdef1", "pw"):
        assert secret not in text


def test_refused_credentials_with_another_status() -> None:
    error = status_error(StatusFailure(400, "API key not valid"), HINTS, operation="chat", credentials_refused=True)
    assert isinstance(error, AuthenticationError)
    assert error.status == 400
    assert not error.is_retryable


def test_a_dovetail_error_comes_back_unchanged() -> None:
    error = RateLimitError("429")
    assert map_provider_error(error, HINTS, operation="chat") is error


def test_timeouts_by_own_or_cause_name() -> None:
    assert isinstance(map_provider_error(TimeoutException("t"), HINTS, operation="chat"), ProviderTimeoutError)
    wrapped = APIConnectionError("read failed")
    wrapped.__cause__ = TimeoutException("read timeout")
    error = map_provider_error(wrapped, HINTS, operation="chat")
    assert isinstance(error, ProviderTimeoutError)
    assert "raise timeout=..." in str(error)


def test_refused_connections_were_not_sent_cut_ones_were() -> None:
    refused = map_provider_error(ConnectError("refused"), HINTS, operation="chat")
    assert isinstance(refused, ProviderConnectionError)
    assert refused.request_sent is False
    cut = map_provider_error(RemoteProtocolError("peer closed"), HINTS, operation="chat")
    assert isinstance(cut, ProviderConnectionError)
    assert cut.request_sent is True
    wrapped = APIConnectionError("Connection error.")
    wrapped.__cause__ = ConnectError("refused")
    assert map_provider_error(wrapped, HINTS, operation="chat").request_sent is False  # type: ignore[attr-defined]
    told = map_provider_error(ConnectionError("no server"), HINTS, operation="chat", refused=True)
    assert told.request_sent is False  # type: ignore[attr-defined]


def test_sdk_refusals_and_the_rest() -> None:
    bad = map_provider_error(TypeError("missing model ak-abcdef12"), HINTS, operation="chat")
    assert isinstance(bad, InvalidInputError)
    assert "ak-abcdef12" not in str(bad)
    other = map_provider_error(KeyError("odd"), HINTS, operation="chat")
    assert type(other) is DovetailError
    assert not other.is_retryable
    retryable = map_provider_error(KeyError("odd"), HINTS, operation="chat", fallback=ProviderError)
    assert isinstance(retryable, ProviderError)
    assert retryable.provider == "acme"


def test_redact_masks_secrets_patterns_and_url_credentials() -> None:
    text = "sk-known ak-abcdef123 https://user:pass@example.com/x"
    assert redact(text, ["sk-known"], [re.compile(r"ak-\w+")]) == "*** *** https://***@example.com/x"
    assert redact("a b", ["a"]) == "a b"  # too short to mask
