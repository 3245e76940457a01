"""Retrievers of :class:`~dovetail.core.indices.SummaryIndex`: every node, or the closest by embedding."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.embeddings import similarity
from dovetail.core.retrievers import BaseRetriever
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.indices._summary_index import SummaryIndex

__all__ = ["SummaryIndexEmbeddingRetriever", "SummaryIndexRetriever"]


class SummaryIndexRetriever(BaseRetriever):
    """Every node of the index, in insertion order (score ``None``)."""

    def __init__(
        self,
        index: SummaryIndex,
        callback_manager: CallbackManager | None = None,
        object_map: dict[str, Any] | None = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(callback_manager or index.callback_manager, object_map, verbose)
        self._index = index

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        nodes = self._index.docstore.get_nodes(self._index.node_ids, raise_error=False)
        return [NodeWithScore(node=node, score=None) for node in nodes]


class SummaryIndexEmbeddingRetriever(SummaryIndexRetriever):
    """The ``similarity_top_k`` nodes closest to the query embedding (node embeddings computed on first use
    and kept in memory per node id and content hash)."""

    def __init__(
        self,
        index: SummaryIndex,
        similarity_top_k: int = 1,
        embed_model: Any | None = None,
        callback_manager: CallbackManager | None = None,
        object_map: dict[str, Any] | None = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(index, callback_manager, object_map, verbose)
        if isinstance(similarity_top_k, bool) or not isinstance(similarity_top_k, int) or similarity_top_k < 1:
            msg = f"similarity_top_k must be a positive integer, got {similarity_top_k!r}"
            raise InvalidInputError(msg)
        self.similarity_top_k = similarity_top_k
        self._embed_model = embed_model
        self._vectors: dict[tuple[str, str], list[float]] = {}

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        model = self._embed_model or self._index.embed_model
        hits = super()._retrieve(query_bundle)
        missing = [hit.node for hit in hits if (hit.node.node_id, hit.node.hash) not in self._vectors]
        if missing:
            texts = [node.get_content(MetadataMode.EMBED) for node in missing]
            for node, vector in zip(missing, model.get_text_embedding_batch(texts), strict=True):
                self._vectors[(node.node_id, node.hash)] = vector
        query = query_bundle.embedding or model.get_agg_embedding_from_queries(query_bundle.embedding_strs)
        for hit in hits:
            hit.score = similarity(query, self._vectors[(hit.node.node_id, hit.node.hash)])
        hits.sort(key=lambda hit: -(hit.score or 0.0))
        return hits[: self.similarity_top_k]
