"""The extra keywords of ``IngestionPipeline.run`` / ``arun``, checked before any work is done.

As in LlamaIndex, keywords ``run`` does not take itself are passed to every transformation (``transformation(nodes,
**kwargs)``; embedding models get none). A keyword is valid only when every transformation that receives it takes
it, so a misspelt one is refused at once, whether or not there are documents to transform, instead of being
dropped when the run has nothing to do. A transformation's keywords are its ``call_keywords`` when it declares
them (node parsers do), else the parameters of its ``__call__`` after the nodes; one that takes ``**kwargs``
without declaring them takes anything (a user's ``TransformComponent``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from dovetail.core._kwargs import unexpected_keyword
from dovetail.core.ingestion._transform import is_embedding

__all__ = ["RUN_PARAMETERS", "check_run_keywords", "transformation_keywords"]

RUN_PARAMETERS = frozenset(
    {
        "show_progress",
        "documents",
        "nodes",
        "num_workers",
        "progress",
        "runner",
        "cache_collection",
        "in_place",
        "store_doc_text",
    }
)
"""The parameters of ``run`` / ``arun`` themselves."""


def transformation_keywords(transformation: Any) -> frozenset[str] | None:
    """The keywords ``transformation(nodes, **kwargs)`` takes (``None``: any keyword)."""
    declared = getattr(transformation, "call_keywords", None)
    if declared is not None:
        return frozenset(declared)
    try:
        parameters = list(inspect.signature(transformation).parameters.values())
    except (TypeError, ValueError):  # a builtin or extension callable without a signature: cannot tell
        return None
    names: set[str] = set()
    for parameter in parameters[1:]:  # the first one receives the nodes
        if parameter.kind is parameter.VAR_KEYWORD:
            return None
        if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
            names.add(parameter.name)
    return frozenset(names)


def check_run_keywords(owner: str, kwargs: Iterable[str], transformations: Sequence[Any]) -> None:
    """Refuse a keyword no transformation would take, naming the closest valid one.

    Raises:
        TypeError: a keyword is not taken by every transformation that receives keywords (or by none, when no
            transformation receives any).
    """
    given = list(kwargs)
    if not given:
        return
    receivers = [(t, transformation_keywords(t)) for t in transformations if not is_embedding(t)]
    taken_by_all: set[str] | None = None
    for _transformation, taken in receivers:
        if taken is not None:
            taken_by_all = set(taken) if taken_by_all is None else taken_by_all & taken
    for name in given:
        if not receivers:
            raise unexpected_keyword(owner, name, RUN_PARAMETERS)
        refusing = [t for t, taken in receivers if taken is not None and name not in taken]
        if refusing:
            valid = RUN_PARAMETERS | (taken_by_all or set())
            error = unexpected_keyword(owner, name, valid)
            msg = f"{error} (extra keywords go to every transformation; {_name(refusing[0])} does not take it)"
            raise TypeError(msg)


def _name(transformation: Any) -> str:
    if inspect.isfunction(transformation) or inspect.ismethod(transformation):
        return str(transformation.__qualname__)
    return type(transformation).__name__
