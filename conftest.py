"""Repository-wide test guards: unit tests run with the network disabled (integration tests carry a marker), and
the ``dovetail`` logger is restored after every test.

A test without ``@pytest.mark.integration`` (on the function, class or module via ``pytestmark``) that opens,
binds or resolves an internet socket fails with :class:`NetworkDisabledError` naming the marker, so a test that
silently reached a server is visible as one. Unix sockets (the event loop's self-pipe) stay allowed. Child
processes are not affected: tests that start servers or the CLI in a subprocess test through them.
"""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Generator
from collections.abc import Iterator
from typing import Any

import pytest

_BLOCKED_EVENTS = frozenset({"socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname"})
_INTERNET = (socket.AF_INET, socket.AF_INET6)
_state = {"blocked": False, "test": ""}


class NetworkDisabledError(ConnectionRefusedError):
    """An unmarked (unit) test touched the network."""


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _state["blocked"] or event not in _BLOCKED_EVENTS:
        return
    if event in ("socket.connect", "socket.bind") and getattr(args[0], "family", None) not in _INTERNET:
        return
    target = args[1] if event in ("socket.connect", "socket.bind") else args[:2]
    msg = (
        f"{_state['test']} opened the network ({event} {target!r}) but is not marked: unit tests run with "
        "sockets disabled; mark a test that talks to a local server with @pytest.mark.integration"
    )
    raise NetworkDisabledError(msg)


sys.addaudithook(_audit)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """Block the network around the body of every test not marked ``integration``."""
    _state["blocked"] = item.get_closest_marker("integration") is None
    _state["test"] = item.nodeid
    try:
        return (yield)
    finally:
        _state["blocked"] = False


@pytest.fixture(autouse=True)
def _restore_dovetail_logger() -> Iterator[None]:
    """The in-process CLI configures the ``dovetail`` logger (its own stderr handler, no propagation); later tests
    must get it back as it was, or their ``caplog`` sees nothing and the handler writes to a closed stream."""
    logger = logging.getLogger("dovetail")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved
