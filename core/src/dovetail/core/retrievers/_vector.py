"""``VectorIndexRetriever``: embed the query, ask the index's vector store, return scored nodes."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._ids import id_list
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.retrievers._base import BaseRetriever
from dovetail.core.schema import BaseNode
from dovetail.core.schema import IndexNode
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryMode

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.embeddings import BaseEmbedding
    from dovetail.core.indices import VectorStoreIndex
    from dovetail.core.vector_stores import VectorStoreQueryResult

__all__ = ["VectorIndexRetriever"]


class VectorIndexRetriever(BaseRetriever):
    """Retrieve the ``similarity_top_k`` nodes closest to the query embedding.

    Args:
        index: the :class:`~dovetail.core.indices.VectorStoreIndex` to search.
        similarity_top_k: how many nodes to return.
        filters: metadata filters applied by the vector store.
        node_ids: restrict the search to these nodes.
        doc_ids: restrict the search to nodes of these documents.
        vector_store_query_mode: the store's query mode.
        embed_model: embeds the query; default the index's model.
        callback_manager: receives ``RETRIEVE`` events; default the index's.
        object_map: objects that ``IndexNode`` results point at, by ``index_id``.
        verbose: log followed ``IndexNode`` results.
        alpha: weight of dense vs sparse scores in hybrid mode (stores that support it).
        sparse_top_k: sparse results to consider in hybrid mode.
        hybrid_top_k: results of a hybrid query.
        vector_store_kwargs: extra keywords for the vector store's ``query`` (a store refuses the ones it does
            not know at the first query).

    Raises:
        TypeError: an unknown keyword, at construction; the message names the closest parameter (LlamaIndex
            drops such keywords; store-specific ones go in ``vector_store_kwargs``, as LlamaIndex documents).

    Example:
        ```python
        retriever = index.as_retriever(similarity_top_k=3, filters=MetadataFilters.from_dicts([...]))
        for hit in retriever.retrieve("sliding dovetail"):
            print(hit.score, hit.node.metadata["file_name"])
        ```
    """

    @suggest_keywords
    def __init__(
        self,
        index: VectorStoreIndex,
        similarity_top_k: int = 2,
        filters: MetadataFilters | None = None,
        node_ids: list[str] | None = None,
        doc_ids: list[str] | None = None,
        vector_store_query_mode: VectorStoreQueryMode | str = VectorStoreQueryMode.DEFAULT,
        embed_model: BaseEmbedding | None = None,
        callback_manager: CallbackManager | None = None,
        object_map: dict[str, Any] | None = None,
        verbose: bool = False,
        alpha: float | None = None,
        sparse_top_k: int | None = None,
        hybrid_top_k: int | None = None,
        vector_store_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            callback_manager=callback_manager or index.callback_manager, object_map=object_map, verbose=verbose
        )
        self._index = index
        self.similarity_top_k = similarity_top_k
        self.filters = filters
        self.node_ids = id_list(node_ids, "node_ids")
        self.doc_ids = id_list(doc_ids, "doc_ids")
        self.vector_store_query_mode = VectorStoreQueryMode(vector_store_query_mode)
        self._embed_model = embed_model
        self.alpha = alpha
        self.sparse_top_k = sparse_top_k
        self.hybrid_top_k = hybrid_top_k
        # They go to the vector store's query, which refuses the ones it does not know.
        self._kwargs = dict(vector_store_kwargs or {})

    @property
    def embed_model(self) -> BaseEmbedding:
        """The model that embeds queries."""
        return self._embed_model or self._index.embed_model

    def _query(self, bundle: QueryBundle, embedding: list[float] | None) -> VectorStoreQuery:
        return VectorStoreQuery(
            query_embedding=embedding,
            similarity_top_k=self.similarity_top_k,
            node_ids=self.node_ids,
            doc_ids=self.doc_ids,
            query_str=bundle.query_str,
            mode=self.vector_store_query_mode,
            filters=self.filters,
            alpha=self.alpha,
            sparse_top_k=self.sparse_top_k,
            hybrid_top_k=self.hybrid_top_k,
        )

    def _target(self, node: BaseNode, seen: frozenset[int]) -> Any:
        """As the base class, and an ``IndexNode`` whose ``index_id`` names a node of the index's docstore (a
        table behind its summary, a parent chunk) resolves to that node."""
        if isinstance(node, IndexNode) and node.obj is None and node.index_id not in self.object_map:
            target = self._index.docstore.get_node(node.index_id, raise_error=False)
            if target is not None:
                node = node.model_copy(update={"obj": target})
        return super()._target(node, seen)

    def _needs_embedding(self, bundle: QueryBundle) -> bool:
        if bundle.embedding is not None or not self._index.vector_store.is_embedding_query:
            return False
        if not bundle.embedding_strs or not any(text.strip() for text in bundle.embedding_strs):
            msg = "the query is empty; ask a question (e.g. retriever.retrieve('what is a dovetail?'))"
            raise InvalidInputError(msg)
        return True

    def _nodes(self, result: VectorStoreQueryResult) -> list[NodeWithScore]:
        ids = result.ids or []
        scores = result.similarities or [None] * len(ids)  # type: ignore[list-item]
        nodes: list[BaseNode]
        if result.nodes is not None and self._index.vector_store.stores_text:
            nodes = list(result.nodes)
        else:
            nodes = self._index.docstore.get_nodes(ids)
        return [NodeWithScore(node=node, score=score) for node, score in zip(nodes, scores, strict=False)]

    # The query embedding is computed into a local, never written into the caller's bundle: a bundle reused for
    # another retriever (another embedding model) must not carry this model's vector.
    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        embedding = query_bundle.embedding
        if self._needs_embedding(query_bundle):
            embedding = self.embed_model.get_agg_embedding_from_queries(query_bundle.embedding_strs)
        result = self._index.vector_store.query(self._query(query_bundle, embedding), **self._kwargs)
        return self._nodes(result)

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        embedding = query_bundle.embedding
        if self._needs_embedding(query_bundle):
            embedding = await self.embed_model.aget_agg_embedding_from_queries(query_bundle.embedding_strs)
        result = await self._index.vector_store.aquery(self._query(query_bundle, embedding), **self._kwargs)
        return self._nodes(result)
