"""Conformance kit for readers (``BaseReader`` subclasses)."""

from __future__ import annotations

import inspect
from typing import Any
from typing import ClassVar

import pytest
from dovetail.core.readers import BaseReader
from dovetail.core.readers import Document
from dovetail.core.testing._guard import ConformanceBase
from dovetail.core.testing.leaks import assert_no_secret_leak

__all__ = ["ReaderConformance"]


def _snapshot(docs: list[Document]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(doc.id_, doc.text, doc.metadata) for doc in docs]


class ReaderConformance(ConformanceBase):
    """Kit tests every reader must pass.

    Subclass it and provide a ``reader`` fixture (the reader, pointed at local test data or a local server) and,
    when ``load_data`` needs arguments, a ``load_kwargs`` fixture returning them as a dict.

    Troubleshooting:
        - ``test_ids_are_stable``: derive document ids from the source (path, primary key), not ``uuid4``, so
          re-ingestion upserts instead of duplicating.
        - ``test_lazy_matches_eager``: ``lazy_load_data`` must yield the same documents as ``load_data``.
    """

    _kit_class: ClassVar[bool] = True

    @pytest.fixture
    def reader(self) -> BaseReader:
        """The reader under test; subclasses must override this fixture."""
        pytest.fail("subclass ReaderConformance and provide a `reader` fixture")

    @pytest.fixture
    def load_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``load_data``; override when the reader needs some."""
        return {}

    def test_is_a_base_reader(self, reader: BaseReader) -> None:
        """The reader implements the core contract."""
        assert isinstance(reader, BaseReader)

    def test_load_data_returns_documents(self, reader: BaseReader, load_kwargs: dict[str, Any]) -> None:
        """``load_data`` returns a non-empty list of documents, each with text and a unique id."""
        docs = reader.load_data(**load_kwargs)
        assert isinstance(docs, list)
        assert docs, "the test source should yield at least one document"
        assert all(isinstance(doc, Document) for doc in docs)
        assert all(isinstance(doc.text, str) and doc.text for doc in docs)
        ids = [doc.id_ for doc in docs]
        assert all(ids), "document ids must be non-empty"
        assert len(set(ids)) == len(ids), "document ids must be unique"

    def test_lazy_matches_eager(self, reader: BaseReader, load_kwargs: dict[str, Any]) -> None:
        """``lazy_load_data`` is a generator yielding the same documents as ``load_data``."""
        lazy = reader.lazy_load_data(**load_kwargs)
        assert inspect.isgenerator(lazy) or hasattr(lazy, "__next__"), "lazy_load_data should return an iterator"
        assert _snapshot(list(lazy)) == _snapshot(reader.load_data(**load_kwargs))

    async def test_async_twins_match(self, reader: BaseReader, load_kwargs: dict[str, Any]) -> None:
        """``aload_data`` and ``alazy_load_data`` give the same documents as ``load_data``."""
        expected = _snapshot(reader.load_data(**load_kwargs))
        assert _snapshot(await reader.aload_data(**load_kwargs)) == expected
        streamed = [doc async for doc in reader.alazy_load_data(**load_kwargs)]
        assert _snapshot(streamed) == expected

    def test_ids_are_stable(self, reader: BaseReader, load_kwargs: dict[str, Any]) -> None:
        """Loading twice gives the same ids and hashes, so re-ingestion upserts."""
        first = reader.load_data(**load_kwargs)
        second = reader.load_data(**load_kwargs)
        assert [d.id_ for d in first] == [d.id_ for d in second]
        assert [d.hash for d in first] == [d.hash for d in second]

    def test_no_secret_in_repr(self, reader: BaseReader) -> None:
        """Secrets (``SecretStr`` attributes) never appear in ``repr`` or ``str``."""
        assert_no_secret_leak(reader)
