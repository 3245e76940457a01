"""The reader conformance kit applied to SimpleDirectoryReader and to the tutorial's custom reader."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.readers import BaseReader
from dovetail.core.readers import Document
from dovetail.core.readers import SimpleDirectoryReader
from dovetail.core.testing import ReaderConformance


class LinesReader(BaseReader):
    """Tutorial-style custom reader: one document per non-empty line, implemented lazily only."""

    def lazy_load_data(self, path: str) -> Iterator[Document]:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                if line.strip():
                    yield Document(text=line.strip(), id_=f"{Path(path).name}:{number}", metadata={"line": number})


class EagerReader(BaseReader):
    """Tutorial-style custom reader implementing only load_data."""

    def load_data(self, rows: list[str]) -> list[Document]:
        return [Document(text=row, id_=f"row-{i}") for i, row in enumerate(rows)]


class TestSimpleDirectoryReaderKit(ReaderConformance):
    @pytest.fixture
    def reader(self, tmp_path: Path) -> BaseReader:
        (tmp_path / "a.txt").write_text("alpha", encoding="utf-8")
        (tmp_path / "b.md").write_text("# beta", encoding="utf-8")
        return SimpleDirectoryReader(tmp_path)


class TestLinesReaderKit(ReaderConformance):
    @pytest.fixture
    def reader(self) -> BaseReader:
        return LinesReader()

    @pytest.fixture
    def load_kwargs(self, tmp_path: Path) -> dict[str, Any]:
        path = tmp_path / "lines.txt"
        path.write_text("first\n\nsecond\nthird\n", encoding="utf-8")
        return {"path": str(path)}


class TestEagerReaderKit(ReaderConformance):
    @pytest.fixture
    def reader(self) -> BaseReader:
        return EagerReader()

    @pytest.fixture
    def load_kwargs(self) -> dict[str, Any]:
        return {"rows": ["one", "two"]}


def test_lines_reader_tutorial(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("a\nb\n", encoding="utf-8")
    docs = LinesReader().load_data(path=str(path))
    assert [(d.id_, d.text, d.metadata) for d in docs] == [
        ("notes.txt:0", "a", {"line": 0}),
        ("notes.txt:1", "b", {"line": 1}),
    ]


def test_reader_without_any_method_says_what_to_implement() -> None:
    class Empty(BaseReader):
        pass

    with pytest.raises(NotImplementedError, match="load_data or lazy_load_data"):
        Empty().load_data()
    with pytest.raises(NotImplementedError, match="load_data or lazy_load_data"):
        list(Empty().lazy_load_data())


async def test_native_async_reader_is_used_by_sync_less_paths() -> None:
    class AsyncOnly(BaseReader):
        async def alazy_load_data(self, *args: Any, **kwargs: Any) -> AsyncIterator[Document]:
            for i in range(3):
                yield Document(text=str(i), id_=str(i))

    assert [d.id_ for d in await AsyncOnly().aload_data()] == ["0", "1", "2"]


async def test_alazy_streams_from_a_thread_one_document_at_a_time() -> None:
    produced: list[int] = []

    class Counting(BaseReader):
        def lazy_load_data(self) -> Iterator[Document]:
            for i in range(3):
                produced.append(i)
                yield Document(text=str(i), id_=str(i))

    stream = Counting().alazy_load_data()
    first = await stream.__anext__()
    assert first.id_ == "0"
    assert produced == [0]
    assert [d.id_ async for d in stream] == ["1", "2"]
