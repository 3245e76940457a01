"""The shared retry layer: Retry-After parsing, idempotency rules, the deadline and unchained error mapping."""

from __future__ import annotations

import email.utils
from types import SimpleNamespace

import dovetail.core.retry as retry_module
import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import ProviderTimeoutError
from dovetail.core.errors import RateLimitError
from dovetail.core.errors import error_for_status
from dovetail.core.retry import RetryPolicy
from dovetail.core.retry import aretry_call
from dovetail.core.retry import parse_retry_after
from dovetail.core.retry import retry_call

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": " 0.5 "}, 0.5),
        ({"RETRY-AFTER": "3"}, 3.0),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "junk", "retry-after": "9"}, 9.0),
        ({"Retry-After": email.utils.formatdate(NOW + 30, usegmt=True)}, 30.0),
        ({"Retry-After": email.utils.formatdate(NOW - 30, usegmt=True)}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "NaN"}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "-1"}, None),
        ({"Retry-After": "1e999"}, None),
        ({"Retry-After": ""}, None),
        ({"Retry-After": "Thu, 99 Foo 2026 25:61:00 GMT"}, None),
        ({}, None),
        (None, None),
        ("4", 4.0),
        ("soon", None),
    ],
)
def test_parse_retry_after(headers: object, expected: float | None) -> None:
    got = parse_retry_after(headers, now=NOW)  # type: ignore[arg-type]
    assert got == (pytest.approx(expected) if expected is not None else None)


def _fails(errors: list[Exception]) -> tuple[list[int], object]:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "ok"

    return calls, fn


@pytest.mark.parametrize(
    ("error", "idempotent", "retried"),
    [
        (ProviderTimeoutError("t"), True, True),
        (ProviderTimeoutError("t"), False, False),
        (ProviderConnectionError("reset"), False, False),
        (ProviderConnectionError("refused", request_sent=False), False, True),
        (ProviderError("no status"), False, False),
        (ProviderError("503", status=503), False, True),
        (RateLimitError("429", retry_after=0.0), False, True),
        (AuthenticationError("401", status=401), True, False),
        (ValueError("not ours"), True, False),
    ],
)
def test_which_errors_are_retried(error: Exception, idempotent: bool, retried: bool) -> None:
    calls, fn = _fails([error])
    policy = RetryPolicy(max_retries=2, initial_delay=0.0)
    if retried:
        assert retry_call(fn, policy, idempotent=idempotent, sleep=lambda _: None) == "ok"  # type: ignore[arg-type]
    else:
        with pytest.raises(type(error)):
            retry_call(fn, policy, idempotent=idempotent, sleep=lambda _: None)  # type: ignore[arg-type]
    assert len(calls) == (2 if retried else 1)


def test_opt_in_retries_ambiguous_failures_of_non_idempotent_calls() -> None:
    calls, fn = _fails([ProviderTimeoutError("t")])
    policy = RetryPolicy(max_retries=1, initial_delay=0.0, retry_ambiguous=True)
    assert retry_call(fn, policy, idempotent=False, sleep=lambda _: None) == "ok"  # type: ignore[arg-type]
    assert len(calls) == 2


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_of_429_and_503_replaces_the_backoff(status: int) -> None:
    error = error_for_status(status, f"HTTP {status}", provider="p", retry_after=7.5)
    assert isinstance(error, ProviderError)
    assert error.retry_after == 7.5
    policy = RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.01)
    assert policy.delay_for(0, error) == 7.5
    assert RetryPolicy(max_retry_after=5.0).delay_for(0, error) is None  # longer than allowed: raised at once
    waits: list[float] = []
    calls, fn = _fails([error_for_status(status, "x", retry_after=0.25)])
    assert retry_call(fn, policy, sleep=waits.append) == "ok"  # type: ignore[arg-type]
    assert waits == [0.25]
    assert len(calls) == 2


def test_a_503_without_retry_after_uses_the_backoff() -> None:
    error = error_for_status(503, "HTTP 503")
    assert getattr(error, "retry_after", "missing") is None
    assert 0.0 <= (RetryPolicy(initial_delay=0.2).delay_for(0, error) or 0.0) <= 0.2


def test_deadline_stops_retrying(monkeypatch: pytest.MonkeyPatch) -> None:
    # A simulated clock that only the retry waits advance: the deadline arithmetic is checked exactly, whatever
    # the machine's load.
    now = [100.0]
    monkeypatch.setattr(retry_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    waits: list[float] = []
    calls, fn = _fails([RateLimitError("429", retry_after=0.3)] * 10)
    policy = RetryPolicy(max_retries=10, deadline=1.0)

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    with pytest.raises(RateLimitError):
        retry_call(fn, policy, sleep=sleep)  # type: ignore[arg-type]
    assert len(calls) == 4  # a fourth wait would end at 1.2 s, past the 1.0 s deadline
    assert waits == [0.3, 0.3, 0.3]


async def test_mapped_errors_are_raised_without_a_chain() -> None:
    class SdkError(Exception):
        pass

    def fn() -> None:
        raise SdkError("Authorization: Bearer sk-secret")

    def to_dovetail(exc: Exception) -> Exception:
        return AuthenticationError("refused (HTTP 401)", status=401)

    with pytest.raises(AuthenticationError) as info:
        retry_call(fn, RetryPolicy(), map_error=to_dovetail)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None

    async def afn() -> None:
        fn()

    with pytest.raises(AuthenticationError) as ainfo:
        await aretry_call(afn, RetryPolicy(), map_error=to_dovetail)
    assert ainfo.value.__cause__ is None
    assert ainfo.value.__context__ is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_retries", 11), ("max_retries", True), ("initial_delay", float("nan")), ("deadline", 0), ("deadline", -1)],
)
def test_bad_policy_names_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidInputError, match=field):
        RetryPolicy(**{field: value})  # type: ignore[arg-type]
