"""What a module's ``__all__`` should list, for the exact-exports test every package carries.

:func:`public_names` is the check; :class:`ExportsConformance` is the whole exports test of an integration
package (``__all__`` exact, entry points load the exported classes, which subclass the domain's base class,
importing the package loads no SDK).

Example:
    ```python
    import dovetail.vector_stores.pinecone as package
    from dovetail.core.testing import public_names

    def test_all_is_exact() -> None:
        assert sorted(package.__all__) == public_names(package)
    ```
"""

from __future__ import annotations
import __future__

import subprocess
import sys
from importlib import import_module
from importlib.metadata import entry_points
from types import ModuleType
from typing import ClassVar

from dovetail.core.domains import domain_spec
from dovetail.core.testing._guard import ConformanceBase

__all__ = ["ExportsConformance", "public_names"]

_FEATURE = type(__future__.annotations)


def public_names(module: ModuleType) -> list[str]:
    """The sorted names ``module`` defines or imports without a leading underscore.

    Two kinds of attribute are not API and are left out: submodules of ``module`` (the import system sets them
    on the package when ``base.py`` is imported) and ``from __future__`` features. A lazily exported name (PEP 562
    ``__getattr__``) counts once it has been accessed; call ``getattr`` on each ``__all__`` entry first.
    """
    prefix = module.__name__ + "."
    names = []
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, _FEATURE):
            continue
        if isinstance(value, ModuleType) and value.__name__.startswith(prefix):
            continue
        names.append(name)
    return sorted(names)


class ExportsConformance(ConformanceBase):
    """Kit tests of an integration package's public surface. Subclass it and set the class attributes.

    Attributes:
        package: the import path, e.g. ``"dovetail.llms.anthropic"``.
        entry_points: entry point name → the exported class it must load, e.g. ``{"anthropic": "Anthropic"}``.
        not_imported: modules a fresh ``import <package>`` must not load (the SDK and its HTTP client are
            imported on first use), e.g. ``("anthropic", "httpx")``.
        entry_point_group: the registry group; by default ``dovetail.<domain>`` of ``package``.
        base_class: the class every exported provider class subclasses; by default the domain's contract in the
            domain table (:mod:`dovetail.core.domains`: ``LLM`` for ``llms``, ``BaseEmbedding`` for
            ``embeddings``, ...).

    Example:
        ```python
        class TestExports(ExportsConformance):
            package = "dovetail.llms.anthropic"
            entry_points = {"anthropic": "Anthropic"}
            not_imported = ("anthropic", "httpx")
        ```
    """

    _kit_class: ClassVar[bool] = True

    package: ClassVar[str]
    entry_points: ClassVar[dict[str, str]]
    not_imported: ClassVar[tuple[str, ...]] = ()
    entry_point_group: ClassVar[str | None] = None
    base_class: ClassVar[type | None] = None

    def _group(self) -> str:
        return self.entry_point_group or f"dovetail.{self.package.split('.')[1]}"

    def _base(self) -> type:
        if self.base_class is not None:
            return self.base_class
        contract = domain_spec(self.package.split(".")[1]).contract
        assert contract, f"the domain of {self.package} has no contract class; set base_class"
        module, _, name = contract.partition(":")
        base: type = getattr(import_module(module), name)
        return base

    def _module(self) -> ModuleType:
        module = import_module(self.package)
        for name in module.__all__:
            getattr(module, name)  # a lazily exported name counts once accessed
        return module

    def test_all_is_exact(self) -> None:
        """``__all__`` lists exactly the public names of the package."""
        module = self._module()
        assert sorted(module.__all__) == public_names(module)

    def test_entry_points_load_the_exported_classes(self) -> None:
        """Each entry point of the group loads the class the package exports under that name."""
        module = self._module()
        group = self._group()
        found = {ep.name: ep for ep in entry_points(group=group)}
        for name, class_name in self.entry_points.items():
            assert name in found, f"no {group!r} entry point named {name!r}; reinstall the package"
            assert found[name].load() is getattr(module, class_name)

    def test_exported_classes_subclass_the_domain_base(self) -> None:
        """The classes the entry points name subclass the domain's contract class (``base_class``)."""
        module, base = self._module(), self._base()
        for class_name in self.entry_points.values():
            assert issubclass(getattr(module, class_name), base), class_name

    def test_import_is_lazy(self) -> None:
        """A fresh interpreter's ``import <package>`` loads none of ``not_imported``."""
        names = list(self.not_imported)
        code = f"import sys, {self.package}; print([m for m in {names!r} if m in sys.modules])"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
        assert done.stdout.strip() == "[]", f"importing {self.package} loaded {done.stdout.strip()}; import lazily"
