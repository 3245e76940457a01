"""dovetail.toml: discovery, ${ENV} references, validation errors that name file/key/range, resolution order."""

from __future__ import annotations

from pathlib import Path

import pytest
from dovetail.core.config import CONFIG_ENV_VAR
from dovetail.core.config import OpenAISettings
from dovetail.core.config import find_config_file
from dovetail.core.config import load_config
from dovetail.core.config import resolve_secret
from dovetail.core.config import resolve_setting
from dovetail.core.errors import ConfigurationError
from pydantic import SecretStr


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test starts with no config file anywhere and no provider keys in the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in (CONFIG_ENV_VAR, "OPENAI_API_KEY", "SECRET_FROM_ENV"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_empty_config() -> None:
    config = load_config()
    assert config.path is None
    assert config.provider("openai") == OpenAISettings()
    assert config.defaults().llm is None


def test_discovery_order_env_override_then_project_then_user_dir(
    isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = write(isolated_config / "xdg" / "dovetail" / "dovetail.toml", "")
    assert find_config_file() == user
    project = write(isolated_config / "dovetail.toml", "")
    assert find_config_file() == project
    override = write(isolated_config / "elsewhere.toml", "")
    monkeypatch.setenv(CONFIG_ENV_VAR, str(override))
    assert find_config_file() == override
    monkeypatch.setenv(CONFIG_ENV_VAR, str(isolated_config / "missing.toml"))
    with pytest.raises(ConfigurationError, match="DOVETAIL_CONFIG"):
        find_config_file()


def test_env_references_resolve_and_missing_ones_name_the_variable(
    isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        isolated_config / "dovetail.toml",
        '[providers.openai]\napi_key = "${SECRET_FROM_ENV}"\nbase_url = "${BASE:-http://127.0.0.1:9/v1}"\n',
    )
    with pytest.raises(ConfigurationError, match=r"providers\.openai\.api_key refers to \$\{SECRET_FROM_ENV\}"):
        load_config().provider("openai")
    monkeypatch.setenv("SECRET_FROM_ENV", "sk-from-env")
    settings = load_config().provider("openai")
    assert isinstance(settings.api_key, SecretStr)
    assert settings.api_key.get_secret_value() == "sk-from-env"
    assert settings.base_url == "http://127.0.0.1:9/v1"
    assert "sk-from-env" not in repr(settings)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("timeout = 500", r"timeout = 500: Input should be less than or equal to 300"),
        ("timeout = 0.5", r"timeout = 0.5: Input should be greater than or equal to 1"),
        ("max_retries = 11", r"max_retries = 11: Input should be less than or equal to 10"),
        ("temperature = 2.5", r"temperature = 2.5: Input should be less than or equal to 2"),
        ("colour = 'blue'", r"unknown key 'colour'"),
    ],
)
def test_invalid_values_name_file_section_key_and_range(isolated_config: Path, line: str, expected: str) -> None:
    path = write(isolated_config / "dovetail.toml", f"[providers.openai]\n{line}\n")
    with pytest.raises(ConfigurationError, match=expected) as info:
        load_config().provider("openai")
    assert str(path) in str(info.value)
    assert "[providers.openai]" in str(info.value)


def test_broken_toml_and_unknown_sections_are_reported(isolated_config: Path) -> None:
    write(isolated_config / "dovetail.toml", "[providers.openai\n")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_config()
    write(isolated_config / "dovetail.toml", "[colours]\nred = 1\n")
    with pytest.raises(ConfigurationError, match="unknown top-level section"):
        load_config().validate_all()


def test_resolution_order_explicit_then_config_then_environment(
    isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert resolve_secret(None, "openai", env_var="OPENAI_API_KEY").get_secret_value() == "sk-env"
    write(isolated_config / "dovetail.toml", '[providers.openai]\napi_key = "sk-file"\ntimeout = 12\n')
    assert resolve_secret(None, "openai", env_var="OPENAI_API_KEY").get_secret_value() == "sk-file"
    assert resolve_secret("sk-explicit", "openai", env_var="OPENAI_API_KEY").get_secret_value() == "sk-explicit"
    assert resolve_setting(None, "openai", "timeout") == 12
    assert resolve_setting(3.0, "openai", "timeout") == 3.0


def test_missing_secret_names_the_variable_and_the_config_key() -> None:
    with pytest.raises(ConfigurationError, match=r"OPENAI_API_KEY") as info:
        resolve_secret(None, "openai", env_var="OPENAI_API_KEY")
    assert "[providers.openai]" in str(info.value)
    assert resolve_secret(None, "openai", env_var="OPENAI_API_KEY", required=False) is None


def test_blank_values_count_as_unset_and_env_vars_are_tried_in_order(
    isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(isolated_config / "dovetail.toml", '[providers.openai]\napi_key = "  "\nbase_url = ""\n')
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert resolve_secret("", "openai", env_var="OPENAI_API_KEY").get_secret_value() == "sk-env"
    monkeypatch.setenv("OPENAI_BASE_URL", " ")
    monkeypatch.setenv("OPENAI_API_BASE", "http://127.0.0.1:1/v1")
    assert (
        resolve_setting(None, "openai", "base_url", ("OPENAI_BASE_URL", "OPENAI_API_BASE")) == "http://127.0.0.1:1/v1"
    )
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        resolve_secret(SecretStr(""), "openai", env_var="OPENAI_API_KEY")
