"""Secret-leak suite: a unique key, DEBUG logging, every error path; the key appears nowhere.

Checked for each path: the raised error with its whole chain and formatted traceback, every log record (DEBUG
included, the SDK's and httpx's too), the LLM's ``repr``/``str``/JSON dump and every callback payload.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.callbacks import CallbackManager
from dovetail.core.llms import ChatMessage
from dovetail.core.testing.leaks import ErrorPath
from dovetail.core.testing.leaks import PayloadRecorder
from dovetail.core.testing.loopback import free_port
from dovetail.core.testing.secret_env import assert_secret_leaks_nowhere
from dovetail.llms.openai import OpenAI

pytestmark = pytest.mark.integration

CHAT = "/v1/chat/completions"


def _echo(server: Any, status: int, key: str, **extra: Any) -> None:
    body = {"error": {"message": f"Incorrect API key provided: {key}. Authorization: Bearer {key}", "code": "x"}}
    server.add_fault(status=status, body=body, path=CHAT, times=10, **extra)


def _llm(server: Any, key: str, **kwargs: Any) -> OpenAI:
    kwargs.setdefault("api_base", server.base_url)
    return OpenAI(model="gpt-4o-mini", api_key=key, max_retries=1, **kwargs)


def _stream(llm: OpenAI) -> None:
    for _ in llm.stream_chat([ChatMessage(content="hi")]):
        pass


def _complete(llm: Any) -> Any:
    return llm.complete("x")


def _scenario(path: str, server: Any, key: str, tmp: Path) -> tuple[OpenAI | None, Callable[[Any], Any]]:
    """The LLM to probe (``None`` when building it is the error path) and the call that must fail."""
    if path in ("401", "500", "stream-401"):
        _echo(server, int(path.split("-")[-1]), key)
        return _llm(server, key), _stream if path.startswith("stream") else _complete
    if path == "429":
        _echo(server, 429, key, headers={"Retry-After": "0"})
        return _llm(server, key), _complete
    if path == "timeout":
        server.add_fault(action="delay_only", delay=1.0, path=CHAT)
        return _llm(server, key, timeout=0.2), _complete
    if path == "bad-host":
        return _llm(server, key, api_base=f"http://127.0.0.1:{free_port()}/v1"), _complete
    if path == "plain-http-remote":
        return None, lambda _: _llm(server, key, api_base="http://10.9.8.7:1/v1")
    if path == "bad-setting":
        return None, lambda _: OpenAI(api_key=key, timeout="soon")
    if path == "bad-config-file":
        (tmp / "dovetail.toml").write_text(f'[providers.openai]\napi_key = ["{key}"]\n')
        return None, lambda _: OpenAI(api_base=server.base_url).complete("x")
    assert path == "env-key-to-other-host"
    return None, lambda _: OpenAI(model="m", api_base="http://10.9.8.7:1/v1", max_retries=0).complete("x")


PATHS = ("401", "429", "500", "stream-401", "timeout", "bad-host", "plain-http-remote", "bad-setting",
         "bad-config-file", "env-key-to-other-host")  # fmt: skip


@pytest.mark.parametrize("path", PATHS)
def test_the_key_leaks_nowhere(path: str, server: Any, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    recorder = PayloadRecorder()

    def scenario(key: str) -> ErrorPath:
        llm, action = _scenario(path, server, key, tmp_path)
        if llm is not None:
            llm.callback_manager = CallbackManager([recorder])
        return llm, action

    probe = assert_secret_leaks_nowhere(request, scenario, "OPENAI_API_KEY", "sk-leak-")
    probe.text("callback payloads", *recorder.payloads).assert_clean()
