"""dovetail's one event system: a callback manager, handlers and event types.

Example:
    ```python
    from dovetail.core.callbacks import CallbackManager, TokenCountingHandler

    counter = TokenCountingHandler()
    manager = CallbackManager([counter])
    ```
"""

from dovetail.core.callbacks._base import BaseCallbackHandler
from dovetail.core.callbacks._base import CallbackEvent
from dovetail.core.callbacks._base import CallbackEventHandler
from dovetail.core.callbacks._manager import CallbackManager
from dovetail.core.callbacks._manager import EventContext
from dovetail.core.callbacks._manager import current_event_id
from dovetail.core.callbacks._manager import current_trace_id
from dovetail.core.callbacks._schema import BASE_TRACE_EVENT
from dovetail.core.callbacks._schema import CBEventType
from dovetail.core.callbacks._schema import EventPayload
from dovetail.core.callbacks._simple_llm import SimpleLLMHandler
from dovetail.core.callbacks._token_counting import TokenCountingEvent
from dovetail.core.callbacks._token_counting import TokenCountingHandler
from dovetail.core.callbacks._usage import usage_from_payload

__all__ = [
    "BASE_TRACE_EVENT",
    "BaseCallbackHandler",
    "CBEventType",
    "CallbackEvent",
    "CallbackEventHandler",
    "CallbackManager",
    "EventContext",
    "EventPayload",
    "SimpleLLMHandler",
    "TokenCountingEvent",
    "TokenCountingHandler",
    "current_event_id",
    "current_trace_id",
    "usage_from_payload",
]
