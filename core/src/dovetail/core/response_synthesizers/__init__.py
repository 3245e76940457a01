"""Response synthesis: from retrieved nodes to an answer — with an LLM (compact/refine) or extractively.

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

__all__ = [
    "AsyncStreamingResponse",
    "BaseSynthesizer",
    "CompactAndRefine",
    "ExtractiveSynthesizer",
    "Refine",
    "Response",
    "ResponseMode",
    "StreamingResponse",
    "get_response_synthesizer",
    "split_sentences",
]
