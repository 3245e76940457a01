"""Key resolution (explicit > dovetail config > environment), validation, secret hygiene."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dovetail.callbacks.langfuse import LangfuseCallbackHandler
from dovetail.callbacks.langfuse._settings import resolve_credentials
from dovetail.core.errors import ConfigurationError
from pydantic import SecretStr


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY", "LANGFUSE_HOST", "LANGFUSE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DOVETAIL_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


def _use_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DOVETAIL_CONFIG", str(config))


def test_missing_keys_name_the_environment_variables() -> None:
    with pytest.raises(ConfigurationError, match="LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY"):
        LangfuseCallbackHandler()
    with pytest.raises(ConfigurationError, match="set LANGFUSE_SECRET_KEY") as info:
        LangfuseCallbackHandler(public_key="pk-only")
    assert "LANGFUSE_PUBLIC_KEY" not in str(info.value)


def test_resolution_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LANGFUSE_PUBLIC_KEY", "pk-env")
    monkeypatch.setenv("LANGFUSE_SECRET_KEY", "sk-env")
    monkeypatch.setenv("LANGFUSE_HOST", "http://env-host:3000/")
    from_env = resolve_credentials(None, None, None)
    assert (from_env.public_key.get_secret_value(), from_env.secret_key.get_secret_value()) == ("pk-env", "sk-env")
    assert from_env.host == "http://env-host:3000"

    _use_config(
        tmp_path,
        monkeypatch,
        '[providers.langfuse]\npublic_key = "pk-cfg"\nsecret_key = "sk-cfg"\nhost = "https://cfg"\n',
    )
    from_config = resolve_credentials(None, None, None)
    assert from_config.public_key.get_secret_value() == "pk-cfg"
    assert from_config.host == "https://cfg"

    explicit = resolve_credentials("pk-arg", SecretStr("sk-arg"), "https://arg")
    assert (explicit.public_key.get_secret_value(), explicit.secret_key.get_secret_value()) == ("pk-arg", "sk-arg")
    assert explicit.host == "https://arg"


def test_dovetail_toml_references_are_resolved(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "dovetail.toml"
    config.write_text(
        '[providers.langfuse]\npublic_key = "pk-toml"\nsecret_key = "${LF_TEST_SECRET}"\nhost = "http://toml:1"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DOVETAIL_CONFIG", str(config))
    monkeypatch.setenv("LF_TEST_SECRET", "sk-from-ref")
    creds = resolve_credentials(None, None, None)
    assert creds.public_key.get_secret_value() == "pk-toml"
    assert creds.secret_key.get_secret_value() == "sk-from-ref"
    assert creds.host == "http://toml:1"
    assert "sk-from-ref" not in repr(creds)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"host": "ftp://x"}, "must be an http"),
        ({"export_timeout": 0}, "export_timeout must be a positive"),
        ({"flush_timeout": float("nan")}, "flush_timeout must be a positive"),
        ({"compression": "zstd"}, "compression must be"),
        ({"max_field_chars": 5}, "max_field_chars must be"),
        ({"tags": "one-tag"}, "tags must be a list"),
    ],
)
def test_bad_settings(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        LangfuseCallbackHandler(public_key="pk-x", secret_key="sk-x", **kwargs)


def test_keys_are_secret_and_masked(keys: tuple[str, str], dead_host: str) -> None:
    handler = LangfuseCallbackHandler(*keys, host=dead_host)
    try:
        assert isinstance(handler._public_key, SecretStr)
        assert isinstance(handler._secret_key, SecretStr)
        for text in (repr(handler), str(handler)):
            assert keys[0] not in text
            assert keys[1] not in text
    finally:
        handler.shutdown()
