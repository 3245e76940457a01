"""What every index shares: its storage, its record in the index store, chat engines and pickling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dovetail.core.indices._engines import reduce_index

if TYPE_CHECKING:
    from dovetail.core.chat_engine import BaseChatEngine
    from dovetail.core.storage import IndexStruct, RefDocInfo, SimpleDocumentStore, StorageContext

__all__ = ["BaseIndex"]


class BaseIndex:
    """Base of the indices: ``storage_context``, ``index_struct``, ``index_id``, ``docstore``, ``ref_doc_info``,
    :meth:`as_chat_engine` and pickling. Subclasses set ``_storage_context`` and ``_index_struct``."""

    _storage_context: StorageContext
    _index_struct: IndexStruct
    retriever_keywords: tuple[str, ...] = ()
    """Keywords ``as_retriever`` (and so ``as_query_engine``/``as_chat_engine``) accepts."""

    @property
    def storage_context(self) -> StorageContext:
        """Where the index keeps its data."""
        return self._storage_context

    @property
    def index_struct(self) -> IndexStruct:
        """The index's record in the index store."""
        return self._index_struct

    @property
    def index_id(self) -> str:
        """The index's id in its storage context."""
        return self._index_struct.index_id

    @property
    def docstore(self) -> SimpleDocumentStore:
        """The docstore (nodes, and the ledger of ingested documents)."""
        return self._storage_context.docstore

    @property
    def ref_doc_info(self) -> dict[str, RefDocInfo]:
        """Every ingested document and the ids of its nodes."""
        return self.docstore.get_all_ref_doc_info()

    def as_chat_engine(self, chat_mode: str = "best", llm: Any = None, **kwargs: Any) -> BaseChatEngine:
        """A chat engine over this index.

        Args:
            chat_mode: ``"condense_plus_context"`` (also ``"best"``), ``"context"`` or ``"simple"``.
            llm: the model (or ``"provider:model"``); default ``Settings.llm``.
            **kwargs: engine keywords (``memory``, ``system_prompt``, ``context_prompt``, ``condense_prompt``,
                ``node_postprocessors``, ...) and retriever keywords (``similarity_top_k``, ``filters``, ...).

        Raises:
            InvalidInputError: an unsupported chat mode.
            TypeError: an unknown keyword.
            ConfigurationError: no LLM is given or configured.
        """
        from dovetail.core.chat_engine import chat_engine_for

        return chat_engine_for(self, chat_mode=chat_mode, llm=llm, **kwargs)

    def __reduce__(self) -> Any:
        return reduce_index(self)
