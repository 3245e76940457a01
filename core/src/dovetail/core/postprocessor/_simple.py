"""Postprocessors that need no model: similarity cutoff, keywords, metadata replacement, long-context reorder."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.postprocessor._base import BaseNodePostprocessor
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import TextNode

__all__ = [
    "KeywordNodePostprocessor",
    "LongContextReorder",
    "MetadataReplacementPostProcessor",
    "SimilarityPostprocessor",
]


class SimilarityPostprocessor(BaseNodePostprocessor):
    """Drop nodes whose score is below ``similarity_cutoff`` (nodes without a score are dropped too).

    Args:
        similarity_cutoff: the lowest score kept; ``None`` keeps every node.

    Example:
        ```python
        kept = SimilarityPostprocessor(similarity_cutoff=0.75).postprocess_nodes(nodes)
        ```
    """

    def __init__(self, similarity_cutoff: float | None = None) -> None:
        if similarity_cutoff is not None:
            if isinstance(similarity_cutoff, bool) or not isinstance(similarity_cutoff, (int, float)):
                msg = f"similarity_cutoff must be a number or None, got {type(similarity_cutoff).__name__}"
                raise InvalidInputError(msg)
            if math.isnan(similarity_cutoff):
                msg = "similarity_cutoff is NaN; give a number such as 0.7, or None to keep every node"
                raise InvalidInputError(msg)
        self.similarity_cutoff = similarity_cutoff

    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None) -> list[NodeWithScore]:
        cutoff = self.similarity_cutoff
        if cutoff is None:
            return nodes
        return [hit for hit in nodes if hit.score is not None and hit.score >= cutoff]


def _phrases(name: str, words: Sequence[str] | None) -> list[re.Pattern[str]]:
    if words is None:
        return []
    if isinstance(words, str) or not isinstance(words, Sequence):
        msg = f"{name} must be a list of strings, got {type(words).__name__}; e.g. {name}=['tenon']"
        raise InvalidInputError(msg)
    patterns = []
    for word in words:
        if not isinstance(word, str) or not word.strip():
            msg = f"{name} holds {word!r}; every keyword must be a non-empty string"
            raise InvalidInputError(msg)
        # A keyword (or phrase) matches whole words: "tenon" does not match "tenons" or "untenable".
        body = r"\s+".join(re.escape(part) for part in word.split())
        patterns.append(re.compile(rf"(?<!\w){body}(?!\w)"))
    return patterns


class KeywordNodePostprocessor(BaseNodePostprocessor):
    """Keep nodes that contain every required keyword and none of the excluded ones.

    Keywords match whole words or phrases, case-sensitively (as LlamaIndex's phrase matcher does); a phrase
    matches across any run of whitespace.

    Args:
        required_keywords: every one must appear in the node's text.
        exclude_keywords: a node containing any of them is dropped.
        lang: the language of the text; only ``"en"``-style word boundaries are used, so any language whose words
            are separated by spaces or punctuation works. Kept for LlamaIndex compatibility.

    Example:
        ```python
        KeywordNodePostprocessor(required_keywords=["tenon"], exclude_keywords=["router"]).postprocess_nodes(nodes)
        ```
    """

    def __init__(
        self,
        required_keywords: Sequence[str] | None = None,
        exclude_keywords: Sequence[str] | None = None,
        lang: str = "en",
    ) -> None:
        if not isinstance(lang, str) or not lang:
            msg = f"lang must be a language code such as 'en', got {lang!r}"
            raise InvalidInputError(msg)
        self.required_keywords = list(required_keywords or [])
        self.exclude_keywords = list(exclude_keywords or [])
        self.lang = lang
        self._required = _phrases("required_keywords", required_keywords)
        self._excluded = _phrases("exclude_keywords", exclude_keywords)

    def _keep(self, text: str) -> bool:
        return all(p.search(text) for p in self._required) and not any(p.search(text) for p in self._excluded)

    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None) -> list[NodeWithScore]:
        return [hit for hit in nodes if self._keep(hit.node.get_content(MetadataMode.NONE))]


class MetadataReplacementPostProcessor(BaseNodePostprocessor):
    """Replace each node's text with its ``metadata[target_metadata_key]`` (left unchanged when the key is absent).

    Paired with :class:`~dovetail.core.node_parser.SentenceWindowNodeParser`: sentences are embedded and
    retrieved one by one, and the LLM sees the window of sentences around each. The stored nodes are not
    modified: the results carry copies.

    Args:
        target_metadata_key: the metadata key whose value becomes the text (``"window"`` for sentence windows).

    Example:
        ```python
        MetadataReplacementPostProcessor(target_metadata_key="window")
        ```
    """

    def __init__(self, target_metadata_key: str) -> None:
        if not isinstance(target_metadata_key, str) or not target_metadata_key:
            msg = f"target_metadata_key must be a non-empty string such as 'window', got {target_metadata_key!r}"
            raise InvalidInputError(msg)
        self.target_metadata_key = target_metadata_key

    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None) -> list[NodeWithScore]:
        out = []
        for hit in nodes:
            value = hit.node.metadata.get(self.target_metadata_key)
            if isinstance(value, str) and isinstance(hit.node, TextNode):
                node = hit.node.model_copy(deep=False)
                node.metadata = dict(hit.node.metadata)
                node.set_content(value)
                hit = NodeWithScore(node=node, score=hit.score)
            out.append(hit)
        return out


class LongContextReorder(BaseNodePostprocessor):
    """Reorder nodes so the best-scored sit at the beginning and the end of the context, the weakest in the middle.

    Models attend least to the middle of a long context ("lost in the middle"), so the ranks alternate: the best
    node first, the second best last, the third second, the fourth second to last, and so on. Nodes without a
    score count as the weakest.

    Example:
        ```python
        engine = index.as_query_engine(similarity_top_k=10, node_postprocessors=[LongContextReorder()])
        ```
    """

    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None) -> list[NodeWithScore]:
        ranked = sorted(nodes, key=lambda hit: -math.inf if hit.score is None else hit.score, reverse=True)
        front = ranked[0::2]
        back = ranked[1::2]
        return front + back[::-1]
