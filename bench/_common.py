"""Setup the benchmark scripts share: their command line."""

from __future__ import annotations

import argparse


def number_options(doc: str, **defaults: float) -> argparse.ArgumentParser:
    """A parser described by the first line of ``doc``, with one ``--name`` option per default.

    Each option takes a number of its default's type; ``min_bytes=400`` is ``--min-bytes`` (an int, 400 unless
    given). Add other options to the returned parser before parsing.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in defaults.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    return parser
