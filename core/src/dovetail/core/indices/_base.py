"""What every index shares: its storage, its record in the index store, chat engines and pickling."""

from __future__ import annotations

import asyncio
from abc import ABC
from abc import abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.indices._engines import reduce_index
from dovetail.core.storage import IndexStruct
from dovetail.core.storage import StorageContext

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.chat_engine import BaseChatEngine
    from dovetail.core.schema import BaseNode
    from dovetail.core.schema import IndexNode
    from dovetail.core.storage import RefDocInfo
    from dovetail.core.storage import SimpleDocumentStore

__all__ = ["BaseIndex"]


class BaseIndex(ABC):
    """Base of the indices: ``storage_context``, ``index_struct``, ``index_id``, ``docstore``, ``ref_doc_info``,
    :meth:`as_chat_engine` and pickling. Subclasses set ``_storage_context`` and ``_index_struct``."""

    _storage_context: StorageContext
    _index_struct: IndexStruct
    _transformations: list[Any] | None
    callback_manager: CallbackManager
    _show_progress: bool
    retriever_keywords: tuple[str, ...] = ()
    """Keywords ``as_retriever`` (and so ``as_query_engine``/``as_chat_engine``) accepts."""
    _kind: str | None = None
    """The index in error messages (``"a summary index"``); set, an ``index_struct`` of another type is refused."""

    def _init_index(
        self,
        nodes: Sequence[BaseNode] | None,
        storage_context: StorageContext | None,
        transformations: Sequence[Any] | None,
        index_struct: IndexStruct | None,
        callback_manager: CallbackManager | None,
        show_progress: bool,
        new_struct: IndexStruct,
        objects: Sequence[IndexNode] | None = None,
    ) -> None:
        """Set what every index keeps, then add ``nodes``; a subclass calls it last in ``__init__``.

        ``index_struct`` is an existing index's record (of ``new_struct``'s type, checked when the class's
        ``_kind`` names the index in the error); without one, ``new_struct`` is registered in the index store.
        ``objects`` are ``IndexNode`` s added after ``nodes``; the objects they carry (``obj``) stay in memory and
        reach this index's retrievers as their ``object_map`` (as in LlamaIndex, they are not persisted).
        """
        from dovetail.core.settings import Settings

        self._object_map: dict[str, Any] = {}
        stored_objects = self._take_objects(objects or [])  # checked before anything is registered
        self._storage_context = storage_context or StorageContext.from_defaults()
        self._transformations = list(transformations) if transformations is not None else None
        self.callback_manager = callback_manager or Settings.callback_manager
        self._show_progress = show_progress
        if index_struct is None:
            index_struct = new_struct
            self._storage_context.index_store.add_index_struct(index_struct)
        elif self._kind is not None and index_struct.struct_type != new_struct.struct_type:
            msg = f"index {index_struct.index_id} is a {index_struct.struct_type!r} index, not {self._kind}"
            raise InvalidInputError(msg)
        if type(index_struct) is not type(new_struct) and index_struct.struct_type == new_struct.struct_type:
            # a plain IndexStruct of this index's type (e.g. built by hand): keep it as the type's record class
            index_struct = type(new_struct)(
                index_struct.index_id, index_struct.struct_type, index_struct.summary, index_struct.extra
            )
            self._storage_context.index_store.add_index_struct(index_struct)
        self._index_struct = index_struct
        nodes = [*(nodes or []), *stored_objects]
        if nodes:
            self.insert_nodes(nodes)

    def _take_objects(self, objects: Sequence[IndexNode]) -> list[IndexNode]:
        """Keep the objects of ``objects`` in ``_object_map``; returns the nodes without them (to be stored).

        Raises:
            InvalidInputError: an item is not an ``IndexNode``.
        """
        from dovetail.core.schema import IndexNode

        stored: list[IndexNode] = []
        for item in objects:
            if not isinstance(item, IndexNode):
                msg = f"objects= takes IndexNode(index_id=..., obj=...) items, got {type(item).__name__}"
                raise InvalidInputError(msg)
            if item.obj is not None:
                self._object_map[item.index_id] = item.obj
            stored.append(item.model_copy(update={"obj": None}))
        return stored

    def _with_objects(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Retriever keywords with this index's objects added to ``object_map`` (the caller's entries win)."""
        if self._object_map:
            kwargs["object_map"] = {**self._object_map, **(kwargs.get("object_map") or {})}
        return kwargs

    @abstractmethod
    def insert_nodes(self, nodes: Sequence[BaseNode], **insert_kwargs: Any) -> None:
        """Add ready-made nodes to the index."""

    @abstractmethod
    def delete_ref_doc(self, ref_doc_id: str, delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Remove every node of document ``ref_doc_id``."""

    @abstractmethod
    def delete_nodes(self, node_ids: list[str], delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Remove nodes by id."""

    async def adelete_ref_doc(self, ref_doc_id: str, delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Async :meth:`delete_ref_doc` (in a worker thread, so the event loop is not blocked)."""
        await asyncio.to_thread(self.delete_ref_doc, ref_doc_id, delete_from_docstore, **delete_kwargs)

    async def adelete_nodes(self, node_ids: list[str], delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Async :meth:`delete_nodes` (in a worker thread, so the event loop is not blocked)."""
        await asyncio.to_thread(self.delete_nodes, node_ids, delete_from_docstore, **delete_kwargs)

    def _document_steps(self) -> list[Any]:
        """How documents become nodes: the index's ``transformations``, else ``Settings.transformations``."""
        from dovetail.core.settings import Settings

        return list(self._transformations if self._transformations is not None else Settings.transformations)

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
