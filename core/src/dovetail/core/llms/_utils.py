"""Helpers shared by LLM implementations: chat → prompt conversion, default request validation and the JSON
answer of a native structured-output request."""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import OutputParserError
from dovetail.core._items import items_of
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import ChatResponse
from dovetail.core.llms._types import LLMMetadata
from dovetail.core.llms._types import MessageRole
from dovetail.core.redact import is_secret_name
from dovetail.core.redact import strip_url_credentials
from dovetail.core.tokenizers import default_tokenizer
from dovetail.core.tokenizers import get_tokenizer
from pydantic import BaseModel

__all__ = ["check_input", "messages_to_prompt", "parse_json_answer", "redact", "validate_request"]

M = TypeVar("M", bound=BaseModel)


_SECRET_NAME = re.compile(r"api[_-]?key|secret|password|passwd|authorization|credential|access[_-]?token|cookie", re.I)


_SCALARS = (str, int, float, bool)


def _safe_value(value: Any) -> tuple[bool, Any]:
    if value is None or isinstance(value, _SCALARS):
        return True, strip_url_credentials(value) if isinstance(value, str) else value
    if isinstance(value, (list, tuple)) and all(item is None or isinstance(item, _SCALARS) for item in value):
        return True, [strip_url_credentials(item) if isinstance(item, str) else item for item in value]
    return False, None


def redact(value: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``value`` fit for event payloads (an allow-list, so nothing secret slips through).

    Kept: entries whose name does not look secret (``api_key``, ``token``, ``password``, ``Authorization``...)
    and whose value is ``None``, a string, number or bool, or a list of those; URL credentials are stripped from
    strings. Everything else is left out: ``SecretStr`` values, and every dict or object, so headers such as
    ``default_headers={"X-Auth-Token": ...}`` or ``extra_headers`` never reach a callback handler.
    """
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or _SECRET_NAME.search(key) or is_secret_name(key):
            continue
        keep, safe = _safe_value(item)
        if keep:
            out[key] = safe
    return out


def messages_to_prompt(messages: Sequence[ChatMessage]) -> str:
    """Render chat messages as one completion prompt, ending with an open assistant turn.

    Each message becomes ``"<role>: <text>"`` on its own line(s); the prompt ends with ``"assistant: "`` so a
    completion model continues as the assistant. Image blocks are not representable and are left out.

    Example:
        ```python
        messages_to_prompt([ChatMessage(role="system", content="Be brief."), ChatMessage(content="Hi")])
        # 'system: Be brief.\\nuser: Hi\\nassistant: '
        ```
    """
    lines = [f"{message.role.value}: {message.content or ''}" for message in messages]
    lines.append(f"{MessageRole.ASSISTANT.value}: ")
    return "\n".join(lines)


def _count_tokens(text: str, budget: int) -> int:
    tokenizer = get_tokenizer()
    # Every token of the default tokenizer covers at least one character, so short texts need no counting.
    if tokenizer is default_tokenizer and len(text) <= budget:
        return len(text)
    return len(tokenizer(text))


def _check_messages(messages: Any) -> list[ChatMessage]:
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):
        msg = f"chat() takes a list of ChatMessage, got {type(messages).__name__}; use complete() for a str prompt"
        raise InvalidInputError(msg)
    if not messages:
        msg = "chat() needs at least one ChatMessage"
        raise InvalidInputError(msg)
    return items_of(messages, ChatMessage, "messages", "; wrap it in ChatMessage(...)")


def check_input(value: Any, *, chat: bool) -> None:
    """Type checks that always run (also when ``_validate_request`` is overridden): a ``str`` prompt, or a
    non-empty list of ``ChatMessage``."""
    if chat:
        _check_messages(value)
    elif not isinstance(value, str):
        msg = f"complete() takes a str prompt, got {type(value).__name__}; use chat() for messages"
        raise InvalidInputError(msg)


def validate_request(
    metadata: LLMMetadata,
    *,
    prompt: Any = None,
    messages: Any = None,
    tools: Any = None,
    **kwargs: Any,
) -> None:
    """Check a request against what the model can take; raise ``InvalidInputError`` before any provider call.

    Checks: prompt is a ``str`` / messages a non-empty list of ``ChatMessage``; image blocks only when
    ``supports_vision``; tools only when ``is_function_calling_model``; prompt tokens (approximate, counted with
    :func:`dovetail.core.tokenizers.get_tokenizer`) plus ``max_tokens`` (when given) fit the context window.
    """
    name = metadata.model_name
    if tools and not metadata.is_function_calling_model:
        msg = (
            f"model {name!r} does not support tool calling (is_function_calling_model=False); "
            "remove the tools or choose a function-calling model"
        )
        raise InvalidInputError(msg)
    if messages is not None:
        checked = _check_messages(messages)
        if not metadata.supports_vision and any(message.images for message in checked):
            msg = (
                f"model {name!r} does not accept images (supports_vision=False); "
                "remove the ImageBlock(s) or choose a vision model"
            )
            raise InvalidInputError(msg)
        text = "\n".join(message.content or "" for message in checked)
    elif prompt is not None:
        if not isinstance(prompt, str):
            msg = f"complete() takes a str prompt, got {type(prompt).__name__}; use chat() for messages"
            raise InvalidInputError(msg)
        text = prompt
    else:
        return
    max_tokens = kwargs.get("max_tokens")
    reserve = max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) else 0
    if reserve < 0:
        msg = f"max_tokens must be positive, got {max_tokens}"
        raise InvalidInputError(msg)
    window = metadata.context_window
    count = _count_tokens(text, window - reserve)
    if count > window:
        msg = (
            f"prompt is about {count} tokens, over the context window of {window} tokens of model {name!r}; "
            "shorten the prompt or the chat history"
        )
        raise InvalidInputError(msg)
    if reserve and count + reserve > window:
        msg = (
            f"prompt (about {count} tokens) plus max_tokens={reserve} exceeds the context window of {window} "
            f"tokens of model {name!r}; lower max_tokens or shorten the prompt"
        )
        raise InvalidInputError(msg)


def parse_json_answer(output_cls: type[M], response: ChatResponse) -> M:
    """The ``output_cls`` instance in a JSON answer (the message text).

    Raises:
        OutputParserError: the text is not a valid ``output_cls`` (``raw_output`` holds it).
    """
    text = response.message.content or ""
    try:
        return output_cls.model_validate_json(text)
    except ValueError as exc:
        msg = f"the model's answer is not a valid {output_cls.__name__}; see raw_output and retry or rephrase"
        raise OutputParserError(msg, raw_output=text) from exc
