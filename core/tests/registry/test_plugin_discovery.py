"""A third-party plugin becomes visible only through its entry point, in a fresh venv, without being imported."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CORE_DIR = Path(__file__).resolve().parents[2]

PLUGIN_PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "acme-dovetail-plugin"
version = "2.3.4"

[tool.hatch.build.targets.wheel]
packages = ["src/acme_plugin"]

[project.entry-points."dovetail.llms"]
acme = "acme_plugin.llm:AcmeLLM"

# a domain the table does not list yet: the entry-point group alone makes it visible
[project.entry-points."dovetail.rerankers"]
acme = "acme_plugin.llm:AcmeLLM"
"""

PLUGIN_MODULE = """
import os
open(os.environ["ACME_IMPORT_MARKER"], "w").close()   # proves when (and whether) the plugin is imported


class AcmeLLM:
    def __init__(self, model=None, temperature=0.0):
        self.model = model
        self.temperature = temperature
"""

LIST_PROBE = """
from dovetail.core.registry import list_providers
print(" ".join(info.name for info in list_providers("llms") if info.installed))
"""

PROBE = """
import json, os, sys
from dovetail.core.registry import list_providers, resolve_llm
infos = [i.__dict__ for i in list_providers("llms")]
everywhere = [[i.domain, i.name] for i in list_providers() if i.installed]
rerankers = [i.name for i in list_providers("rerankers")]
imported_after_listing = os.path.exists(os.environ["ACME_IMPORT_MARKER"])
llm = resolve_llm("acme:acme-large", temperature=0.5)
print(json.dumps({"infos": infos, "everywhere": everywhere, "rerankers": rerankers,
                  "imported_after_listing": imported_after_listing,
                  "model": llm.model, "temperature": llm.temperature}))
"""


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload,no-any-return]


@pytest.mark.slow
def test_plugin_is_discovered_through_its_entry_point_only(tmp_path: Path) -> None:
    plugin = tmp_path / "plugin"
    (plugin / "src" / "acme_plugin").mkdir(parents=True)
    (plugin / "pyproject.toml").write_text(textwrap.dedent(PLUGIN_PYPROJECT))
    (plugin / "src" / "acme_plugin" / "__init__.py").write_text("")
    (plugin / "src" / "acme_plugin" / "llm.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    uv = [sys.executable, "-m", "uv"]
    run([*uv, "venv", "--quiet", "--python", sys.executable, str(venv)])
    # core without its dependencies is enough for discovery: the registry needs only the standard library
    run([*uv, "pip", "install", "--quiet", "--python", str(python), "--no-deps", str(CORE_DIR)])
    marker = tmp_path / "imported"
    env = {"ACME_IMPORT_MARKER": str(marker), "PATH": "/usr/bin:/bin"}

    assert "acme" not in run([str(python), "-c", LIST_PROBE], env=env).stdout.split()

    run([*uv, "pip", "install", "--quiet", "--python", str(python), "--no-deps", str(plugin)])
    after = json.loads(run([str(python), "-c", PROBE], env=env).stdout)
    acme = next(info for info in after["infos"] if info["name"] == "acme")
    assert acme == {
        "name": "acme",
        "domain": "llms",
        "package": "acme-dovetail-plugin",
        "installed": True,
        "version": "2.3.4",
        "target": "acme_plugin.llm:AcmeLLM",
    }
    assert ["rerankers", "acme"] in after["everywhere"]
    assert after["rerankers"] == ["acme"]
    assert after["imported_after_listing"] is False
    assert (after["model"], after["temperature"]) == ("acme-large", 0.5)
