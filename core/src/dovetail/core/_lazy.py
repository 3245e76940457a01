"""Lazy module attributes: a package exports names whose modules are imported on first access (PEP 562)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    namespace: dict[str, Any],
    targets: Mapping[str, str],
    aliases: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` that import ``targets[name]`` on first access.

    Args:
        package: the package's ``__name__`` (for error messages).
        namespace: the package's ``globals()``; a loaded value is cached there.
        targets: public name → module that defines it.
        aliases: public name → (module, name it has there), for older names of the same object.

    Example:
        ```python
        _LAZY = {"SimpleVectorStore": "dovetail.core.vector_stores.simple"}
        __getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
        ```
    """

    renamed = dict(aliases or {})

    def __getattr__(name: str) -> Any:
        module = targets.get(name)
        source = name
        if module is None and name in renamed:
            module, source = renamed[name]
        if module is None:
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        value = getattr(import_module(module), source)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(namespace.get("__all__", ())) | set(targets) | set(renamed))

    return __getattr__, __dir__
