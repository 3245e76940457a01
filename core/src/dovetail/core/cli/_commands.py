"""The registry of ``dovetail`` subcommands.

Adding a subcommand takes one module and one line here:

1. Write ``dovetail/core/cli/_<name>.py`` (or a module in your own package) with
   ``add_parser(subparsers) -> None``. It calls :func:`add_command` (or ``subparsers.add_parser`` and
   ``parser.set_defaults(handler=run)`` itself) and adds its arguments; ``run(args) -> int`` returns the exit
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

__all__ = ["COMMANDS", "AddParser", "Handler", "add_all", "add_command", "register_command"]

AddParser = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]
Handler = Callable[[argparse.Namespace], int]

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


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
    run: Handler | None = None,
    *,
    preformatted: bool = False,
) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` and return its parser for the arguments.

    Args:
        subparsers: what :func:`add_all` passes to ``add_parser``.
        name: the command, e.g. ``"ingest"``.
        summary: its line in ``dovetail --help``.
        description: the text of ``dovetail NAME --help``; wrapped to the terminal unless ``preformatted``
            (then printed with its own line breaks).
        run: ``run(args) -> exit code``; ``None`` when the command's own subcommands set handlers.
    """
    formatter = argparse.RawDescriptionHelpFormatter if preformatted else argparse.HelpFormatter
    parser = subparsers.add_parser(name, help=summary, description=description, formatter_class=formatter)
    if run is not None:
        parser.set_defaults(handler=run)
    return parser
