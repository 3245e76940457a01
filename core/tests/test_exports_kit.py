"""The exports kit fails on a wrong ``__all__``, a missing entry point and a class outside the domain's base."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import ClassVar

import pytest
from dovetail.core.llms import LLM
from dovetail.core.llms import MockLLM
from dovetail.core.testing import ExportsConformance
from dovetail.core.testing import KitTestOverriddenError


@pytest.fixture
def fake_package() -> Iterator[types.ModuleType]:
    module = types.ModuleType("dovetail_fake_exports")
    module.MockLLM = MockLLM  # type: ignore[attr-defined]
    module.__all__ = ["MockLLM"]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


class _Kit(ExportsConformance):
    package = "dovetail_fake_exports"
    entry_point_group = "dovetail.llms"
    entry_points = {"openai": "MockLLM"}  # the entry point exists but loads another class
    base_class: ClassVar[type] = LLM


def test_all_is_exact_passes_then_fails_on_an_unlisted_public_name(fake_package: types.ModuleType) -> None:
    _Kit().test_all_is_exact()
    fake_package.helper = len  # type: ignore[attr-defined]
    with pytest.raises(AssertionError):
        _Kit().test_all_is_exact()


def test_entry_point_that_loads_another_class_fails(fake_package: types.ModuleType) -> None:
    with pytest.raises(AssertionError):
        _Kit().test_entry_points_load_the_exported_classes()


def test_missing_entry_point_fails_naming_it(fake_package: types.ModuleType) -> None:
    class Missing(_Kit):
        entry_points = {"no-such-provider": "MockLLM"}

    with pytest.raises(AssertionError, match="no-such-provider"):
        Missing().test_entry_points_load_the_exported_classes()


def test_class_outside_the_domain_base_fails(fake_package: types.ModuleType) -> None:
    class WrongBase(_Kit):
        base_class = int

    _Kit().test_exported_classes_subclass_the_domain_base()
    with pytest.raises(AssertionError, match="MockLLM"):
        WrongBase().test_exported_classes_subclass_the_domain_base()


def test_exports_kit_tests_cannot_be_overridden() -> None:
    with pytest.raises(KitTestOverriddenError, match="test_all_is_exact"):

        class Cheating(ExportsConformance):
            def test_all_is_exact(self) -> None:
                pass


def test_import_is_lazy_passes_then_fails_on_a_module_the_import_loads() -> None:
    class Light(_Kit):
        package = "dovetail.core.llms"
        not_imported = ("numpy", "httpx")

    class Heavy(_Kit):
        package = "json"
        not_imported = ("json.decoder",)

    Light().test_import_is_lazy()
    with pytest.raises(AssertionError, match=r"importing json loaded \['json.decoder'\]"):
        Heavy().test_import_is_lazy()


@pytest.mark.parametrize(("domain", "fits"), [("llms", True), ("embeddings", False)])
def test_base_class_defaults_to_the_domain_contract(domain: str, fits: bool) -> None:
    name = f"dovetail.{domain}.kit_fake_provider"
    module = types.ModuleType(name)
    module.MockLLM = MockLLM  # type: ignore[attr-defined]
    module.__all__ = ["MockLLM"]  # type: ignore[attr-defined]
    sys.modules[name] = module

    class Derived(ExportsConformance):
        package = name
        entry_points = {"fake": "MockLLM"}

    try:
        if fits:
            Derived().test_exported_classes_subclass_the_domain_base()
        else:
            with pytest.raises(AssertionError, match="MockLLM"):
                Derived().test_exported_classes_subclass_the_domain_base()
    finally:
        del sys.modules[name]
