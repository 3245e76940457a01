"""Response synthesis: from retrieved nodes to an answer — with an LLM (every LlamaIndex response mode) or
extractively.

Example:
    ```python
    from dovetail.core.response_synthesizers import get_response_synthesizer

    synthesizer = get_response_synthesizer(llm=None)          # extractive: no model call
    print(synthesizer.synthesize("What is a tenon?", nodes))
    ```
"""

from dovetail.core.response_synthesizers._base import BaseSynthesizer
from dovetail.core.response_synthesizers._extractive import ExtractiveSynthesizer, split_sentences
from dovetail.core.response_synthesizers._factory import ResponseMode, get_response_synthesizer
from dovetail.core.response_synthesizers._refine import CompactAndRefine, Refine
from dovetail.core.response_synthesizers._response import AsyncStreamingResponse, Response, StreamingResponse
from dovetail.core.response_synthesizers._summarize import (
    Accumulate,
    CompactAndAccumulate,
    Generation,
    NoText,
    SimpleSummarize,
    TreeSummarize,
)

__all__ = [
    "Accumulate",
    "AsyncStreamingResponse",
    "BaseSynthesizer",
    "CompactAndAccumulate",
    "CompactAndRefine",
    "ExtractiveSynthesizer",
    "Generation",
    "NoText",
    "Refine",
    "Response",
    "ResponseMode",
    "SimpleSummarize",
    "StreamingResponse",
    "TreeSummarize",
    "get_response_synthesizer",
    "split_sentences",
]
