"""``loopback_server_fixtures``: one server per session, reset around each test, built from a fixture it needs."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.testing.fixtures import loopback_server_fixtures


class _Server:
    """Records what the fixtures do to it."""

    def __init__(self, backend: int) -> None:
        self.backend = backend
        self.running = False
        self.resets = 0

    def __enter__(self) -> _Server:
        self.running = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False

    def reset(self) -> None:
        self.resets += 1


@pytest.fixture(scope="session")
def backend_port() -> int:
    return 41_000


_server, proxy = loopback_server_fixtures(_Server, needs="backend_port")
SEEN: list[Any] = []  # the server each earlier test of this module got


@pytest.mark.parametrize("round_", [1, 2])
def test_one_server_built_from_the_needed_fixture_and_reset_around_each_test(proxy: _Server, round_: int) -> None:
    assert proxy.running
    assert proxy.backend == 41_000
    assert proxy.resets == 2 * len(SEEN) + 1  # once before this test, before and after each earlier one
    SEEN.append(proxy)
    assert all(server is proxy for server in SEEN)
