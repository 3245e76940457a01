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
from dovetail.core.response_synthesizers._extractive import ExtractiveSynthesizer
from dovetail.core.response_synthesizers._extractive import split_sentences
from dovetail.core.response_synthesizers._factory import ResponseMode
from dovetail.core.response_synthesizers._factory import get_response_synthesizer
from dovetail.core.response_synthesizers._refine import CompactAndRefine
from dovetail.core.response_synthesizers._refine import Refine
from dovetail.core.response_synthesizers._response import AsyncStreamingResponse
from dovetail.core.response_synthesizers._response import Response
from dovetail.core.response_synthesizers._response import StreamingResponse
from dovetail.core.response_synthesizers._summarize import Accumulate
from dovetail.core.response_synthesizers._summarize import CompactAndAccumulate
from dovetail.core.response_synthesizers._summarize import Generation
from dovetail.core.response_synthesizers._summarize import NoText
from dovetail.core.response_synthesizers._summarize import SimpleSummarize
from dovetail.core.response_synthesizers._summarize import TreeSummarize

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
