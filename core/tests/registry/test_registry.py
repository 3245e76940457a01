"""Registry: spec parsing, listing known-but-missing providers, errors that name the package to install."""

from __future__ import annotations

import pytest
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.registry import list_providers
from dovetail.core.registry import load_provider_class
from dovetail.core.registry import package_name
from dovetail.core.registry import parse_spec
from dovetail.core.registry import resolve_llm


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("openai:gpt-4o-mini", ("openai", "gpt-4o-mini")),
        ("OpenAI:gpt-4o", ("openai", "gpt-4o")),
        ("ollama:llama3:8b", ("ollama", "llama3:8b")),
        ("mock", ("mock", None)),
        (" onnx : all-MiniLM-L6-v2 ", ("onnx", "all-MiniLM-L6-v2")),
    ],
)
def test_parse_spec(spec: str, expected: tuple[str, str | None]) -> None:
    assert parse_spec(spec) == expected


@pytest.mark.parametrize("spec", ["", "   ", ":gpt-4o", 42])
def test_bad_specs_are_invalid_input(spec: object) -> None:
    with pytest.raises(InvalidInputError):
        parse_spec(spec)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("domain", "provider", "package"),
    [
        ("vector_stores", "pinecone", "dovetail-vector-stores-pinecone"),
        ("llms", "openai_like", "dovetail-llms-openai"),
        ("readers", "mongodb", "dovetail-readers-mongodb"),
    ],
)
def test_package_names(domain: str, provider: str, package: str) -> None:
    assert package_name(domain, provider) == package


def test_unknown_provider_names_the_package_to_install() -> None:
    with pytest.raises(ConfigurationError, match=r"pip install dovetail-llms-nosuchprovider"):
        resolve_llm("nosuchprovider:model-x")
    with pytest.raises(InvalidInputError, match="unknown domain"):
        load_provider_class("teleporters", "x")


def test_known_providers_are_listed_with_install_status() -> None:
    infos = {(i.domain, i.name): i for i in list_providers()}
    for key in [("llms", "openai"), ("vector_stores", "pinecone"), ("callbacks", "langfuse")]:
        assert key in infos
        info = infos[key]
        assert info.package == package_name(*key)
        assert info.installed == (info.version is not None)
