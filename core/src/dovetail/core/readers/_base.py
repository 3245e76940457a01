"""``BaseReader``: turn a source into :class:`~dovetail.core.schema.Document` s, sync or async, eager or lazy.

A reader implements at least one of ``load_data`` or ``lazy_load_data``; the other three methods derive from it.
The async defaults never block the event loop: eager loading runs in a worker thread, and lazy loading steps the
sync generator in a worker thread one document at a time, so memory stays flat for large sources.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterable
from collections.abc import Iterator
from typing import Any

from dovetail.core.concurrency import run_in_thread
from dovetail.core.schema import Document

__all__ = ["BaseReader"]

_DONE = object()


def _overrides(obj: object, name: str) -> bool:
    return getattr(type(obj), name) is not getattr(BaseReader, name)


def _next_or_done(iterator: Iterator[Document]) -> Any:
    return next(iterator, _DONE)


class BaseReader:
    """Base class of every reader.

    Implement ``load_data`` (returns a list) or ``lazy_load_data`` (a generator) — or both, and the async twins
    ``aload_data`` / ``alazy_load_data`` when the source has a native async client.

    Example:
        ```python
        class LinesReader(BaseReader):
            def lazy_load_data(self, path: str) -> Iterator[Document]:
                with open(path, encoding="utf-8") as handle:
                    for number, line in enumerate(handle):
                        yield Document(text=line.strip(), id_=f"{path}:{number}")

        docs = LinesReader().load_data("notes.txt")
        ```
    """

    def lazy_load_data(self, *args: Any, **load_kwargs: Any) -> Iterable[Document]:
        """Yield documents one by one; the default yields from :meth:`load_data`."""
        if not _overrides(self, "load_data"):
            msg = f"{type(self).__name__} must implement load_data or lazy_load_data"
            raise NotImplementedError(msg)
        yield from self.load_data(*args, **load_kwargs)

    def load_data(self, *args: Any, **load_kwargs: Any) -> list[Document]:
        """Load all documents; the default collects :meth:`lazy_load_data`."""
        if not _overrides(self, "lazy_load_data"):
            msg = f"{type(self).__name__} must implement load_data or lazy_load_data"
            raise NotImplementedError(msg)
        return list(self.lazy_load_data(*args, **load_kwargs))

    async def aload_data(self, *args: Any, **load_kwargs: Any) -> list[Document]:
        """Async :meth:`load_data`: collects ``alazy_load_data`` if overridden, else runs ``load_data`` in a thread."""
        if _overrides(self, "alazy_load_data"):
            return [doc async for doc in self.alazy_load_data(*args, **load_kwargs)]
        return await run_in_thread(self.load_data, *args, **load_kwargs)

    async def alazy_load_data(self, *args: Any, **load_kwargs: Any) -> AsyncIterator[Document]:
        """Async generator of documents, streamed from ``lazy_load_data`` in a thread (or a native ``aload_data``)."""
        if _overrides(self, "aload_data"):
            for doc in await self.aload_data(*args, **load_kwargs):
                yield doc
            return
        iterator = await run_in_thread(lambda: iter(self.lazy_load_data(*args, **load_kwargs)))
        while True:
            doc = await run_in_thread(_next_or_done, iterator)
            if doc is _DONE:
                return
            yield doc
