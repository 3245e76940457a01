"""A factory fixture's helper for integration tests: build stores with test defaults, close them all at teardown.

Example:
    ```python
    @pytest.fixture
    async def make_store(server):
        factory = StoreFactory(MyVectorStore, host=server.url, api_key="test")
        yield factory
        await factory.aclose()          # in the test's event loop, so async clients close in their own loop

    def test_something(make_store):
        store = make_store(batch_size=10)  # keywords override the defaults
    ```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["StoreFactory"]


class _Closable(Protocol):
    async def aclose(self) -> None: ...


_S = TypeVar("_S", bound=_Closable)


class StoreFactory(Generic[_S]):
    """Calls ``build(**{**defaults, **overrides})`` and keeps what it built; :meth:`aclose` closes each of them.

    For a default that must differ per store (a new table name), give a ``build`` function that sets it.
    """

    def __init__(self, build: Callable[..., _S], **defaults: Any) -> None:
        self._build = build
        self._defaults = defaults
        self.made: list[_S] = []

    def __call__(self, **overrides: Any) -> _S:
        """A new store with ``overrides`` on top of the defaults."""
        store = self._build(**{**self._defaults, **overrides})
        self.made.append(store)
        return store

    async def aclose(self) -> None:
        """Close every store built, in order."""
        for store in self.made:
            await store.aclose()
