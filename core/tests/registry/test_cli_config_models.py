"""`dovetail config show|path` and `dovetail models`, run as subprocesses the way a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SECRET = "sk-test-must-never-be-printed-0123456789"


def dovetail(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k != "DOVETAIL_CONFIG"}
    base["XDG_CONFIG_HOME"] = str(cwd / "xdg")
    return subprocess.run(
        [sys.executable, "-m", "dovetail.core.cli", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_config_show_masks_secrets_and_names_sources(tmp_path: Path) -> None:
    (tmp_path / "dovetail.toml").write_text(
        '[defaults]\nllm = "openai:gpt-4o-mini"\n\n[providers.openai]\napi_key = "${MY_KEY}"\ntimeout = 20\n'
    )
    result = dovetail("config", "show", cwd=tmp_path, env={"MY_KEY": SECRET, "PINECONE_API_KEY": SECRET + "-pc"})
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert 'api_key = "**********"  # from config file' in result.stdout
    assert "[providers.pinecone]" in result.stdout
    assert "# from $PINECONE_API_KEY" in result.stdout
    assert 'llm = "openai:gpt-4o-mini"' in result.stdout
    as_json = json.loads(dovetail("config", "show", "--json", cwd=tmp_path, env={"MY_KEY": SECRET}).stdout)
    assert as_json["providers"]["openai"]["timeout"] == {"value": 20.0, "source": "config file"}
    assert dovetail("config", "path", cwd=tmp_path).stdout.strip() == str(tmp_path / "dovetail.toml")


def test_config_show_reports_invalid_values_with_file_key_and_range(tmp_path: Path) -> None:
    (tmp_path / "dovetail.toml").write_text("[providers.openai]\nmax_retries = 50\n")
    result = dovetail("config", "show", cwd=tmp_path)
    assert result.returncode == 2
    assert str(tmp_path / "dovetail.toml") in result.stderr
    assert "max_retries = 50" in result.stderr
    assert "less than or equal to 10" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_show_masks_unknown_providers_secrets_and_url_credentials(tmp_path: Path) -> None:
    (tmp_path / "dovetail.toml").write_text(
        "[providers.acme]\n"
        f'token = "{SECRET}-tok"\nsecret_key = "{SECRET}-sk"\nclient_password = "{SECRET}-pw"\n'
        f'base_url = "https://svc:{SECRET}-url@acme.example/v1"\nregion = "eu"\n'
        "[providers.openai]\n"
        f'base_url = "https://proxy-user:{SECRET}-proxy@proxy.example/v1"\n'
    )
    for args in (("config", "show"), ("config", "show", "--json")):
        result = dovetail(*args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert SECRET not in result.stdout + result.stderr
        assert "acme.example/v1" in result.stdout
        assert "eu" in result.stdout, "settings that are not secret are shown"
    assert 'base_url = "https://***@acme.example/v1"' in dovetail("config", "show", cwd=tmp_path).stdout


@pytest.mark.parametrize(
    "section",
    [
        f'[providers.openai]\napi_key = ["{SECRET}"]\n',
        f'[providers.mongodb]\nuri = 42\ndb_name = ["mongodb://u:{SECRET}@h"]\n',
        f'[providers.langfuse]\nsecret_key = {{ value = "{SECRET}" }}\n',
    ],
)
def test_invalid_secret_values_are_never_echoed(tmp_path: Path, section: str) -> None:
    (tmp_path / "dovetail.toml").write_text(section)
    result = dovetail("config", "show", cwd=tmp_path)
    assert result.returncode == 2
    assert SECRET not in result.stdout + result.stderr
    assert "Input should be" in result.stderr, "the rule is still named"


def test_models_lists_installed_catalogs_and_explains_unknown_providers(tmp_path: Path) -> None:
    listing = dovetail("models", "--json", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    rows = json.loads(listing.stdout)
    for row in rows:
        assert row["modes"], row
        if "embedding" in row["modes"]:
            assert row["embedding_dimensions"] > 0
    providers = {row["provider"] for row in rows}
    assert "openai_like" not in providers  # shares the openai module's catalog; listed once
    unknown = dovetail("models", "no_such_provider", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "dovetail providers" in unknown.stderr


@pytest.mark.parametrize("command", [["models", "--help"], ["config", "--help"], ["config", "show", "--help"]])
def test_help_explains_each_command(tmp_path: Path, command: list[str]) -> None:
    result = dovetail(*command, cwd=tmp_path)
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) > 3
