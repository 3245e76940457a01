"""Which key goes to which host, and which failures are retried (generation calls are billed)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import ProviderTimeoutError
from dovetail.core.testing.loopback import free_port
from dovetail.llms.openai import OpenAI
from dovetail.llms.openai import OpenAILike
from dovetail.llms.openai._keys import is_loopback
from dovetail.llms.openai._keys import is_openai_host
from dovetail.llms.openai._keys import resolve

pytestmark = pytest.mark.integration

CHAT = "/v1/chat/completions"
ENV_KEY = "sk-env-key-must-stay-home-7731"


# ---- item: the environment's key goes only to OpenAI's hosts ------------------------------------------------


def test_env_key_is_not_sent_to_an_openai_like_host(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    assert OpenAILike(model="m", api_base=server.base_url).complete("x").text == "echo: x"
    assert server.requests_to(CHAT)[-1].headers["authorization"] == "Bearer not-needed"


def test_env_key_is_not_sent_to_another_host_by_openai(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY") as info:
        OpenAI(model="gpt-4o-mini", api_base=server.base_url).complete("x")
    assert "api_key=" in str(info.value)
    assert server.requests_to(CHAT) == []


def test_config_key_is_not_sent_to_a_host_named_elsewhere(
    server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dovetail.toml").write_text('[providers.openai_like]\napi_key = "sk-config-key"\n')
    OpenAILike(model="m", api_base=server.base_url).complete("x")
    assert server.requests_to(CHAT)[-1].headers["authorization"] == "Bearer not-needed"
    (tmp_path / "dovetail.toml").write_text(
        f'[providers.openai_like]\napi_key = "sk-config-key"\nbase_url = "{server.base_url}"\n'
    )
    OpenAILike(model="m").complete("x")
    assert server.requests_to(CHAT)[-1].headers["authorization"] == "Bearer sk-config-key"


def test_env_key_goes_with_the_env_base_url(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    OpenAILike(model="m").complete("x")
    assert server.requests_to(CHAT)[-1].headers["authorization"] == f"Bearer {ENV_KEY}"
    OpenAILike(model="m", api_key="").complete("x")  # an empty key counts as none given
    assert server.requests_to(CHAT)[-1].headers["authorization"] == f"Bearer {ENV_KEY}"


def test_explicit_key_goes_to_its_host(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    OpenAILike(model="m", api_base=server.base_url, api_key="sk-for-this-host").complete("x")
    assert server.requests_to(CHAT)[-1].headers["authorization"] == "Bearer sk-for-this-host"


@pytest.mark.parametrize("base", ["http://10.1.2.3:8000/v1", "http://models.example.com/v1"])
def test_no_key_over_plain_http_to_a_remote_host(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.monotonic()
    with pytest.raises(ConfigurationError, match="https") as info:
        OpenAILike(model="m", api_base=base, api_key="sk-plain-http", connect_timeout=0.2, max_retries=0)
    assert time.monotonic() - started < 0.5, "refused when built, before any connection attempt"
    assert "sk-plain-http" not in str(info.value)
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", base)
    with pytest.raises(ConfigurationError, match="https"):
        OpenAILike(model="m", connect_timeout=0.2, max_retries=0).complete("x")


@pytest.mark.parametrize("base", ["ftp://files.example/v1", "127.0.0.1:8080/v1", "http:///v1"])
def test_bad_api_base_fails_when_built_naming_key_and_value(base: str) -> None:
    from dovetail.core.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="api_base") as info:
        OpenAI(model="gpt-4o-mini", api_key="sk-x", api_base=base)
    assert repr(base) in str(info.value)
    assert "http(s) URL" in str(info.value)


def test_bad_numbers_fail_when_built_naming_key_value_and_range() -> None:
    from dovetail.core.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match=r"max_retries = 50: Input should be less than or equal to 10"):
        OpenAI(model="gpt-4o-mini", max_retries=50)
    with pytest.raises(InvalidInputError, match=r"retry_deadline = 0: Input should be greater than 0"):
        OpenAI(model="gpt-4o-mini", retry_deadline=0)


def test_key_routing_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    assert resolve(None, None, provider="openai", env_var="OPENAI_API_KEY", require_key=True) == (
        ENV_KEY,
        "https://api.openai.com/v1",
    )
    key, _ = resolve(
        None, "https://eu.api.openai.com/v1", provider="openai", env_var="OPENAI_API_KEY", require_key=True
    )
    assert key == ENV_KEY
    key, _ = resolve(None, "https://openai.example.com/v1", provider="x", env_var="OPENAI_API_KEY", require_key=False)
    assert key == "not-needed"
    assert is_openai_host("api.openai.com")
    assert not is_openai_host("api.openai.com.evil.test")
    assert is_loopback("127.0.0.5")
    assert is_loopback("[::1]")
    assert is_loopback("localhost")
    assert not is_loopback("10.0.0.1")
    assert not is_loopback("localhost.evil.test")


# ---- item: generation calls are not re-sent after ambiguous failures ----------------------------------------


def make(server: Any, **kwargs: Any) -> OpenAI:
    kwargs.setdefault("api_key", "sk-retry-test")
    return OpenAI(model="gpt-4o-mini", api_base=server.base_url, **kwargs)


def test_read_timeout_of_a_chat_is_sent_once(server: Any) -> None:
    server.add_fault(action="delay_only", delay=0.6, path=CHAT, times=5)
    with pytest.raises(ProviderTimeoutError):
        make(server, timeout=0.2, max_retries=3).complete("x")
    assert len(server.requests_to(CHAT)) == 1


async def test_async_read_timeout_of_a_chat_is_sent_once(server: Any) -> None:
    server.add_fault(action="delay_only", delay=0.6, path=CHAT, times=5)
    async with make(server, timeout=0.2, max_retries=3) as llm:
        with pytest.raises(ProviderTimeoutError):
            await llm.acomplete("x")
    assert len(server.requests_to(CHAT)) == 1


def test_non_json_answer_is_not_resent(server: Any) -> None:
    server.add_fault(status=200, body="<html>proxy error</html>", path=CHAT, times=5)
    with pytest.raises(ProviderError, match="not JSON"):
        make(server, max_retries=3).complete("x")
    assert len(server.requests_to(CHAT)) == 1


def test_opt_in_retries_a_timed_out_chat(server: Any) -> None:
    server.add_fault(action="delay_only", delay=0.6, path=CHAT, times=1)
    llm = make(server, timeout=0.3, max_retries=2, retry_ambiguous=True, retry_deadline=5)
    assert llm.complete("x").text == "echo: x"
    assert len(server.requests_to(CHAT)) == 2


def test_status_errors_of_a_chat_are_still_retried(server: Any) -> None:
    server.add_fault(status=503, path=CHAT, times=2)
    assert make(server, max_retries=2).complete("x").text == "echo: x"
    assert len(server.requests_to(CHAT)) == 3


def test_refused_connection_of_a_chat_is_retried(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()  # nothing listens there: the connection is refused
    llm = OpenAI(model="gpt-4o-mini", api_key="sk-x", api_base=f"http://127.0.0.1:{port}/v1", max_retries=2)
    with caplog.at_level(logging.WARNING, logger="dovetail.core.retry"), pytest.raises(ProviderConnectionError):
        llm.complete("x")
    assert sum("retry" in r.getMessage() for r in caplog.records) == 2, "nothing was sent: safe to retry"


@pytest.mark.parametrize(
    ("retry_after", "settings", "most_requests"),
    [
        ("0.4", {"retry_deadline": 1.0}, 3),  # a deadline of 1 s
        ("0.5", {"timeout": 0.5}, 5),  # no deadline given: twice the timeout
    ],
    ids=["explicit-deadline", "default-is-twice-the-timeout"],
)
def test_retries_end_at_the_deadline(
    server: Any, retry_after: str, settings: dict[str, float], most_requests: int
) -> None:
    server.add_fault(status=429, headers={"Retry-After": retry_after}, path=CHAT, times=20)
    llm = make(server, max_retries=10, **settings)
    started = time.monotonic()
    with pytest.raises(ProviderError):
        llm.complete("x")
    # without the deadline the 10 retries wait >= 4 s of Retry-After; the slack covers a loaded machine
    assert time.monotonic() - started < 3.0
    assert 1 <= len(server.requests_to(CHAT)) <= most_requests


def test_a_slow_last_attempt_is_cut_at_the_deadline(server: Any) -> None:
    server.add_fault(status=429, headers={"Retry-After": "0.5"}, path="/v1/embeddings", times=1)
    server.add_fault(action="delay_only", delay=3.0, path="/v1/embeddings", times=1)
    from dovetail.llms.openai.transport import ClientSettings
    from dovetail.llms.openai.transport import OpenAIClients

    clients = OpenAIClients(
        ClientSettings(api_key=None, api_base=server.base_url, require_key=False, timeout=2.0, retry_deadline=1.0)
    )
    started = time.monotonic()
    try:
        with pytest.raises(ProviderTimeoutError):
            clients.call(lambda c: c.embeddings.create(model="m", input=["a"]), operation="embeddings")
    finally:
        clients.close()
    # with its own 2 s timeout the second attempt would end at 2.5 s; cut to the deadline it ends near 1.0 s
    assert time.monotonic() - started < 2.2, "the second attempt gets only what is left of the deadline"


@pytest.mark.parametrize("value", ["soon", "nan", "inf", "-1", "Thu, 99 Foo 2026 25:61:00 GMT"])
def test_garbage_retry_after_uses_the_backoff(server: Any, value: str) -> None:
    server.add_fault(status=429, headers={"Retry-After": value}, path=CHAT, times=1)
    assert make(server, max_retries=1).complete("x").text == "echo: x"
    assert len(server.requests_to(CHAT)) == 2


def test_a_short_key_does_not_garble_error_messages(server: Any) -> None:
    server.add_fault(status=400, body={"error": {"message": "unknown parameter 'kind'; check the docs"}}, path=CHAT)
    with pytest.raises(InvalidInputError) as info:
        make(server, api_key="k").complete("x")
    assert "unknown parameter 'kind'; check the docs" in str(info.value)
