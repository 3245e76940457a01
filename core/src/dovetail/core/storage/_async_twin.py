"""Async twins of the in-memory stores' methods (LlamaIndex's ``aget_node``, ``async_add_documents``, ...)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from collections.abc import Coroutine
from typing import Any
from typing import Concatenate
from typing import ParamSpec
from typing import Protocol
from typing import TypeVar

__all__ = ["async_twin"]

P = ParamSpec("P")
R = TypeVar("R")


class LazyStore(Protocol):
    """A store whose file is read on first use."""

    def _load(self) -> None: ...


S = TypeVar("S", bound=LazyStore)


def async_twin(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """The async twin of ``method``: reading a lazily opened file (the only blocking step) happens in a worker
    thread, then ``method`` runs on the in-memory data."""

    async def twin(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        await asyncio.to_thread(self._load)
        return method(self, *args, **kwargs)

    twin.__name__ = f"a{method.__name__}"
    twin.__doc__ = f"Async :meth:`{method.__name__}` (same arguments and result)."
    return twin
