"""Secret-leak suite: a unique key, DEBUG logging, every error path of the embedder; the key appears nowhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dovetail.core.testing.leaks import ErrorPath
from dovetail.core.testing.loopback import free_port
from dovetail.core.testing.secret_env import assert_secret_leaks_nowhere
from dovetail.embeddings.openai import OpenAIEmbedding

pytestmark = pytest.mark.integration

EMB = "/v1/embeddings"
PATHS = ("401", "429", "500", "timeout", "bad-host", "plain-http-remote", "bad-setting", "bad-config-file")


def _embed(model: Any) -> Any:
    return model.get_text_embedding("x")


def _scenario(path: str, server: Any, key: str, tmp: Path) -> ErrorPath:
    """The embedder to probe (``None`` when building it is the error path) and the call that must fail."""

    def make(**overrides: Any) -> OpenAIEmbedding:
        return OpenAIEmbedding(**{"api_base": server.base_url, "api_key": key, "max_retries": 1, **overrides})

    if path in ("401", "429", "500"):
        message = f"Incorrect API key provided: {key}"
        headers = {"Retry-After": "0"} if path == "429" else {}
        server.add_fault(status=int(path), body={"error": {"message": message}}, headers=headers, path=EMB, times=9)
        return make(), _embed
    if path == "timeout":
        server.add_fault(action="delay_only", delay=1.0, path=EMB, times=3)
        return make(timeout=0.2, max_retries=0), _embed
    if path == "bad-host":
        return make(api_base=f"http://127.0.0.1:{free_port()}/v1"), _embed
    if path == "plain-http-remote":
        return None, lambda _: make(api_base="http://10.9.8.7:1/v1")
    if path == "bad-setting":
        return None, lambda _: OpenAIEmbedding(api_key=key, embed_batch_size="many")
    assert path == "bad-config-file"
    (tmp / "dovetail.toml").write_text(f'[providers.openai]\napi_key = ["{key}"]\n')
    return None, lambda _: OpenAIEmbedding().get_text_embedding("x")


@pytest.mark.parametrize("path", PATHS)
def test_the_key_leaks_nowhere(path: str, server: Any, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    assert_secret_leaks_nowhere(
        request, lambda key: _scenario(path, server, key, tmp_path), "OPENAI_API_KEY", "sk-leak-"
    )
