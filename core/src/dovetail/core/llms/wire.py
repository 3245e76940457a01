"""Pure helpers shared by the provider LLMs' wire translators (their ``_convert.py`` modules).

- :func:`field`: one field of an SDK response object or of the equivalent dict.
- :data:`SYSTEM_ROLES`, :data:`ASSISTANT_ROLES`, :data:`TOOL_ROLES`: the message roles each wire role stands for.
- :func:`add_turn`: append a turn, merging it into the previous one of the same role (APIs that alternate roles).
- :func:`tool_definition`: a tool's name, description and JSON schema under the provider's key.
- :func:`token_usage`: ``prompt_tokens``/``completion_tokens``/``total_tokens`` plus provider extras.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import MessageRole
from dovetail.core.tools import BaseTool

__all__ = ["ASSISTANT_ROLES", "SYSTEM_ROLES", "TOOL_ROLES", "add_turn", "field", "token_usage", "tool_definition"]

SYSTEM_ROLES = (MessageRole.SYSTEM, MessageRole.DEVELOPER)
"""Roles sent as the system prompt."""
ASSISTANT_ROLES = (MessageRole.ASSISTANT, MessageRole.CHATBOT, MessageRole.MODEL)
"""Roles sent as the model's own turns."""
TOOL_ROLES = (MessageRole.TOOL, MessageRole.FUNCTION)
"""Roles that carry a tool's result."""


def field(obj: Any, name: str, default: Any = None) -> Any:
    """``obj[name]`` for a mapping, else ``obj.name``; ``default`` when it is missing."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def add_turn(
    turns: list[dict[str, Any]], role: str, key: str, items: list[Any], index: int, message: ChatMessage
) -> None:
    """Append ``{"role": role, key: items}`` to ``turns``, or extend the last turn when it has the same role.

    Raises:
        InvalidInputError: ``items`` is empty (``messages[index]`` has nothing the provider can take).
    """
    if not items:
        msg = f"messages[{index}] ({message.role.value}) has no content to send; remove it or add text"
        raise InvalidInputError(msg)
    if turns and turns[-1]["role"] == role:
        turns[-1][key].extend(items)
    else:
        turns.append({"role": role, key: items})


def tool_definition(tool: BaseTool, schema_key: str) -> dict[str, Any]:
    """``name``, ``description`` and the parameters' JSON schema as ``schema_key``."""
    metadata = tool.metadata
    return {
        "name": metadata.get_name(),
        "description": metadata.description,
        schema_key: metadata.get_parameters_dict(),
    }


def token_usage(prompt: int, completion: int, extra: Mapping[str, int] | None = None) -> dict[str, int]:
    """``prompt_tokens``, ``completion_tokens``, their sum as ``total_tokens``, then the provider's ``extra``
    counts."""
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    return {**usage, **(extra or {})}
