"""LlamaIndex's ``llama_index.core.base.llms.types`` import path.

Re-exports message, content-block and response types lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.llms import (
        AudioBlock,
        CacheControl,
        CachePoint,
        ChatMessage,
        ChatResponse,
        ChatResponseAsyncGen,
        ChatResponseGen,
        CompletionResponse,
        CompletionResponseAsyncGen,
        CompletionResponseGen,
        ContentBlock,
        DocumentBlock,
        ImageBlock,
        LLMMetadata,
        MessageRole,
        TextBlock,
        ThinkingBlock,
        ToolCallBlock,
        VideoBlock,
    )

_LAZY: dict[str, str] = {
    "AudioBlock": "dovetail.core.llms",
    "CacheControl": "dovetail.core.llms",
    "CachePoint": "dovetail.core.llms",
    "ChatMessage": "dovetail.core.llms",
    "ChatResponse": "dovetail.core.llms",
    "ChatResponseAsyncGen": "dovetail.core.llms",
    "ChatResponseGen": "dovetail.core.llms",
    "CompletionResponse": "dovetail.core.llms",
    "CompletionResponseAsyncGen": "dovetail.core.llms",
    "CompletionResponseGen": "dovetail.core.llms",
    "ContentBlock": "dovetail.core.llms",
    "DocumentBlock": "dovetail.core.llms",
    "ImageBlock": "dovetail.core.llms",
    "LLMMetadata": "dovetail.core.llms",
    "MessageRole": "dovetail.core.llms",
    "TextBlock": "dovetail.core.llms",
    "ThinkingBlock": "dovetail.core.llms",
    "ToolCallBlock": "dovetail.core.llms",
    "VideoBlock": "dovetail.core.llms",
}

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

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
