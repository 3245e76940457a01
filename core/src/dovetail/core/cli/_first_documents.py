"""A postprocessor for scoring documents: keep the chunks of a ranking's first few distinct documents."""

from __future__ import annotations

from dovetail.core.postprocessor import BaseNodePostprocessor
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

__all__ = ["FirstDocuments"]


class FirstDocuments(BaseNodePostprocessor):
    """Keep the chunks of the first ``count`` distinct documents of a ranking (chunks without a document pass)."""

    def __init__(self, count: int) -> None:
        self.count = count

    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None) -> list[NodeWithScore]:
        seen: set[str] = set()
        kept = []
        for hit in nodes:
            document = hit.node.ref_doc_id
            if document is not None and document not in seen:
                if len(seen) == self.count:
                    break
                seen.add(document)
            kept.append(hit)
        return kept
