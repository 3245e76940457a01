"""Chat engines: multi-turn conversation over an index (``index.as_chat_engine(chat_mode=...)``).

Example:
    ```python
    engine = index.as_chat_engine(chat_mode="condense_plus_context", llm=llm)
    print(engine.chat("What is a dovetail?"))
    print(engine.chat("And how strong is it?"))  # rewritten into a standalone question, then answered
    engine.reset()
    ```
"""

from dovetail.core.chat_engine._base import BaseChatEngine
from dovetail.core.chat_engine._engines import CondensePlusContextChatEngine
from dovetail.core.chat_engine._engines import ContextChatEngine
from dovetail.core.chat_engine._engines import SimpleChatEngine
from dovetail.core.chat_engine._factory import chat_engine_for
from dovetail.core.chat_engine._types import AgentChatResponse
from dovetail.core.chat_engine._types import ChatMode
from dovetail.core.chat_engine._types import StreamingAgentChatResponse

__all__ = [
    "AgentChatResponse",
    "BaseChatEngine",
    "ChatMode",
    "CondensePlusContextChatEngine",
    "ContextChatEngine",
    "SimpleChatEngine",
    "StreamingAgentChatResponse",
    "chat_engine_for",
]
