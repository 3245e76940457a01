"""``dovetail.core.__version__`` is the installed distribution's version, which is core/pyproject.toml's."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_version_comes_from_the_distribution_metadata() -> None:
    import dovetail.core

    declared = re.search(r'(?m)^version = "([^"]+)"', PYPROJECT.read_text(encoding="utf-8"))
    assert declared is not None
    assert dovetail.core.__version__ == version("dovetail-core") == declared.group(1)


def test_import_does_not_read_metadata_until_asked() -> None:
    code = "import sys, dovetail.core; print('importlib.metadata' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
