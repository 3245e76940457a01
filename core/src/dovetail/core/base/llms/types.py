"""LlamaIndex's ``llama_index.core.base.llms.types`` import path.

Re-exports message, content-block and response types lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.llms import (
        ChatMessage,
        ChatResponse,
        ChatResponseAsyncGen,
        ChatResponseGen,
        CompletionResponse,
        CompletionResponseAsyncGen,
        CompletionResponseGen,
        ContentBlock,
        ImageBlock,
        LLMMetadata,
        MessageRole,
        TextBlock,
    )

_LAZY: dict[str, str] = {
    "ChatMessage": "dovetail.core.llms",
    "ChatResponse": "dovetail.core.llms",
    "ChatResponseAsyncGen": "dovetail.core.llms",
    "ChatResponseGen": "dovetail.core.llms",
    "CompletionResponse": "dovetail.core.llms",
    "CompletionResponseAsyncGen": "dovetail.core.llms",
    "CompletionResponseGen": "dovetail.core.llms",
    "ContentBlock": "dovetail.core.llms",
    "ImageBlock": "dovetail.core.llms",
    "LLMMetadata": "dovetail.core.llms",
    "MessageRole": "dovetail.core.llms",
    "TextBlock": "dovetail.core.llms",
}

__all__ = [
    "ChatMessage",
    "ChatResponse",
    "ChatResponseAsyncGen",
    "ChatResponseGen",
    "CompletionResponse",
    "CompletionResponseAsyncGen",
    "CompletionResponseGen",
    "ContentBlock",
    "ImageBlock",
    "LLMMetadata",
    "MessageRole",
    "TextBlock",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
