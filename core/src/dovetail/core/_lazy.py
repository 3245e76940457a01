"""Lazy module attributes: a package exports names whose modules are imported on first access (PEP 562).

A module that re-exports another module's names states them once, in ``__all__``; type checkers read them through a
``TYPE_CHECKING`` star import, which ``__all__`` narrows to the exported names:

```python
from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

# ruff: noqa: F403, F405
if TYPE_CHECKING:
    from dovetail.core.tokenizers import *

__all__ = ["get_tokenizer", "set_global_tokenizer"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), "dovetail.core.tokenizers")
```
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    namespace: dict[str, Any],
    targets: str | Mapping[str, str],
    aliases: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` that import a name's module on first access.

    Args:
        package: the package's ``__name__`` (for error messages).
        namespace: the package's ``globals()``; a loaded value is cached there.
        targets: public name → module that defines it; or one module, which then provides every name of the
            package's ``__all__`` (already in ``namespace`` when this is called) that is not yet defined.
        aliases: public name → (module, name it has there), for older names of the same object.

    Example:
        ```python
        _LAZY = {"SimpleVectorStore": "dovetail.core.vector_stores.simple"}
        __getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
        ```
    """

    if isinstance(targets, str):
        table = {name: targets for name in namespace["__all__"] if name not in namespace}
    else:
        table = dict(targets)
    renamed = dict(aliases or {})

    def __getattr__(name: str) -> Any:
        module = table.get(name)
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
        return sorted(set(namespace) | set(namespace.get("__all__", ())) | set(table) | set(renamed))

    return __getattr__, __dir__
