"""The command line every loopback server script shares (benchmarks start servers in their own process)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from dovetail.core.testing.loopback import LoopbackHTTPServer

__all__ = ["serve_from_command_line"]


def serve_from_command_line(
    server: Callable[..., LoopbackHTTPServer], description: str | None, *, dims: int | None = None
) -> None:
    """Parse ``--latency`` (and ``--dims``, default ``dims``, for servers that embed), start ``server`` with
    them, print its port and serve until stdin closes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--latency", type=float, default=0.0)
    if dims is not None:
        parser.add_argument("--dims", type=int, default=dims)
    with server(**vars(parser.parse_args())) as running:
        print(running.port, flush=True)
        sys.stdin.read()
