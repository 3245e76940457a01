"""Loading persisted indices."""

from __future__ import annotations

import inspect
from typing import Any

from dovetail.core._ids import id_list
from dovetail.core._kwargs import reject_unknown_keywords
from dovetail.core.indices._keyword_table import KEYWORD_STRUCT_TYPE
from dovetail.core.indices._keyword_table import SimpleKeywordTableIndex
from dovetail.core.indices._summary_index import SUMMARY_STRUCT_TYPE
from dovetail.core.indices._summary_index import SummaryIndex
from dovetail.core.indices._vector_store_index import VectorStoreIndex
from dovetail.core.storage import IndexStruct
from dovetail.core.storage import StorageContext

__all__ = ["load_index_from_storage", "load_indices_from_storage"]


def load_index_from_storage(
    storage_context: StorageContext, index_id: str | None = None, **kwargs: Any
) -> VectorStoreIndex | SummaryIndex | SimpleKeywordTableIndex:
    """The index kept in ``storage_context`` (e.g. ``StorageContext.from_defaults(persist_dir="./index")``).

    Args:
        storage_context: where the index was persisted.
        index_id: which index, when the storage holds several.
        **kwargs: passed to the index class (``embed_model``, ``callback_manager``, ...).

    Raises:
        NotFoundError: the storage holds no such index.
        InvalidInputError: the storage holds several indices and ``index_id`` was not given.
        TypeError: a keyword the index class does not take; the message names the closest valid one.
    """
    return _load(storage_context, storage_context.index_store.require(index_id), kwargs)


def load_indices_from_storage(
    storage_context: StorageContext, index_ids: list[str] | None = None, **kwargs: Any
) -> list[VectorStoreIndex | SummaryIndex | SimpleKeywordTableIndex]:
    """Every index kept in ``storage_context``, or those with ``index_ids`` (in that order).

    Args:
        storage_context: where the indices were persisted.
        index_ids: which indices; default all of them.
        **kwargs: passed to each index class (``embed_model``, ``callback_manager``, ...).

    Raises:
        NotFoundError: an id of ``index_ids`` is not in the storage.
        InvalidInputError: ``index_ids`` is a string instead of a list of ids.
        TypeError: a keyword an index class does not take; the message names the closest valid one.
    """
    store = storage_context.index_store
    if index_ids is None:
        structs = store.index_structs()
    else:
        structs = [store.require(index_id) for index_id in id_list(index_ids, "index_ids") or []]
    return [_load(storage_context, struct, kwargs) for struct in structs]


def _load(
    storage_context: StorageContext, struct: IndexStruct, kwargs: dict[str, Any]
) -> VectorStoreIndex | SummaryIndex | SimpleKeywordTableIndex:
    index_class = {SUMMARY_STRUCT_TYPE: SummaryIndex, KEYWORD_STRUCT_TYPE: SimpleKeywordTableIndex}.get(
        struct.struct_type, VectorStoreIndex
    )
    _check_keywords(index_class, kwargs)
    if struct.struct_type == SUMMARY_STRUCT_TYPE:
        return SummaryIndex(storage_context=storage_context, index_struct=struct, **kwargs)
    if struct.struct_type == KEYWORD_STRUCT_TYPE:
        return SimpleKeywordTableIndex(storage_context=storage_context, index_struct=struct, **kwargs)
    if struct.struct_type != "vector_store":
        from dovetail.core._exceptions import InvalidInputError

        msg = (
            f"index {struct.index_id} is a {struct.struct_type!r} index; "
            "this dovetail loads vector_store, list and keyword_table indices"
        )
        raise InvalidInputError(msg)
    return VectorStoreIndex(storage_context=storage_context, index_struct=struct, **kwargs)


def _check_keywords(index_class: type, kwargs: dict[str, Any]) -> None:
    """Refuse keywords ``index_class`` would refuse, but naming ``load_index_from_storage``'s own ones too."""
    parameters = inspect.signature(index_class).parameters.values()
    if any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters):
        return
    valid = {parameter.name for parameter in parameters} - {"index_struct"} | {"storage_context", "index_id"}
    reject_unknown_keywords("load_index_from_storage", kwargs, valid)
