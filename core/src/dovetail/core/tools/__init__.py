"""Tools an LLM can call: metadata with a JSON schema, function tools and the model's tool selections.

Example:
    ```python
    from dovetail.core.tools import FunctionTool

    def multiply(a: float, b: float) -> float:
        \"\"\"Multiply two numbers.\"\"\"
        return a * b

    tool = FunctionTool.from_defaults(multiply)
    ```
"""

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports
from dovetail.core.tools._calling import acall_tool_with_selection
from dovetail.core.tools._calling import call_tool_with_selection
from dovetail.core.tools._function_tool import FunctionTool
from dovetail.core.tools._function_tool import schema_from_function
from dovetail.core.tools._types import AsyncBaseTool
from dovetail.core.tools._types import BaseTool
from dovetail.core.tools._types import ToolMetadata
from dovetail.core.tools._types import ToolOutput
from dovetail.core.tools._types import ToolSelection
from dovetail.core.tools._wrapped import QueryEngineTool
from dovetail.core.tools._wrapped import RetrieverTool

if TYPE_CHECKING:
    from dovetail.core.chat_engine import AgentChatResponse

# The chat engines' response type, which ``predict_and_call`` returns (loaded lazily: it imports this package).
__getattr__, __dir__ = lazy_exports(__name__, globals(), {"AgentChatResponse": "dovetail.core.chat_engine"})

__all__ = [
    "AgentChatResponse",
    "AsyncBaseTool",
    "BaseTool",
    "FunctionTool",
    "QueryEngineTool",
    "RetrieverTool",
    "ToolMetadata",
    "ToolOutput",
    "ToolSelection",
    "acall_tool_with_selection",
    "call_tool_with_selection",
    "schema_from_function",
]
