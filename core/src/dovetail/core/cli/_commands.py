"""The registry of ``dovetail`` subcommands.

Adding a subcommand takes one module and one line here:

1. Write ``dovetail/core/cli/_<name>.py`` (or a module in your own package) with
   ``add_parser(subparsers) -> None``. It calls ``subparsers.add_parser(name, help=..., description=...)``,
   adds its arguments and sets ``parser.set_defaults(handler=run)`` where ``run(args) -> int`` returns the exit
   code. Keep heavy imports inside ``run`` so ``dovetail --help`` stays fast.
2. Append ``(name, "module.path:add_parser")`` to :data:`COMMANDS` (or call :func:`register_command` with a
   callable from code that runs before :func:`dovetail.core.cli.main`).

Inside ``run``, raise :class:`dovetail.core.cli.CLIError` (or any ``DovetailError``) for expected failures;
``main`` turns it into a one-line message and the right exit code (0 ok, 1 runtime error, 2 usage/bad input).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib import import_module

__all__ = ["COMMANDS", "AddParser", "add_all", "register_command"]

AddParser = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

COMMANDS: list[tuple[str, str | AddParser]] = [
    ("ingest", "dovetail.core.cli._ingest:add_parser"),
    ("query", "dovetail.core.cli._query:add_parser"),
    ("eval", "dovetail.core.cli._eval:add_parser"),
    ("providers", "dovetail.core.cli._providers:add_parser"),
    ("models", "dovetail.core.cli._models:add_parser"),
    ("config", "dovetail.core.cli._config:add_parser"),
]
"""``(name, add_parser)`` pairs, in ``--help`` order; ``add_parser`` may be a ``"module:function"`` string."""


def register_command(name: str, add_parser: str | AddParser) -> None:
    """Add (or replace) a subcommand."""
    for position, (existing, _) in enumerate(COMMANDS):
        if existing == name:
            COMMANDS[position] = (name, add_parser)
            return
    COMMANDS.append((name, add_parser))


def _resolve(add_parser: str | AddParser) -> AddParser:
    if callable(add_parser):
        return add_parser
    module, _, attribute = add_parser.partition(":")
    resolved: AddParser = getattr(import_module(module), attribute or "add_parser")
    return resolved


def add_all(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Let every registered command add its parser."""
    for _, add_parser in COMMANDS:
        _resolve(add_parser)(subparsers)
