"""The integration domains dovetail knows, read from the one table ``domains.json`` beside this module.

The same file feeds the registry (``dovetail providers``), the scaffold, the health check and the templates
(``scripts/workspace.py`` reads it with the standard library), so adding a domain is one edit to that file.
A provider of a domain needs no edit at all: its ``dovetail.<domain>`` entry point is enough.

Example:
    ```python
    from dovetail.core.domains import domain_spec

    spec = domain_spec("vector_stores")
    print(spec.contract, spec.kit)  # dovetail.core.vector_stores:BasePydanticVectorStore VectorStoreConformance
    ```
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from functools import cache
from pathlib import Path
from typing import Any

from dovetail.core._exceptions import InvalidInputError

__all__ = ["DomainSpec", "domain_names", "domain_spec", "domain_table"]

TABLE_PATH = Path(__file__).with_name("domains.json")


@dataclass(frozen=True)
class DomainSpec:
    """One integration domain.

    Attributes:
        name: the domain id, also the entry-point group suffix (``dovetail.<name>``) and the import segment.
        contract: ``module:Class`` every provider class of the domain subclasses, or None while the domain has none.
        class_suffix: suffix of a provider class name (``Pinecone`` + ``VectorStore``).
        kit: the ``dovetail.core.testing`` conformance class for the domain, or None while there is none.
        kit_fixture: the fixture name the kit asks the provider's test to supply.
        example: a README example line, ``{cls}`` standing for the provider class.
        known_providers: providers the dovetail project publishes, listed even when not installed.
        package_overrides: providers whose distribution is not ``dovetail-<domain>-<provider>``.
    """

    name: str
    contract: str | None
    class_suffix: str
    kit: str | None
    kit_fixture: str | None
    example: str
    known_providers: tuple[str, ...] = ()
    package_overrides: dict[str, str] = field(default_factory=dict, hash=False)


def _spec(raw: dict[str, Any]) -> DomainSpec:
    return DomainSpec(
        name=str(raw["name"]),
        contract=raw.get("contract"),
        class_suffix=str(raw["class_suffix"]),
        kit=raw.get("kit"),
        kit_fixture=raw.get("kit_fixture"),
        example=str(raw.get("example", "")),
        known_providers=tuple(raw.get("known_providers", ())),
        package_overrides=dict(raw.get("package_overrides", {})),
    )


@cache
def domain_table() -> tuple[DomainSpec, ...]:
    """Every domain, in the table's order."""
    data = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    return tuple(_spec(raw) for raw in data["domains"])


def domain_names() -> tuple[str, ...]:
    """The domain ids, in the table's order."""
    return tuple(spec.name for spec in domain_table())


def domain_spec(name: str) -> DomainSpec:
    """The table row of ``name``.

    Raises:
        InvalidInputError: ``name`` is not a domain; the message lists the known ones.
    """
    for spec in domain_table():
        if spec.name == name:
            return spec
    msg = f"unknown domain {name!r}; expected one of {', '.join(domain_names())}"
    raise InvalidInputError(msg)
