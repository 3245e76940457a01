"""What a module's ``__all__`` should list, for the exact-exports test every package carries.

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

from types import ModuleType

__all__ = ["public_names"]

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
