"""Node postprocessors: filter, rewrite or reorder retrieved nodes before an answer is written.

A postprocessor takes the scored nodes a retriever returned (and the query) and returns a new list. Query and chat
engines apply a list of them in order (``index.as_query_engine(node_postprocessors=[...])``).

* :class:`SimilarityPostprocessor` — drop nodes scored below a cutoff.
* :class:`KeywordNodePostprocessor` — keep nodes containing required keywords, drop those with excluded ones.
* :class:`MetadataReplacementPostProcessor` — replace a node's text with one of its metadata values (the
  ``window`` of :class:`~dovetail.core.node_parser.SentenceWindowNodeParser`).
* :class:`LongContextReorder` — put the best nodes at the start and end of the context, the weakest in the middle.
* :class:`LLMRerank` — ask an LLM to pick and score the relevant nodes.

Example:
    ```python
    from dovetail.core.postprocessor import SimilarityPostprocessor

    engine = index.as_query_engine(node_postprocessors=[SimilarityPostprocessor(similarity_cutoff=0.3)])
    ```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports
from dovetail.core.postprocessor._base import BaseNodePostprocessor

if TYPE_CHECKING:
    from dovetail.core.postprocessor._llm_rerank import LLMRerank
    from dovetail.core.postprocessor._simple import KeywordNodePostprocessor
    from dovetail.core.postprocessor._simple import LongContextReorder
    from dovetail.core.postprocessor._simple import MetadataReplacementPostProcessor
    from dovetail.core.postprocessor._simple import SimilarityPostprocessor

_LAZY: dict[str, str] = {
    "KeywordNodePostprocessor": "dovetail.core.postprocessor._simple",
    "LLMRerank": "dovetail.core.postprocessor._llm_rerank",
    "LongContextReorder": "dovetail.core.postprocessor._simple",
    "MetadataReplacementPostProcessor": "dovetail.core.postprocessor._simple",
    "SimilarityPostprocessor": "dovetail.core.postprocessor._simple",
}

__all__ = [
    "BaseNodePostprocessor",
    "KeywordNodePostprocessor",
    "LLMRerank",
    "LongContextReorder",
    "MetadataReplacementPostProcessor",
    "SimilarityPostprocessor",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
