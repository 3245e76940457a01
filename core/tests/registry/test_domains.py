"""The one domain table: every row names real contracts and kits, and the registry lists what it says."""

from __future__ import annotations

import importlib
import json

import pytest
from dovetail.core import testing
from dovetail.core.domains import TABLE_PATH
from dovetail.core.domains import domain_names
from dovetail.core.domains import domain_spec
from dovetail.core.domains import domain_table
from dovetail.core.errors import InvalidInputError
from dovetail.core.registry import DOMAINS
from dovetail.core.registry import list_providers
from dovetail.core.registry import package_name


def test_registry_domains_are_the_table_rows() -> None:
    rows = json.loads(TABLE_PATH.read_text(encoding="utf-8"))["domains"]
    assert DOMAINS == domain_names() == tuple(row["name"] for row in rows)
    assert {"llms", "embeddings", "vector_stores", "readers", "callbacks", "retrievers", "ingestion"} <= set(DOMAINS)


@pytest.mark.parametrize("spec", domain_table(), ids=lambda spec: spec.name)
def test_each_row_names_an_importable_contract_and_kit(spec: object) -> None:
    from dovetail.core.domains import DomainSpec

    assert isinstance(spec, DomainSpec)
    if spec.contract is not None:
        module, _, name = spec.contract.partition(":")
        assert isinstance(getattr(importlib.import_module(module), name), type)
    if spec.kit is not None:
        assert spec.kit in testing.__all__
        assert spec.kit_fixture
    assert "{cls}" in spec.example


def test_known_providers_of_every_row_are_listed() -> None:
    listed = {(info.domain, info.name) for info in list_providers()}
    for spec in domain_table():
        for provider in spec.known_providers:
            assert (spec.name, provider) in listed
            expected = spec.package_overrides.get(provider, f"dovetail-{spec.name}-{provider}".replace("_", "-"))
            assert package_name(spec.name, provider) == expected


def test_unknown_domain_is_a_typed_error_naming_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match="expected one of llms, embeddings"):
        domain_spec("teleporters")
    with pytest.raises(InvalidInputError, match="unknown domain 'teleporters'"):
        list_providers("teleporters")
