"""Repository-wide test guard: unit tests run with the network disabled; integration tests carry a marker.

A test without ``@pytest.mark.integration`` (on the function, class or module via ``pytestmark``) that opens,
binds or resolves an internet socket fails with :class:`NetworkDisabledError` naming the marker, so a test that
silently reached a server is visible as one. Unix sockets (the event loop's self-pipe) stay allowed. Child
processes are not affected: tests that start servers or the CLI in a subprocess test through them.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Generator
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
