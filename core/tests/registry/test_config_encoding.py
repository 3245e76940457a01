"""A config file that is not UTF-8 (or nests too deeply) gives a ConfigurationError that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from dovetail.core.config import CONFIG_ENV_VAR
from dovetail.core.config import load_config
from dovetail.core.errors import ConfigurationError


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "dovetail.toml"
    monkeypatch.setenv(CONFIG_ENV_VAR, str(path))
    return path


def test_a_latin1_config_file_is_a_configuration_error(config_file: Path) -> None:
    config_file.write_bytes('[providers.openai]\napi_key = "sk-Geheimnis-\xe4\xf6"\n'.encode("latin-1"))
    with pytest.raises(ConfigurationError, match="not UTF-8") as info:
        load_config()
    assert str(config_file) in str(info.value)
    assert "save it as UTF-8" in str(info.value)
    # the decode error (which carries the whole file, key included) is not chained
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_deeply_nested_toml_is_a_configuration_error(config_file: Path) -> None:
    config_file.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(ConfigurationError, match=r"too deeply|not valid TOML"):
        load_config()
