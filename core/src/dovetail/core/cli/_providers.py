"""``dovetail providers``: the integrations dovetail knows about and which are installed."""

from __future__ import annotations

import argparse
import json
import sys

from dovetail.core.cli._commands import add_command
from dovetail.core.cli._errors import EXIT_OK
from dovetail.core.cli._table import write_table

__all__ = ["add_parser", "run"]


_SUMMARY = "list integrations (installed ones with versions)"
_DESCRIPTION = """\
List the provider integrations found through Python entry points, with their versions, and the published ones
that are not installed (with the package to pip install). Use a provider in --llm/--embed as PROVIDER:MODEL.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``providers``."""
    parser = add_command(subparsers, "providers", _SUMMARY, _DESCRIPTION, run)
    from dovetail.core.domains import domain_names

    parser.add_argument("--domain", help=f"only this domain: {', '.join(domain_names())}")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    """Run ``dovetail providers``."""
    from dovetail.core.registry import list_providers

    infos = list_providers(args.domain)
    if args.json:
        rows = [
            {
                "domain": i.domain,
                "name": i.name,
                "installed": i.installed,
                "version": i.version,
                "package": i.package,
            }
            for i in infos
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    write_table(
        ("DOMAIN", "PROVIDER", "VERSION", "PACKAGE"),
        [(i.domain, i.name, i.version or "-" if i.installed else "not installed", i.package) for i in infos],
    )
    return EXIT_OK
