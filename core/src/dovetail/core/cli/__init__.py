"""The ``dovetail`` command: ``ingest`` a folder into an index, ``query`` it, list ``providers``.

Run ``dovetail --help`` or ``dovetail <command> --help``. Exit codes: 0 ok, 1 runtime error (provider failure,
files skipped during ingest, unexpected error), 2 usage or bad input (bad option, missing folder or index,
empty folder, unknown provider). Expected errors print one line, never a traceback; set ``DOVETAIL_DEBUG=1``
to see tracebacks of unexpected ones. Subcommands are registered in :mod:`dovetail.core.cli._commands`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from dovetail.core.cli._commands import COMMANDS
from dovetail.core.cli._commands import register_command
from dovetail.core.cli._errors import EXIT_ERROR
from dovetail.core.cli._errors import EXIT_OK
from dovetail.core.cli._errors import EXIT_USAGE
from dovetail.core.cli._errors import CLIError

__all__ = ["COMMANDS", "EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "CLIError", "build_parser", "main", "register_command"]

_DESCRIPTION = """\
dovetail: index your documents and ask questions about them, offline by default.

  dovetail ingest ./docs                  read, split and embed ./docs into ./.dovetail/index
  dovetail query "how is X done?"         answer from the index, with sources
  dovetail providers                      list installed integrations (LLMs, embeddings, ...)

Answers are extractive (the best-matching sentences, cited) unless --llm names a model.
Exit codes: 0 ok, 1 runtime error, 2 usage error or bad input.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    from dovetail.core.cli._commands import add_all

    parser = argparse.ArgumentParser(
        prog="dovetail", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv for debug)")
    parser.add_argument("--version", action="store_true", help="print the dovetail-core version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    add_all(subparsers)
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("dovetail: %(levelname)s: %(message)s"))
    root = logging.getLogger("dovetail")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"dovetail: error: {message}\n")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dovetail`` command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from dovetail.core import __version__

        sys.stdout.write(f"dovetail-core {__version__}\n")
        return EXIT_OK
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    _configure_logging(args.verbose)
    from dovetail.core._exceptions import ConfigurationError
    from dovetail.core._exceptions import DovetailError
    from dovetail.core._exceptions import InvalidInputError
    from dovetail.core._exceptions import NotFoundError

    try:
        return int(handler(args))
    except CLIError as exc:
        return _fail(exc.message, exc.code)
    except (InvalidInputError, NotFoundError, ConfigurationError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except DovetailError as exc:
        return _fail(str(exc), EXIT_ERROR)
    except KeyboardInterrupt:
        sys.stderr.write("\ndovetail: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("DOVETAIL_DEBUG"):
            raise
        return _fail(
            f"unexpected {type(exc).__name__}: {exc} (set DOVETAIL_DEBUG=1 to see the traceback and report it)",
            EXIT_ERROR,
        )
