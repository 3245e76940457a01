"""Chat memory: :class:`ChatMemoryBuffer` keeps a conversation and returns its latest messages within a token limit.

Example:
    ```python
    from dovetail.core.memory import ChatMemoryBuffer

    memory = ChatMemoryBuffer.from_defaults(token_limit=1500)
    engine = index.as_chat_engine(chat_mode="context", memory=memory)
    ```
"""

from dovetail.core.memory._buffer import DEFAULT_TOKEN_LIMIT
from dovetail.core.memory._buffer import BaseMemory
from dovetail.core.memory._buffer import ChatMemoryBuffer

__all__ = ["DEFAULT_TOKEN_LIMIT", "BaseMemory", "ChatMemoryBuffer"]
