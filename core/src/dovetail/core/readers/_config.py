"""``ReaderConfig``: a reader and the arguments of its ``load_data`` call, read again on every pipeline run."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.readers._base import BaseReader
from dovetail.core.schema import Document

__all__ = ["ReaderConfig"]


class ReaderConfig:
    """A reader with the positional and keyword arguments to call its ``load_data`` with.

    ``IngestionPipeline(readers=[...])`` calls :meth:`read` of each at the start of every run and ingests the
    documents after the run's own inputs (as LlamaIndex's ``ReaderConfig`` does).

    Args:
        reader: any :class:`~dovetail.core.readers.BaseReader`.
        reader_args: positional arguments of ``reader.load_data``.
        reader_kwargs: keyword arguments of ``reader.load_data``.

    Raises:
        InvalidInputError: ``reader`` is not a ``BaseReader``, or the arguments are not a list and a dict.

    Example:
        ```python
        config = ReaderConfig(reader=SimpleDirectoryReader("docs"), reader_kwargs={"num_workers": 2})
        pipeline = IngestionPipeline(transformations=[SentenceSplitter()], readers=[config])
        nodes = pipeline.run()
        ```
    """

    @suggest_keywords
    def __init__(
        self,
        reader: BaseReader,
        reader_args: Sequence[Any] | None = None,
        reader_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(reader, BaseReader):
            msg = (
                f"ReaderConfig(reader=...) takes a BaseReader (e.g. SimpleDirectoryReader), got {type(reader).__name__}"
            )
            raise InvalidInputError(msg)
        if isinstance(reader_args, (str, bytes)) or not isinstance(reader_args, (Sequence, type(None))):
            msg = f"reader_args must be a list of positional arguments, got {type(reader_args).__name__}"
            raise InvalidInputError(msg)
        if not isinstance(reader_kwargs, (Mapping, type(None))):
            msg = f"reader_kwargs must be a dict of keyword arguments, got {type(reader_kwargs).__name__}"
            raise InvalidInputError(msg)
        self.reader = reader
        self.reader_args = list(reader_args or [])
        self.reader_kwargs = dict(reader_kwargs or {})

    def __repr__(self) -> str:
        return f"ReaderConfig(reader={type(self.reader).__name__}, reader_args={len(self.reader_args)} argument(s))"

    @classmethod
    def class_name(cls) -> str:
        """``"ReaderConfig"``."""
        return "ReaderConfig"

    def read(self) -> list[Document]:
        """The documents of ``reader.load_data(*reader_args, **reader_kwargs)``."""
        return list(self.reader.load_data(*self.reader_args, **self.reader_kwargs))
