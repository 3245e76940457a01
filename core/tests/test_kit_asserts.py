"""A failing kit test shows the values it compared: pytest rewrites the kits' asserts, not only test files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = """
__all__ = ["listed_name"]
listed_name = 1
unlisted_name = 2
"""

KIT_USER = """
from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "probe_package"
    entry_points = {}
"""


def test_a_failing_kit_assert_reports_the_compared_values(tmp_path: Path) -> None:
    (tmp_path / "probe_package.py").write_text(PACKAGE)
    (tmp_path / "test_user.py").write_text(KIT_USER)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "test_all_is_exact", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "unlisted_name" in proc.stdout, proc.stdout
