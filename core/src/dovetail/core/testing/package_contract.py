"""Packaging checks of the export and release tests: namespace leaf, entry point, lazy SDK import, wheel build.

Example:
    ```python
    import dovetail.vector_stores.pinecone as package
    from dovetail.core.testing.package_contract import assert_namespace_leaf, entry_point_target

    def test_namespace_layout() -> None:
        assert_namespace_leaf(package)

    def test_entry_point_is_registered() -> None:
        assert entry_point_target("dovetail.vector_stores", "pinecone") is package.PineconeVectorStore
    ```
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

__all__ = ["assert_imports_without", "assert_namespace_leaf", "build_wheel", "entry_point_target", "run_python"]


def assert_namespace_leaf(package: ModuleType) -> None:
    """Fail unless ``package`` (``dovetail.<domain>.<provider>``) is a typed leaf of the two namespace levels.

    Neither ``dovetail/`` nor ``dovetail/<domain>/`` may hold an ``__init__.py`` or a ``py.typed`` (either would
    shadow the other installed packages of the namespace); the provider folder must hold ``py.typed``.
    """
    if package.__file__ is None:
        msg = f"{package.__name__} has no __file__; it must be a regular package with an __init__.py"
        raise AssertionError(msg)
    leaf = Path(package.__file__).resolve().parent
    for level in (leaf.parent, leaf.parent.parent):
        for marker in ("__init__.py", "py.typed"):
            assert not (level / marker).exists(), f"{level / marker} breaks the dovetail namespace; delete it"
    assert (leaf / "py.typed").exists(), f"{leaf / 'py.typed'} is missing; type checkers will ignore the package"


def entry_point_target(group: str, name: str) -> object:
    """Load the one entry point ``name`` of ``group``; fail when there is none or more than one."""
    matches = [ep for ep in entry_points(group=group) if ep.name == name]
    assert len(matches) == 1, f"expected one {group} entry point named {name!r}, found {len(matches)}"
    return matches[0].load()


def assert_imports_without(modules: str | Sequence[str], heavy: Sequence[str]) -> None:
    """Import ``modules`` (one name or several) in a fresh interpreter; fail if that imported any ``heavy`` one."""
    names = [modules] if isinstance(modules, str) else list(modules)
    code = f"import sys, {', '.join(names)}; print(*[name in sys.modules for name in {list(heavy)!r}])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = [name for name, flag in zip(heavy, out.split(), strict=True) if flag == "True"]
    assert not loaded, f"importing {', '.join(names)} imported {loaded}; import them lazily"


# Source run first in the child interpreter: a meta-path finder that makes the packages named in argv[1]
# (comma-separated) unimportable, as when they are not installed.
_HIDE_PACKAGES = """
import sys
_hidden = set(filter(None, sys.argv[1].split(",")))
class _Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in _hidden:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _Hide())
"""


def run_python(code: str, *, hide: Sequence[str] = (), timeout: float = 120) -> str:
    """Run ``code`` in a fresh interpreter in which the top-level packages ``hide`` cannot be imported (as when
    they are not installed); fail with its stderr unless it exits 0; return what it printed."""
    argv = [sys.executable, "-c", _HIDE_PACKAGES + code, ",".join(hide)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def build_wheel(project: Path, out_dir: Path, *, timeout: float = 300) -> None:
    """Build the wheel of the project folder ``project`` into ``out_dir`` as a release does (``uv build
    --no-sources``: the declared dependencies, not the workspace's)."""
    cmd = [sys.executable, "-m", "uv", "build", "--quiet", "--no-sources", "--wheel", "--out-dir", str(out_dir)]
    subprocess.run([*cmd, str(project)], check=True, timeout=timeout)
