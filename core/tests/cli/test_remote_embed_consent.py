"""An index's recorded remote embedding model is not called unless the user confirms it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovetail.core import load_index_from_storage
from dovetail.core.cli import EXIT_OK
from dovetail.core.cli import EXIT_USAGE
from dovetail.core.cli import main
from dovetail.core.config import CONFIG_ENV_VAR
from dovetail.core.errors import ConfigurationError
from dovetail.core.storage import StorageContext
from dovetail.core.testing.servers.openai_loopback import LoopbackOpenAI

pytestmark = pytest.mark.integration  # a loopback OpenAI-compatible server

REMOTE_SPEC = "openai:text-embedding-3-small"


def _paths(server: LoopbackOpenAI) -> list[str]:
    """The paths the embedding model was called on."""
    return [request.path for request in server.requests]


@pytest.fixture
def remote(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LoopbackOpenAI]:
    """An OpenAI-compatible server on 127.0.0.1 that records its requests, set as the OpenAI endpoint."""
    with LoopbackOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-local")
        (tmp_path / "dovetail.toml").write_text("")
        monkeypatch.setenv(CONFIG_ENV_VAR, str(tmp_path / "dovetail.toml"))
        yield server


@pytest.fixture
def downloaded_index(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path) -> Path:
    """An index whose record names a remote embedding model (as one built elsewhere and downloaded would)."""
    index = tmp_path / "index"
    assert main(["ingest", str(corpus), "--index", str(index), "--embed", "mock:16", "--quiet"]) == EXIT_OK
    store = index / "index_store.json"
    store.write_text(store.read_text().replace('"mock:16"', json.dumps(REMOTE_SPEC)))
    capsys.readouterr()
    return index


def test_query_refuses_a_recorded_remote_model_without_consent(
    capsys: pytest.CaptureFixture[str], remote: LoopbackOpenAI, downloaded_index: Path
) -> None:
    code = main(["query", "what is a dovetail?", "--index", str(downloaded_index)])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert f"--embed {REMOTE_SPEC}" in err
    assert _paths(remote) == []


def test_ingest_refuses_a_recorded_remote_model_without_consent(
    capsys: pytest.CaptureFixture[str], remote: LoopbackOpenAI, downloaded_index: Path, corpus: Path
) -> None:
    (corpus / "new.md").write_text("Half-blind dovetails hide the joint from the front.\n")
    code = main(["ingest", str(corpus), "--index", str(downloaded_index), "--quiet"])
    assert code == EXIT_USAGE
    assert "remote provider" in capsys.readouterr().err
    assert _paths(remote) == []


def test_library_load_refuses_a_recorded_remote_model_without_consent(
    remote: LoopbackOpenAI, downloaded_index: Path
) -> None:
    index = load_index_from_storage(StorageContext.from_defaults(persist_dir=downloaded_index))
    with pytest.raises(ConfigurationError, match="remote provider"):
        index.as_retriever().retrieve("what is a dovetail?")
    assert _paths(remote) == []


@pytest.mark.integration
def test_query_with_embed_flag_uses_the_remote_model(
    capsys: pytest.CaptureFixture[str], remote: LoopbackOpenAI, downloaded_index: Path
) -> None:
    code = main(["query", "dovetail?", "--index", str(downloaded_index), "--embed", REMOTE_SPEC])
    assert code == EXIT_OK, capsys.readouterr().err
    assert _paths(remote) == ["/v1/embeddings"]


@pytest.mark.integration
def test_query_with_the_model_in_the_config_uses_it(
    capsys: pytest.CaptureFixture[str], remote: LoopbackOpenAI, downloaded_index: Path, tmp_path: Path
) -> None:
    (tmp_path / "dovetail.toml").write_text(f'[defaults]\nembed_model = "{REMOTE_SPEC}"\n')
    code = main(["query", "dovetail?", "--index", str(downloaded_index)])
    assert code == EXIT_OK, capsys.readouterr().err
    assert _paths(remote) == ["/v1/embeddings"]


def test_a_different_embed_flag_is_refused(capsys: pytest.CaptureFixture[str], downloaded_index: Path) -> None:
    code = main(["query", "dovetail?", "--index", str(downloaded_index), "--embed", "mock:16"])
    assert code == EXIT_USAGE
    assert "built with --embed" in capsys.readouterr().err
