"""LLMs: the base classes every provider implements, message/response types and offline mocks.

Example:
    ```python
    from dovetail.core.llms import ChatMessage, MockLLM

    llm = MockLLM()
    print(llm.complete("Hello").text)
    print(llm.chat([ChatMessage(role="user", content="Hi")]).message.content)
    ```
"""

from dovetail.core.llms._base import LLM
from dovetail.core.llms._callbacks import llm_chat_callback, llm_completion_callback
from dovetail.core.llms._custom import CustomLLM
from dovetail.core.llms._function_calling import FunctionCallingLLM
from dovetail.core.llms._mock import MockFunctionCallingLLM, MockLLM
from dovetail.core.llms._types import (
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
from dovetail.core.llms._utils import messages_to_prompt, validate_request
from dovetail.core.tools import ToolSelection

__all__ = [
    "LLM",
    "ChatMessage",
    "ChatResponse",
    "ChatResponseAsyncGen",
    "ChatResponseGen",
    "CompletionResponse",
    "CompletionResponseAsyncGen",
    "CompletionResponseGen",
    "ContentBlock",
    "CustomLLM",
    "FunctionCallingLLM",
    "ImageBlock",
    "LLMMetadata",
    "MessageRole",
    "MockFunctionCallingLLM",
    "MockLLM",
    "TextBlock",
    "ToolSelection",
    "llm_chat_callback",
    "llm_completion_callback",
    "messages_to_prompt",
    "validate_request",
]
