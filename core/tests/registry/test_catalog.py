"""Model catalog schema: valid files load, invalid ones fail with the file name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dovetail.core.catalog import ModelCatalog
from dovetail.core.catalog import load_catalog_file
from dovetail.core.errors import ConfigurationError

GOOD = {
    "provider": "acme",
    "models": [
        {
            "id": "acme-chat",
            "display_name": "Acme Chat",
            "modes": ["chat"],
            "context_window": 8192,
            "max_output_tokens": 1024,
            "supports_tools": True,
            "deprecation_date": "2001-01-01",
        },
        {"id": "acme-embed", "modes": ["embedding"], "embedding_dimensions": 256},
    ],
}


def test_valid_catalog_loads(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(GOOD))
    catalog = load_catalog_file(path)
    chat = catalog.get("acme-chat")
    assert chat is not None
    assert chat.is_chat_model
    assert chat.supports_tools
    assert not chat.supports_vision
    assert chat.is_deprecated
    assert catalog.get("nope") is None


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["models"][0].update(context_window=0), "greater than 0"),
        (lambda d: d["models"][0].update(modes=["teleport"]), "modes"),
        (lambda d: d["models"][1].pop("embedding_dimensions"), "needs embedding_dimensions"),
        (lambda d: d["models"].append(dict(d["models"][0])), "duplicate model ids"),
        (lambda d: d["models"][0].update(colour="red"), "colour"),
    ],
)
def test_invalid_catalogs_are_rejected_with_the_file_name(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(GOOD))
    mutate(data)
    path = tmp_path / "models.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigurationError, match=message) as info:
        load_catalog_file(path)
    assert str(path) in str(info.value)


def test_catalog_schema_is_frozen() -> None:
    catalog = ModelCatalog.model_validate(GOOD)
    with pytest.raises(Exception, match="frozen"):
        catalog.models[0].id = "x"  # type: ignore[misc]
