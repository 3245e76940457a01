"""What every index shares: building its query engine from LlamaIndex's keywords, and pickling."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.indices._kwargs import ENGINE_KWARGS
from dovetail.core.indices._kwargs import reject_unknown

if TYPE_CHECKING:
    from dovetail.core.query_engine import RetrieverQueryEngine

__all__ = ["build_query_engine", "reduce_index"]


def build_query_engine(index: Any, llm: Any, kwargs: dict[str, Any]) -> RetrieverQueryEngine:
    """``index.as_query_engine(llm, **kwargs)``: engine keywords to the engine, the others to ``as_retriever``.

    Raises:
        TypeError: a keyword neither the engine nor the index's retriever knows (raised by ``as_retriever``).
    """
    from dovetail.core.query_engine import RetrieverQueryEngine

    reject_unknown("as_query_engine", kwargs, (*ENGINE_KWARGS, *index.retriever_keywords))
    engine_kwargs = {key: value for key, value in kwargs.items() if key in ENGINE_KWARGS}
    retriever_kwargs = {key: value for key, value in kwargs.items() if key not in ENGINE_KWARGS}
    if "callback_manager" in engine_kwargs:
        retriever_kwargs["callback_manager"] = engine_kwargs["callback_manager"]
    retriever = index.as_retriever(**retriever_kwargs)
    engine_kwargs.setdefault("callback_manager", index.callback_manager)
    # Extractive answers use the index's own embedding model; only a vector index is sure to have one.
    embed_model = index.embed_model if index.index_struct.struct_type == "vector_store" else index._embed_model
    return RetrieverQueryEngine.from_args(
        retriever,
        llm=llm,
        embed_model=embed_model,
        default_response_mode=getattr(index, "default_response_mode", "compact"),
        **engine_kwargs,
    )


def reduce_index(index: Any) -> tuple[Any, tuple[Any, ...]]:
    """``__reduce__`` of an index: rebuilt from its storage as a dict (no live clients are pickled).

    The data and the embedding model travel; ingestion transformations do not (splitters hold compiled
    helpers): the unpickled index uses ``Settings.transformations`` for new documents.

    Raises:
        InvalidInputError: the storage holds a remote vector store (its data lives on its server; persist the
            storage context, or rebuild the index from the vector store, instead of pickling).
    """
    try:
        storage = index.storage_context.to_dict()
    except InvalidInputError as exc:
        msg = f"cannot pickle {type(index).__name__}: {exc}"
        raise InvalidInputError(msg) from exc
    return _rebuild_index, (type(index), storage, index.index_id, index._embed_model)


def _rebuild_index(cls: type, storage: dict[str, Any], index_id: str, embed_model: Any) -> Any:
    from dovetail.core.indices import load_index_from_storage
    from dovetail.core.storage import StorageContext

    context = StorageContext.from_dict(storage)
    index = load_index_from_storage(context, index_id=index_id, embed_model=embed_model)
    if not isinstance(index, cls):  # pragma: no cover - the struct type decides the class
        msg = f"unpickled a {type(index).__name__}, expected {cls.__name__}"
        raise InvalidInputError(msg)
    return index
