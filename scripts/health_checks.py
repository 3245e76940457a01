"""The individual checks of the integration health check. Each returns a :class:`CheckResult` with a reason."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from workspace import DOMAINS
from workspace import ROOT
from workspace import Package
from workspace import discover
from workspace import domain_table
from workspace import normalize
from workspace import requirement_name

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:[-.]?(?:a|b|rc|dev|post)\d+)?$")
# ``module:Class`` each domain's provider classes subclass, from the domain table (None: no contract yet).
CONTRACTS = {name: row["contract"] for name, row in domain_table().items()}
REQUIRED_PROJECT_KEYS = (
    "name",
    "version",
    "description",
    "readme",
    "license",
    "requires-python",
    "authors",
    "classifiers",
    "urls",
    "dependencies",
)


@dataclass
class CheckResult:
    """Outcome of one check on one package."""

    name: str
    passed: bool
    reason: str = ""
    required: bool = True
    weight: int = 1


def _fail(name: str, reason: str, weight: int = 1, required: bool = True) -> CheckResult:
    return CheckResult(name, False, reason, required, weight)


def _ok(name: str, detail: str = "", weight: int = 1, required: bool = True) -> CheckResult:
    return CheckResult(name, True, detail, required, weight)


def run(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600
) -> tuple[int, str]:
    """Run a command; return (exit code, combined output tail)."""
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {timeout:.0f}s: {' '.join(cmd)}"
    return proc.returncode, (proc.stdout + proc.stderr)[-2000:]


def expected_identity(package: Package) -> tuple[str, str, str] | None:
    """(distribution name, directory name, import path) implied by ``[tool.dovetail]`` domain/provider."""
    meta = package.dovetail
    domain, provider = meta.get("domain"), meta.get("provider")
    if package.is_core:
        return "dovetail-core", "core", "dovetail.core"
    if not isinstance(domain, str) or not isinstance(provider, str):
        return None
    dist = f"dovetail-{domain.replace('_', '-')}-{provider.replace('_', '-')}"
    return dist, dist, f"dovetail.{domain}.{provider}"


def _has_floor_and_ceiling(requirement: str) -> bool:
    spec = requirement.split(";")[0]
    return ">=" in spec and "<" in spec.replace("<=", "")


def check_metadata(package: Package) -> CheckResult:
    """pyproject complete; name ↔ directory ↔ import path ↔ [tool.dovetail] ↔ entry points consistent."""
    problems: list[str] = []
    project = package.project
    problems += [f"[project] lacks {key}" for key in REQUIRED_PROJECT_KEYS if not project.get(key)]
    if not SEMVER.match(package.version):
        problems.append(f"version {package.version!r} is not semver (X.Y.Z)")
    if project.get("requires-python") and not str(project["requires-python"]).startswith(">="):
        problems.append("requires-python must be a floor like '>=3.10'")
    backend = package.pyproject.get("build-system", {}).get("build-backend")
    if backend != "hatchling.build":
        problems.append(f"build-backend is {backend!r}, expected 'hatchling.build'")
    wheel = package.pyproject.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {}).get("wheel", {})
    if wheel.get("packages") != ["src/dovetail"]:
        problems.append('[tool.hatch.build.targets.wheel] packages must be ["src/dovetail"]')
    identity = expected_identity(package)
    meta = package.dovetail
    if identity is None:
        problems.append("[tool.dovetail] needs domain and provider")
    else:
        dist, directory, import_path = identity
        if not package.is_core and meta.get("domain") not in DOMAINS:
            problems.append(f"[tool.dovetail] domain {meta.get('domain')!r} is not one of {', '.join(DOMAINS)}")
        if package.name != dist:
            problems.append(f"name {package.name!r} should be {dist!r}")
        if package.path.name != directory:
            problems.append(f"directory {package.path.name!r} should be {directory!r}")
        if meta.get("import_path") != import_path:
            problems.append(f"[tool.dovetail] import_path {meta.get('import_path')!r} should be {import_path!r}")
        if not package.is_core:
            problems += _check_entry_point_table(package, import_path)
    deps = package.dependencies
    if not package.is_core:
        core_deps = [d for d in deps if requirement_name(d) == "dovetail-core"]
        if not core_deps:
            problems.append("no dependency on dovetail-core")
        elif not _has_floor_and_ceiling(core_deps[0]):
            problems.append(f"dovetail-core requirement {core_deps[0]!r} needs a floor and a ceiling")
    problems += [
        f"dependency {d!r} needs a floor and a ceiling (>=a,<b)" for d in deps if not _has_floor_and_ceiling(d)
    ]
    return _fail("metadata", "; ".join(problems), 3) if problems else _ok("metadata", weight=3)


def _check_entry_point_table(package: Package, import_path: str) -> list[str]:
    meta = package.dovetail
    group = f"dovetail.{meta.get('domain')}"
    points = package.project.get("entry-points", {}).get(group, {})
    classes = meta.get("classes") or []
    problems = []
    if not classes:
        problems.append("[tool.dovetail] classes is empty")
    target = points.get(meta.get("provider"))
    if target is None:
        problems.append(f'no entry point {meta.get("provider")!r} in [project.entry-points."{group}"]')
    else:
        module, _, cls = str(target).partition(":")
        if module != import_path or cls not in classes:
            problems.append(f"entry point {target!r} should be '{import_path}:<one of {classes}>'")
    return problems


def check_namespace(package: Package) -> CheckResult:
    """No __init__.py / py.typed at dovetail/ or dovetail/<domain>/; leaf has both."""
    src = package.path / "src" / "dovetail"
    if not src.is_dir():
        return _fail("namespace", "no src/dovetail directory", 2)
    problems = [
        f"{p.relative_to(package.path)} must not exist"
        for name in ("__init__.py", "py.typed")
        if (p := src / name).exists()
    ]
    identity = expected_identity(package)
    if identity:
        leaf = src.joinpath(*identity[2].split(".")[1:])
        if not package.is_core:
            domain_dir = leaf.parent
            problems += [
                f"{p.relative_to(package.path)} must not exist"
                for name in ("__init__.py", "py.typed")
                if (p := domain_dir / name).exists()
            ]
        problems += [
            f"{p.relative_to(package.path)} is missing"
            for name in ("__init__.py", "py.typed")
            if not (p := leaf / name).exists()
        ]
    return _fail("namespace", "; ".join(problems), 2) if problems else _ok("namespace", weight=2)


def check_docs(package: Package) -> CheckResult:
    """README.md and CHANGELOG.md present; the changelog mentions the current version."""
    problems = []
    for name in ("README.md", "CHANGELOG.md"):
        path = package.path / name
        if not path.is_file() or not path.read_text(encoding="utf-8").strip():
            problems.append(f"{name} missing or empty")
    changelog = package.path / "CHANGELOG.md"
    if changelog.is_file() and package.version not in changelog.read_text(encoding="utf-8"):
        problems.append(f"CHANGELOG.md does not mention version {package.version}")
    return _fail("docs", "; ".join(problems)) if problems else _ok("docs")


def build_dists(package: Package, out_dir: Path, isolated: bool = True) -> tuple[int, str]:
    """``uv build --no-sources`` sdist + wheel of a copy of ``package`` staged next to ``out_dir``.

    Outside the workspace, one broken member cannot break this build, and ``--no-sources`` builds the package as
    it will be built from its sdist. ``isolated=False`` builds with this interpreter's (locked) hatchling instead
    of the newest one, so the bytes do not change when hatchling releases. Returns (exit code, output tail).
    Shared by the health check and the publisher.
    """
    staging = out_dir.parent / f"{out_dir.name}-src"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(package.path, staging, ignore=shutil.ignore_patterns("__pycache__", ".venv", "dist", "*.pyc"))
    cmd = [sys.executable, "-m", "uv", "build", "--quiet", "--no-sources", "--sdist", "--wheel"]
    if not isolated:
        cmd += ["--no-build-isolation", "--python", sys.executable]
    return run([*cmd, "--out-dir", str(out_dir), str(staging)])


def build(package: Package, out_dir: Path) -> tuple[CheckResult, Path | None]:
    """``uv build`` sdist + wheel from a copy outside the workspace; inspect the wheel's files and METADATA.

    Building a copy with ``--no-sources`` proves the package builds on its own (as it will from its sdist) and
    keeps one broken workspace member from failing everyone else's build.
    """
    code, output = build_dists(package, out_dir)
    if code:
        return _fail("build", f"uv build failed: {output.strip()[-400:]}", 2), None
    wheels = sorted(out_dir.glob("*.whl"))
    if len(wheels) != 1 or not list(out_dir.glob("*.tar.gz")):
        return _fail("build", f"expected one wheel and one sdist in {out_dir}", 2), None
    wheel = wheels[0]
    identity = expected_identity(package)
    leaf = identity[2].replace(".", "/") + "/" if identity else "dovetail/"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata_name = next((n for n in names if n.endswith(".dist-info/METADATA")), None)
        metadata = archive.read(metadata_name).decode() if metadata_name else ""
    problems = [f"wheel ships {n} outside {leaf}" for n in names if not n.startswith(leaf) and ".dist-info/" not in n]
    problems += [f"wheel ships {n}" for n in names if n in ("dovetail/__init__.py", "dovetail/py.typed")]
    if f"{leaf}py.typed" not in names:
        problems.append(f"wheel lacks {leaf}py.typed")
    if f"Name: {package.name}" not in metadata or f"Version: {package.version}" not in metadata:
        problems.append("wheel METADATA name/version do not match pyproject")
    if not package.is_core and "Requires-Dist: dovetail-core" not in metadata:
        problems.append("wheel METADATA lacks Requires-Dist: dovetail-core")
    return (_fail("build", "; ".join(problems[:5]), 2), wheel) if problems else (_ok("build", wheel.name, 2), wheel)


PROBE = r"""
import importlib, importlib.metadata as md, json, sys
import_path, domain, provider, classes = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
contract_module, contract_name = json.loads(sys.argv[5]) if sys.argv[5] != "null" else (None, None)
out = {"import": None, "base_class": None, "entry_point": None}
try:
    module = importlib.import_module(import_path)
    loaded = {name: getattr(module, name) for name in classes}
    out["import"] = ""
except Exception as exc:
    out["import"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(out)); sys.exit(0)
if contract_module:
    contract = getattr(importlib.import_module(contract_module), contract_name)
    bad = [n for n, c in loaded.items() if not (isinstance(c, type) and issubclass(c, contract))]
    out["base_class"] = "" if not bad else f"{bad} do not subclass {contract_module}.{contract_name}"
    points = {ep.name: ep for ep in md.entry_points(group=f"dovetail.{domain}")}
    if provider not in points:
        out["entry_point"] = f"entry point {provider!r} not installed in group dovetail.{domain}"
    else:
        try:
            target = points[provider].load()
            ok = target in loaded.values()
            out["entry_point"] = "" if ok else f"entry point loads {target!r}, not a declared class"
        except Exception as exc:
            out["entry_point"] = f"entry point failed to load: {type(exc).__name__}: {exc}"
print(json.dumps(out))
"""


def _workspace_dependency_dirs(package: Package, built: Path | None = None) -> list[str]:
    """Source directories of the workspace packages other than core that ``package`` needs, transitively.

    They are not on any index yet (e.g. dovetail-embeddings-openai needs dovetail-llms-openai); uv builds them.
    Those with a wheel in ``built`` (a find-links directory) are left to that wheel.
    """
    if package.is_core:
        return []
    members = {normalize(p.name): p for p in discover(package.path.parents[2])}
    needed: set[str] = set()
    stack = [package]
    while stack:
        for name in stack.pop().internal_dependencies(set(members)) - {"dovetail-core"} - needed:
            needed.add(name)
            stack.append(members[name])
    have = {normalize(w.name.split("-")[0]) for w in built.glob("*.whl")} if built else set()
    return [str(members[name].path) for name in sorted(needed - have)]


def install_and_probe(
    package: Package, wheel: Path, core_wheel: Path, venv: Path, find_links: Path | None = None
) -> list[CheckResult]:
    """Install core + the wheel into a fresh venv; import the declared classes; check contract and entry point.

    ``find_links``: a directory of locally built wheels for other workspace dependencies (not yet on an index).
    """
    names = ("install", "base_class", "entry_point")
    code, output = run([sys.executable, "-m", "uv", "venv", "--quiet", "--python", sys.executable, str(venv)])
    python = venv / "bin" / "python"
    if not code:
        wheels = [str(core_wheel)] if package.is_core else [str(core_wheel), str(wheel)]
        links = ["--find-links", str(find_links)] if find_links else []
        links += _workspace_dependency_dirs(package, find_links)
        cmd = [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--no-sources", "--python", str(python)]
        cmd += [*links, *wheels]
        code, output = run(cmd)
    if code:
        reason = f"install into a fresh venv failed: {output.strip()[-400:]}"
        return [_fail(names[0], reason, 2)] + [_fail(n, "not run: install failed", 2) for n in names[1:]]
    identity = expected_identity(package)
    import_path = identity[2] if identity else str(package.dovetail.get("import_path"))
    meta = package.dovetail
    contract = CONTRACTS.get(str(meta.get("domain")))
    code, output = run(
        [
            str(python),
            "-c",
            PROBE,
            import_path,
            str(meta.get("domain")),
            str(meta.get("provider")),
            json.dumps(meta.get("classes") or []),
            json.dumps(contract.split(":", 1) if contract else None),
        ],
        cwd=venv,
    )
    try:
        probe = json.loads(output.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return [_fail(names[0], f"import probe crashed: {output.strip()[-400:]}", 2)] + [
            _fail(n, "not run", 2) for n in names[1:]
        ]
    results = [
        _fail("install", f"import failed: {probe['import']}", 2) if probe["import"] else _ok("install", weight=2)
    ]
    if package.is_core:
        return results
    for key in names[1:]:
        value = probe[key]
        if value is None:
            results.append(_fail(key, "not run: import failed", 2))
        else:
            results.append(_fail(key, value, 2) if value else _ok(key, weight=2))
    return results


def subclasses_kit(tests: Path, kit_name: str) -> bool:
    """Whether a test class under ``tests`` names the domain's kit (or a kit built on it) among its bases.

    Another kit (``ExportsConformance``) or the kit's name in a comment does not count.
    """
    kit_base = re.compile(rf"^\s*class\s+\w+\s*\([^)]*\b\w*{re.escape(kit_name)}\b", re.MULTILINE)
    return any(kit_base.search(path.read_text(encoding="utf-8")) for path in tests.rglob("*.py"))


def check_tests(package: Package) -> list[CheckResult]:
    """Run the package's tests; the conformance kit must be among them."""
    tests = package.path / "tests"
    if not tests.is_dir():
        return [_fail("tests", "no tests/ directory", 3), _fail("conformance", "no tests/ directory", 2)]
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(package.path / "src"), os.environ.get("PYTHONPATH", "")]))}
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(tests),
        "-q",
        "-p",
        "no:cacheprovider",
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
    ]
    code, output = run(cmd, cwd=ROOT, env=env)
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    tests_result = _ok("tests", summary, 3) if code == 0 else _fail("tests", f"pytest exit {code}: {summary}", 3)
    kit_name = domain_table().get(str(package.dovetail.get("domain")), {}).get("kit")
    if kit_name is None:
        kit = _ok("conformance", "no conformance kit exists for this domain yet", weight=0, required=False)
    elif not subclasses_kit(tests, kit_name):
        kit = _fail("conformance", f"no test class subclasses dovetail.core.testing's {kit_name}", 2)
    else:
        kit = (
            _ok("conformance", weight=2)
            if code == 0
            else _fail("conformance", "kit tests run with the failing suite", 2)
        )
    return [tests_result, kit]
