"""``StringIterableReader``: one document per string, as LlamaIndex's reader of the same name."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.readers._base import BaseReader
from dovetail.core.schema import Document

__all__ = ["StringIterableReader"]


class StringIterableReader(BaseReader):
    """Turn strings into documents, one per string, in order.

    Example:
        ```python
        documents = StringIterableReader().load_data(texts=["a dovetail joint", "a mortise and tenon"])
        ```
    """

    def lazy_load_data(self, texts: Iterable[str]) -> Iterator[Document]:
        """Yield a document per string of ``texts``.

        Raises:
            InvalidInputError: ``texts`` is a single string, or one of its items is not a string.
        """
        if isinstance(texts, (str, bytes)):
            msg = "texts must be an iterable of strings (e.g. a list), not a single string; wrap it in a list"
            raise InvalidInputError(msg)
        for position, text in enumerate(texts):
            if not isinstance(text, str):
                msg = f"texts[{position}] is {type(text).__name__}, not str; pass strings only"
                raise InvalidInputError(msg)
            yield Document(text=text)

    def load_data(self, texts: Iterable[str]) -> list[Document]:
        """A document per string of ``texts`` (see :meth:`lazy_load_data`)."""
        return list(self.lazy_load_data(texts))
