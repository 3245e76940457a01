"""Readers turn a source into :class:`Document` s: the ``BaseReader`` contract and ``SimpleDirectoryReader``.

Example:
    ```python
    from dovetail.core.readers import SimpleDirectoryReader

    documents = SimpleDirectoryReader("docs", recursive=True).load_data()
    ```
"""

from dovetail.core.readers._base import BaseReader
from dovetail.core.readers._config import ReaderConfig
from dovetail.core.readers._directory import SimpleDirectoryReader
from dovetail.core.readers._directory import default_file_metadata
from dovetail.core.readers._string import StringIterableReader
from dovetail.core.schema import Document

__all__ = [
    "BaseReader",
    "Document",
    "ReaderConfig",
    "SimpleDirectoryReader",
    "StringIterableReader",
    "default_file_metadata",
]
