"""Pytest fixture builders shared by provider test suites that run against a loopback server.

- :func:`loopback_server_fixtures`: a session-wide server plus a per-test view that resets it before and after;
- :func:`isolate_env`: hide the developer's keys, hosts and config from a test;
- :func:`closing_factory`: build objects under test and close them (``aclose``) at teardown, in the test's loop.

Example (a provider's ``conftest.py``):
    ```python
    _server, server = loopback_server_fixtures(LoopbackGemini)

    @pytest.fixture(autouse=True)
    def _no_ambient_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        isolate_env(monkeypatch, tmp_path, ("GOOGLE_API_KEY", "DOVETAIL_CONFIG"))

    @pytest.fixture
    async def make_llm(server: LoopbackGemini) -> AsyncIterator[object]:
        async with closing_factory(GoogleGenAI, api_key=API_KEY, base_url=server.url) as make:
            yield make
    ```
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from typing import Protocol
from typing import TypeVar

import pytest

__all__ = ["closing_factory", "isolate_env", "loopback_server_fixtures"]


class _ResettableServer(Protocol):
    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: object) -> Any: ...
    def reset(self) -> None: ...


S = TypeVar("S", bound=_ResettableServer)
T = TypeVar("T")


def loopback_server_fixtures(make_server: Callable[..., S], *, needs: str | None = None) -> tuple[Any, Any]:
    """The fixtures ``_server`` (one server per session) and ``server`` (that server, reset around each test);
    assign both in ``conftest.py``: ``_server, server = loopback_server_fixtures(LoopbackX)``. The second may
    take any name; the first must stay ``_server``.

    ``needs`` names a session fixture whose value ``make_server`` is called with, e.g. the backend a fault
    proxy stands in front of: ``loopback_server_fixtures(lambda db: FaultProxy(db.port), needs="db")``."""

    @pytest.fixture(scope="session")
    def _server(request: pytest.FixtureRequest) -> Iterator[S]:
        arguments = () if needs is None else (request.getfixturevalue(needs),)
        with make_server(*arguments) as started:
            yield started

    @pytest.fixture
    def server(_server: S) -> Iterator[S]:
        _server.reset()
        yield _server
        _server.reset()

    return _server, server


def isolate_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ambient: Iterable[str], *, chdir: bool = True) -> None:
    """Unset ``ambient`` variables, point ``XDG_CONFIG_HOME`` into ``tmp_path`` and (with ``chdir``) run the
    test from ``tmp_path``, so no developer key, host or config file leaks in."""
    for var in ambient:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    if chdir:
        monkeypatch.chdir(tmp_path)


@contextlib.asynccontextmanager
async def closing_factory(cls: Callable[..., T], **defaults: Any) -> AsyncIterator[Callable[..., T]]:
    """A ``make(**kwargs)`` that builds ``cls(**defaults, **kwargs)`` (keyword arguments win); every object it
    built is closed with ``await obj.aclose()`` on exit."""
    built: list[Any] = []

    def make(**kwargs: Any) -> T:
        obj = cls(**{**defaults, **kwargs})
        built.append(obj)
        return obj

    try:
        yield make
    finally:
        for obj in built:
            await obj.aclose()
