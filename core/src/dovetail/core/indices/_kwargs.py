"""Keyword checks for index entry points: an unknown keyword is a ``TypeError`` naming the closest valid one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dovetail.core._kwargs import reject_unknown_keywords

__all__ = ["ENGINE_KWARGS", "RETRIEVER_KWARGS", "reject_unknown"]


def reject_unknown(where: str, kwargs: dict[str, Any], valid: Iterable[str]) -> None:
    """Raise ``TypeError`` for the first key of ``kwargs`` not in ``valid`` (see ``reject_unknown_keywords``).

    Raises:
        TypeError: ``where`` got an unexpected keyword argument (the message names the closest valid one).
    """
    reject_unknown_keywords(where, kwargs, frozenset(valid))


RETRIEVER_KWARGS = (
    "vector_store_query_mode",
    "node_ids",
    "doc_ids",
    "alpha",
    "sparse_top_k",
    "hybrid_top_k",
    "embed_model",
    "object_map",
    "verbose",
    "vector_store_kwargs",
    "callback_manager",
)
"""Keywords of ``VectorStoreIndex.as_retriever`` besides ``similarity_top_k`` and ``filters``."""

ENGINE_KWARGS = (
    "response_mode",
    "streaming",
    "text_qa_template",
    "refine_template",
    "summary_template",
    "simple_template",
    "node_postprocessors",
    "response_synthesizer",
    "use_async",
    "verbose",
    "output_cls",
    "callback_manager",
)
"""Keywords of ``as_query_engine`` that configure the engine and its synthesizer (the rest go to the retriever)."""
