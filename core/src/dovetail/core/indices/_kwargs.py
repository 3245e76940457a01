"""Keyword checks for index entry points: an unknown keyword is a ``TypeError`` naming the closest valid one."""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import TypeVar

from dovetail.core._kwargs import reject_unknown_keywords

__all__ = ["ENGINE_KWARGS", "NOT_OFFERED", "RETRIEVER_KWARGS", "not_offered", "reject_unknown"]


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


_F = TypeVar("_F", bound=Callable[..., Any])

NOT_OFFERED: Mapping[str, str] = {
    "use_async": "dovetail's ingestion has no use_async switch; for async ingestion build the index empty and "
    "`await index.ainsert(document)` (or `ainsert_nodes(nodes)`)",
    "insert_batch_size": "dovetail's ingestion pipeline sizes its batches by itself; drop insert_batch_size",
    "llm": "SimpleKeywordTableIndex extracts keywords without an LLM (LlamaIndex's too); drop llm=, and pass "
    "the LLM to as_query_engine(llm=...) for answers",
    "keyword_extract_template": "SimpleKeywordTableIndex extracts keywords without an LLM, so it has no prompt; "
    "drop keyword_extract_template",
    "skip_embedding": "dovetail embeds every node it stores (vector stores that embed on their side are not "
    "supported); drop skip_embedding, or pass nodes that already carry embeddings",
    "service_context": "ServiceContext was removed (from LlamaIndex too); set Settings.llm / Settings.embed_model "
    "or pass embed_model=... instead",
}
"""LlamaIndex keywords of index constructors that dovetail does not take, and what to do instead."""


def not_offered(*names: str) -> Callable[[_F], _F]:
    """Make a LlamaIndex keyword among ``names`` a ``TypeError`` that says what to do (see :data:`NOT_OFFERED`)
    instead of the generic "unexpected keyword" one."""

    def decorate(func: _F) -> _F:
        owner = func.__qualname__.removesuffix(".__init__")

        @functools.wraps(func)
        def checked(*args: Any, **kwargs: Any) -> Any:
            for name in names:
                if name in kwargs:
                    msg = f"{owner}() does not take {name}=: {NOT_OFFERED[name]}"
                    raise TypeError(msg)
            return func(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate
