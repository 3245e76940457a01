"""LLMs: the base classes every provider implements, message/response types and offline mocks.

Example:
    ```python
    from dovetail.core.llms import ChatMessage, MockLLM

    llm = MockLLM()
    print(llm.complete("Hello").text)
    print(llm.chat([ChatMessage(role="user", content="Hi")]).message.content)
    ```

Behaviour worth knowing (where LlamaIndex is silent or differs):

- **One event per call.** Every call method is wrapped with ``llm_completion_callback``/``llm_chat_callback``,
  also when a subclass forgot the decorator. A call made while the same LLM is already inside a call
  (``CustomLLM.chat`` → ``complete``, ``acomplete`` → ``complete`` in a thread) emits no second event, so token
  counts are not doubled. Streams end their event when exhausted, closed, failed or garbage-collected, with the
  last accumulated chunk as ``COMPLETION``/``RESPONSE``.
- **Validation before the provider.** ``LLM._validate_request`` runs before every call: by default a ``str``
  prompt / non-empty ``ChatMessage`` list, image blocks only with ``supports_vision``, tools only with
  ``is_function_calling_model``, and the (approximate) prompt token count plus ``max_tokens`` within
  ``context_window``; failures raise ``InvalidInputError`` and nothing is sent.
- **Async never blocks.** ``CustomLLM``'s async twins run the sync methods in a worker thread; async streams pull
  each chunk in a thread. The callback context (parent event) travels with them.
- **Usage.** Providers put ``prompt_tokens``/``completion_tokens``/``total_tokens`` in ``additional_kwargs``;
  the end event repeats them under ``EventPayload.USAGE``.
- ``messages_to_prompt`` renders ``role: text`` lines and ends with an open ``assistant: `` turn; image blocks
  and ``additional_kwargs`` are not rendered.
"""

from dovetail.core.llms._base import LLM
from dovetail.core.llms._callbacks import llm_chat_callback
from dovetail.core.llms._callbacks import llm_completion_callback
from dovetail.core.llms._custom import CustomLLM
from dovetail.core.llms._function_calling import FunctionCallingLLM
from dovetail.core.llms._mock import MockFunctionCallingLLM
from dovetail.core.llms._mock import MockLLM
from dovetail.core.llms._structured_llm import StructuredLLM
from dovetail.core.llms._types import AudioBlock
from dovetail.core.llms._types import CacheControl
from dovetail.core.llms._types import CachePoint
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import ChatResponse
from dovetail.core.llms._types import ChatResponseAsyncGen
from dovetail.core.llms._types import ChatResponseGen
from dovetail.core.llms._types import CompletionResponse
from dovetail.core.llms._types import CompletionResponseAsyncGen
from dovetail.core.llms._types import CompletionResponseGen
from dovetail.core.llms._types import ContentBlock
from dovetail.core.llms._types import DocumentBlock
from dovetail.core.llms._types import ImageBlock
from dovetail.core.llms._types import LLMMetadata
from dovetail.core.llms._types import MessageRole
from dovetail.core.llms._types import TextBlock
from dovetail.core.llms._types import ThinkingBlock
from dovetail.core.llms._types import ToolCallBlock
from dovetail.core.llms._types import VideoBlock
from dovetail.core.llms._utils import messages_to_prompt
from dovetail.core.llms._utils import validate_request
from dovetail.core.tools import ToolSelection

__all__ = [
    "LLM",
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
    "CustomLLM",
    "DocumentBlock",
    "FunctionCallingLLM",
    "ImageBlock",
    "LLMMetadata",
    "MessageRole",
    "MockFunctionCallingLLM",
    "MockLLM",
    "StructuredLLM",
    "TextBlock",
    "ThinkingBlock",
    "ToolCallBlock",
    "ToolSelection",
    "VideoBlock",
    "llm_chat_callback",
    "llm_completion_callback",
    "messages_to_prompt",
    "validate_request",
]
