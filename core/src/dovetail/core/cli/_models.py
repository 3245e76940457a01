"""``dovetail models``: the models in the catalogs of installed providers."""

from __future__ import annotations

import argparse
import json
import sys

from dovetail.core.cli._commands import add_command
from dovetail.core.cli._errors import EXIT_OK
from dovetail.core.cli._errors import CLIError
from dovetail.core.cli._table import write_table

__all__ = ["add_parser", "run"]


_SUMMARY = "list the models of installed providers (context window, limits, capabilities)"
_DESCRIPTION = """\
List the models that installed integrations ship in their catalogs: modes, context window, max output tokens,
embedding dimensions and capabilities. A model missing from a catalog still works when you give its limits
explicitly (a warning is logged).
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``models``."""
    parser = add_command(subparsers, "models", _SUMMARY, _DESCRIPTION, run)
    parser.add_argument("provider", nargs="?", help="only this provider, e.g. openai")
    parser.add_argument("--domain", help="only this domain: llms or embeddings")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _flags(model: object) -> str:
    names = [("vision", "supports_vision"), ("tools", "supports_tools"), ("structured", "supports_structured_output")]
    return ",".join(label for label, attr in names if getattr(model, attr)) or "-"


def run(args: argparse.Namespace) -> int:
    """Run ``dovetail models``."""
    from dovetail.core.catalog import list_models
    from dovetail.core.registry import list_providers

    pairs = list_models(provider=args.provider, domain=args.domain)
    if args.provider and not pairs:
        known = [info for info in list_providers(args.domain) if info.name == args.provider]
        if not any(info.installed for info in known):
            hint = f"install it with `pip install {known[0].package}`" if known else "`dovetail providers` lists them"
            msg = f"no installed provider {args.provider!r} ships a model catalog; {hint}"
            raise CLIError(msg)
    if args.json:
        rows = [{"provider": p, **m.model_dump(mode="json")} for p, m in pairs]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    header = ("PROVIDER", "MODEL", "MODES", "CONTEXT", "MAX OUT", "DIMS", "CAPABILITIES", "DEPRECATED")
    table_rows = [
        (
            provider,
            model.id,
            ",".join(model.modes),
            str(model.context_window or "-"),
            str(model.max_output_tokens or "-"),
            str(model.embedding_dimensions or "-"),
            _flags(model),
            str(model.deprecation_date or "-"),
        )
        for provider, model in pairs
    ]
    write_table(header, table_rows)
    if not pairs:
        sys.stdout.write("no model catalogs found; `dovetail providers` shows what is installed\n")
    return EXIT_OK
