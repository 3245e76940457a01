"""``SimpleKeywordTableIndex``: a table from keywords to the nodes that contain them, and its retriever.

Keywords are extracted without an LLM: lower-cased words, stopwords and one-letter words dropped, the
``max_keywords_per_chunk`` most frequent kept (ties in order of appearance). A query is turned into keywords the
same way; the retriever returns the nodes sharing the most keywords with it (at most ``num_chunks_per_query``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.indices._base import BaseIndex
from dovetail.core.indices._engines import build_query_engine
from dovetail.core.indices._kwargs import not_offered
from dovetail.core.indices._kwargs import reject_unknown
from dovetail.core.retrievers import BaseRetriever
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.schema import IndexNode
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.storage import IndexStruct
from dovetail.core.storage import KeywordTable
from dovetail.core.storage import StorageContext

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.query_engine import RetrieverQueryEngine

__all__ = [
    "KEYWORD_STRUCT_TYPE",
    "STOPWORDS",
    "KeywordTableSimpleRetriever",
    "SimpleKeywordTableIndex",
    "simple_extract_keywords",
]

KEYWORD_STRUCT_TYPE = "keyword_table"
_WORD = re.compile(r"\w+")
STOPWORDS = frozenset(
    (  # noqa: SIM905 - a word list reads better as text
        "a about above after again against all am an and any are as at be because been before being below "
        "between both but by can could did do does doing down during each few for from further had has have "
        "having he her here hers herself him himself his how i if in into is it its itself just me more most "
        "my myself no nor not now of off on once only or other our ours ourselves out over own same she "
        "should so some such than that the their theirs them themselves then there these they this those "
        "through to too under until up very was we were what when where which while who whom why will with "
        "would you your yours yourself yourselves"
    ).split()
)


def simple_extract_keywords(text: str, max_keywords: int | None = None) -> set[str]:
    """The ``max_keywords`` most frequent non-stopwords of ``text`` (lower-cased); all of them when ``None``."""
    words = [word for word in _WORD.findall(text.lower()) if len(word) > 1 and word not in STOPWORDS]
    return {word for word, _ in Counter(words).most_common(max_keywords)}


class SimpleKeywordTableIndex(BaseIndex):
    """Keyword → node ids table over nodes kept in the docstore (no LLM, no embeddings).

    Args:
        nodes: nodes to add now.
        storage_context: where the data lives (the docstore may be shared with other indices).
        max_keywords_per_chunk: keywords recorded per node.
        transformations: how documents become nodes; default ``Settings.transformations``.
        index_struct: the record of an existing index (used by :func:`load_index_from_storage`).
        callback_manager: receives events; default ``Settings.callback_manager``.
        show_progress: log progress.
    """

    retriever_keywords: tuple[str, ...] = (
        "retriever_mode",
        "max_keywords_per_query",
        "num_chunks_per_query",
        "callback_manager",
        "object_map",
        "verbose",
    )
    """Keywords :meth:`as_retriever` (and so :meth:`as_query_engine`) accepts."""

    _kind = "a keyword table"

    @not_offered("llm", "keyword_extract_template", "use_async", "service_context")
    def __init__(
        self,
        nodes: Sequence[BaseNode] | None = None,
        storage_context: StorageContext | None = None,
        max_keywords_per_chunk: int = 10,
        transformations: Sequence[Any] | None = None,
        index_struct: IndexStruct | None = None,
        callback_manager: CallbackManager | None = None,
        show_progress: bool = False,
        objects: Sequence[IndexNode] | None = None,
    ) -> None:
        self.max_keywords_per_chunk = max_keywords_per_chunk
        self._embed_model = None
        new_struct = KeywordTable(extra={"table": {}})
        self._init_index(
            nodes, storage_context, transformations, index_struct, callback_manager, show_progress, new_struct, objects
        )

    @classmethod
    @not_offered("llm", "keyword_extract_template", "use_async", "service_context")
    def from_documents(
        cls,
        documents: Sequence[Document],
        storage_context: StorageContext | None = None,
        transformations: Sequence[Any] | None = None,
        show_progress: bool = False,
        callback_manager: CallbackManager | None = None,
        max_keywords_per_chunk: int = 10,
    ) -> SimpleKeywordTableIndex:
        """Split ``documents`` into nodes and index their keywords."""
        from dovetail.core.ingestion import run_transformations

        index = cls(
            storage_context=storage_context,
            max_keywords_per_chunk=max_keywords_per_chunk,
            transformations=transformations,
            callback_manager=callback_manager,
            show_progress=show_progress,
        )
        index.insert_nodes(run_transformations(list(documents), index._document_steps()))
        for doc in documents:
            index.docstore.set_document_hash(doc.node_id, doc.hash)
        return index

    @property
    def embed_model(self) -> Any:
        """``Settings.embed_model`` (the keyword table itself embeds nothing; extractive answers may)."""
        from dovetail.core.settings import Settings

        return Settings.embed_model

    @property
    def index_struct(self) -> KeywordTable:
        """The index's record; ``index_struct.table`` maps each keyword to its node ids, as in LlamaIndex."""
        return cast("KeywordTable", self._index_struct)  # made a KeywordTable by _init_index

    @property
    def table(self) -> dict[str, list[str]]:
        """Keyword → ids of the nodes containing it."""
        table: dict[str, list[str]] = self._index_struct.extra.setdefault("table", {})
        return table

    def insert_nodes(self, nodes: Sequence[BaseNode], **insert_kwargs: Any) -> None:
        """Store nodes and record their keywords.

        Raises:
            InvalidInputError: an item is not a node; nothing is stored.
        """
        reject_unknown("insert_nodes", insert_kwargs, ())
        nodes = list(nodes)
        if not all(isinstance(node, BaseNode) for node in nodes):
            msg = "insert_nodes takes nodes (TextNode, ...); use from_documents for documents"
            raise InvalidInputError(msg)
        self.docstore.add_documents(nodes)
        table = self.table
        for node in nodes:
            text = node.get_content(MetadataMode.LLM)
            for keyword in sorted(simple_extract_keywords(text, self.max_keywords_per_chunk)):
                ids = table.setdefault(keyword, [])
                if node.node_id not in ids:
                    ids.append(node.node_id)
        self._storage_context.index_store.add_index_struct(self._index_struct)

    def insert(self, document: Document, **insert_kwargs: Any) -> None:
        """Split one document into nodes and index them."""
        from dovetail.core.ingestion import run_transformations

        reject_unknown("insert", insert_kwargs, ())
        self.insert_nodes(run_transformations([document], self._document_steps()))

    def delete_nodes(self, node_ids: list[str], delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Remove nodes from the table (and, by default, the docstore)."""
        reject_unknown("delete_nodes", delete_kwargs, ())
        gone = set(node_ids)
        for keyword in list(self.table):
            kept = [node_id for node_id in self.table[keyword] if node_id not in gone]
            if kept:
                self.table[keyword] = kept
            else:
                del self.table[keyword]
        self._storage_context.index_store.add_index_struct(self._index_struct)
        if delete_from_docstore:
            for node_id in node_ids:
                self.docstore.delete_document(node_id, raise_error=False)

    def delete_ref_doc(self, ref_doc_id: str, delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Remove every node of document ``ref_doc_id``."""
        info = self.docstore.get_ref_doc_info(ref_doc_id)
        if info is not None:
            self.delete_nodes(list(info.node_ids), delete_from_docstore=delete_from_docstore, **delete_kwargs)

    def as_retriever(self, retriever_mode: str = "simple", **kwargs: Any) -> KeywordTableSimpleRetriever:
        """A keyword retriever (``retriever_mode``: ``"simple"``/``"default"``; the LLM-based modes are not
        available).

        Raises:
            TypeError: an unknown keyword.
            InvalidInputError: an unsupported mode.
        """
        reject_unknown("as_retriever", kwargs, self.retriever_keywords)
        if retriever_mode not in ("simple", "default"):
            msg = f"retriever_mode {retriever_mode!r} is not supported by SimpleKeywordTableIndex; use 'simple'"
            raise InvalidInputError(msg)
        return KeywordTableSimpleRetriever(self, **self._with_objects(kwargs))

    def as_query_engine(self, llm: Any = None, **kwargs: Any) -> RetrieverQueryEngine:
        """A query engine over the keyword retriever (keywords as in ``VectorStoreIndex.as_query_engine``)."""
        return build_query_engine(self, llm, kwargs)


class KeywordTableSimpleRetriever(BaseRetriever):
    """The nodes sharing the most keywords with the query (score: the number of shared keywords).

    Args:
        index: the keyword table.
        max_keywords_per_query: keywords taken from the query.
        num_chunks_per_query: nodes returned at most.
        callback_manager: receives ``RETRIEVE`` events; default the index's.
        object_map: objects that ``IndexNode`` results point at.
        verbose: log followed ``IndexNode`` results.
    """

    def __init__(
        self,
        index: SimpleKeywordTableIndex,
        max_keywords_per_query: int = 10,
        num_chunks_per_query: int = 10,
        callback_manager: CallbackManager | None = None,
        object_map: dict[str, Any] | None = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(callback_manager or index.callback_manager, object_map, verbose)
        self._index = index
        self.max_keywords_per_query = max_keywords_per_query
        self.num_chunks_per_query = num_chunks_per_query

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        keywords = simple_extract_keywords(query_bundle.query_str, self.max_keywords_per_query)
        hits: Counter[str] = Counter()
        for keyword in sorted(keywords):
            hits.update(self._index.table.get(keyword, []))
        best = hits.most_common(self.num_chunks_per_query)
        nodes = self._index.docstore.get_nodes([node_id for node_id, _ in best], raise_error=False)
        score = dict(best)
        return [NodeWithScore(node=node, score=float(score[node.node_id])) for node in nodes]
