"""Scaffold a new integration package: ``make new-package DOMAIN=llms PROVIDER=acme``.

Creates ``integrations/<domain>/dovetail-<domain>-<provider>/`` from ``scripts/templates/``: pyproject (metadata,
entry point, ``[tool.dovetail]``, the current dovetail-core range), ``src/dovetail/<domain>/<provider>/{__init__,
base}.py`` with the class for the domain's contract, ``py.typed``, README, CHANGELOG, ``tests/test_conformance.py``
wired to the conformance kit and ``tests/test_exports.py`` on core's ``ExportsConformance`` (the checks live in
``dovetail.core.testing``, so generated tests stay short and in step with core); plus the domain's extras in
``templates/<domain>/`` (for vector stores: settings, error mapping on core's retry layer, pure converters and
filters with their tests, the SDK seam in ``_client.py`` and a server fixture). The domains come from the one
table that the registry reads (``core/src/dovetail/core/domains.json``). The workspace picks the package up
through its ``integrations/*/*`` glob.

The generated package passes ``make lint``, ``make typecheck`` and the health check except ``tests`` and
``conformance``: the provider calls raise ``NotImplementedError`` until the contributor writes them.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from string import Template

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workspace import DOMAINS
from workspace import ROOT
from workspace import domain_table
from workspace import load_package

TEMPLATES = Path(__file__).resolve().parent / "templates"
# fullmatch: ``$`` would also accept a trailing newline ("acme\n").
PROVIDER_RE = re.compile(r"[a-z][a-z0-9_]{1,38}[a-z0-9]")


class ScaffoldError(ValueError):
    """DOMAIN/PROVIDER are invalid or the package already exists."""


def core_requirement(root: Path) -> str:
    """``dovetail-core>=X.Y,<X+1`` from the current core version (``<1`` while core is 0.x)."""
    version = load_package(root / "core").version
    major, minor = (int(part) for part in version.split(".")[:2])
    return f"dovetail-core>={major}.{minor},<{major + 1}"


def scaffoldable(root: Path = ROOT) -> list[str]:
    """The domains the scaffold can generate: a conformance kit and a base template exist."""
    table = domain_table(root)
    return [name for name, row in table.items() if row.get("kit") and (TEMPLATES / f"base_{name}.py.tmpl").is_file()]


def validate(domain: str, provider: str, root: Path) -> Path:
    """Check the names; return the package directory to create."""
    if domain not in DOMAINS:
        msg = f"DOMAIN must be one of {', '.join(DOMAINS)}; got {domain!r}"
        raise ScaffoldError(msg)
    row = domain_table(root)[domain]
    if row.get("kit") is None or not (TEMPLATES / f"base_{domain}.py.tmpl").is_file():
        msg = (
            f"the {domain} domain has no conformance kit or scaffold template yet; scaffold one of "
            f"{', '.join(scaffoldable(root))}, or add the kit and scripts/templates/base_{domain}.py.tmpl first"
        )
        raise ScaffoldError(msg)
    if not PROVIDER_RE.fullmatch(provider):
        msg = (
            "PROVIDER must be lowercase letters, digits and underscores "
            f"(3-40 chars, starting with a letter); got {provider!r}"
        )
        raise ScaffoldError(msg)
    target = root / "integrations" / domain / f"dovetail-{domain.replace('_', '-')}-{provider.replace('_', '-')}"
    if target.exists():
        msg = f"{target.relative_to(root)} already exists; pick another PROVIDER or edit the existing package"
        raise ScaffoldError(msg)
    return target


def render(name: str, values: dict[str, str]) -> str:
    """Fill one template."""
    return Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(values)


def scaffold(domain: str, provider: str, root: Path = ROOT) -> Path:
    """Create the package and return its directory."""
    target = validate(domain, provider, root)
    row = domain_table(root)[domain]
    title = "".join(part.capitalize() for part in provider.split("_"))
    class_name = title + str(row["class_suffix"])
    kit, fixture = str(row["kit"]), str(row["kit_fixture"])
    values = {
        "dist": target.name,
        "domain": domain,
        "domain_title": domain.replace("_", " "),
        "provider": provider,
        "provider_title": title,
        "import_path": f"dovetail.{domain}.{provider}",
        "class_name": class_name,
        "core_requirement": core_requirement(root),
        "env_prefix": provider.upper(),
        "example": str(row["example"]).format(cls=class_name),
        "kit": kit,
        "fixture": fixture,
        "contract": str(row["contract"]).rpartition(":")[2],
    }
    leaf = target / "src" / "dovetail" / domain / provider
    files = {
        target / "pyproject.toml": render("pyproject.toml.tmpl", values),
        target / "README.md": render("README.md.tmpl", values),
        target / "CHANGELOG.md": render("CHANGELOG.md.tmpl", values),
        leaf / "__init__.py": render("__init__.py.tmpl", values),
        leaf / "base.py": render(f"base_{domain}.py.tmpl", values),
        leaf / "py.typed": "",
        target / "tests" / "test_conformance.py": render("test_conformance.py.tmpl", values),
        target / "tests" / "test_exports.py": render("test_exports.py.tmpl", values),
    }
    # Domain extras: templates/<domain>/leaf/* go beside base.py, templates/<domain>/<other>/* under the package.
    extras = TEMPLATES / domain
    for template in sorted(extras.rglob("*.tmpl")) if extras.is_dir() else []:
        relative = template.relative_to(extras).with_suffix("")
        first, *rest = relative.parts
        path = leaf.joinpath(*rest) if first == "leaf" else target / relative
        files[path] = render(str(template.relative_to(TEMPLATES)), values)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    tidy(target, root)
    return target


def tidy(target: Path, root: Path) -> None:
    """Sort imports and format the generated code with the repository's ruff settings.

    Import order depends on the provider's name (``AcmeClient`` sorts before ``RecordClient``, ``ZetaClient``
    after), so the templates cannot fix it; ruff does, and the package passes ``make lint`` as generated.
    """
    config = ["--config", str(root / "pyproject.toml")]
    for command in (["check", "--fix-only", "--quiet", *config], ["format", "--quiet", *config]):
        result = subprocess.run([sys.executable, "-m", "ruff", *command, str(target)], capture_output=True, check=False)
        if result.returncode != 0:
            detail = result.stderr.decode(errors="replace").strip()
            print(f"warning: ruff could not tidy {target.name} ({detail}); run `make lint`", file=sys.stderr)
            return


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domain", required=True, help=f"one of {', '.join(DOMAINS)}")
    parser.add_argument("--provider", required=True, help="lowercase provider id, e.g. acme")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root")
    args = parser.parse_args(argv)
    try:
        target = scaffold(args.domain, args.provider, args.root)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rel = target.relative_to(args.root)
    print(f"created {rel}\nnext: implement src/.../base.py, make its tests pass, then `make health PKG={rel}`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
