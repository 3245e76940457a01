"""LlamaIndex's ``llama_index.core.base.llms.types`` import path.

Re-exports message, content-block and response types lazily, so a LlamaIndex import changes only its package prefix.
"""

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

# Type checkers read the names from the star import; ``__all__`` narrows it to the ones exported here.
# ruff: noqa: F403, F405
if TYPE_CHECKING:
    from dovetail.core.llms import *

__all__ = [
    "AudioBlock",
    "CacheControl",
    "CachePoint",
    "ChatMessage",
    "ChatResponse",
    "ChatResponseAsyncGen",
    "ChatResponseGen",
    "CompletionResponse",
    "CompletionResponseAsyncGen",
    "CompletionResponseGen",
    "ContentBlock",
    "DocumentBlock",
    "ImageBlock",
    "LLMMetadata",
    "MessageRole",
    "TextBlock",
    "ThinkingBlock",
    "ToolCallBlock",
    "VideoBlock",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), "dovetail.core.llms")
