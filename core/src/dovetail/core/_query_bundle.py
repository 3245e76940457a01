"""The one str → :class:`QueryBundle` conversion used by retrievers, synthesizers and query engines."""

from __future__ import annotations

from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.schema import QueryBundle

__all__ = ["as_query_bundle"]


def as_query_bundle(query: Any) -> QueryBundle:
    """``query`` itself when it is a :class:`QueryBundle`, a new bundle for a ``str``.

    Raises:
        InvalidInputError: anything else (LlamaIndex's ``QueryType`` is ``str | QueryBundle``).
    """
    if isinstance(query, QueryBundle):
        return query
    if isinstance(query, str):
        return QueryBundle(query_str=query)
    msg = f"a query must be a str or a QueryBundle, got {type(query).__name__}"
    raise InvalidInputError(msg)
