"""Prompt templates: ``{variable}`` text templates and chat templates, with partial formatting."""

from __future__ import annotations

import re
import string
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.llms._types import ChatMessage, MessageRole

__all__ = ["BasePromptTemplate", "ChatPromptTemplate", "PromptTemplate", "template_vars_of"]

_FORMATTER = string.Formatter()


def template_vars_of(template: str) -> list[str]:
    """Variable names in a ``str.format`` template, in order of first appearance (``{{`` escapes a brace)."""
    names: list[str] = []
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        msg = f"invalid prompt template ({exc}); escape literal braces as '{{{{' and '}}}}'"
        raise InvalidInputError(msg) from exc
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        _check_field(field, spec or "", conversion)
        name = field.split(".", 1)[0].split("[", 1)[0]
        if not name.isidentifier():
            msg = f"prompt template variable {{{field}}} is not a name; escape literal braces as '{{{{' and '}}}}'"
            raise InvalidInputError(msg)
        if name not in names:
            names.append(name)
    return names


_MAX_WIDTH = 10_000
"""Largest width/precision a format spec may ask for: ``{x:>999999999}`` would allocate a gigabyte."""


def _check_field(field: str, spec: str, conversion: str | None) -> None:
    """Reject format specs that could allocate without bound or pull values from other fields."""
    if "{" in spec or "}" in spec:
        msg = f"prompt template field {{{field}:{spec}}} takes its format from another field; write it out"
        raise InvalidInputError(msg)
    if any(int(number) > _MAX_WIDTH for number in re.findall(r"\d+", spec)):
        msg = f"prompt template field {{{field}:{spec}}} asks for a width over {_MAX_WIDTH}; use a smaller one"
        raise InvalidInputError(msg)
    if conversion not in (None, "r", "s", "a"):
        msg = f"prompt template field {{{field}!{conversion}}} has an unknown conversion; use !r, !s or !a"
        raise InvalidInputError(msg)


def _render(template: str, variables: dict[str, Any], required: Sequence[str], kind: str) -> str:
    missing = [name for name in required if name not in variables]
    if missing:
        msg = f"{kind} is missing variable(s) {', '.join(repr(m) for m in missing)}; pass them to format()"
        raise InvalidInputError(msg)
    try:
        return template.format(**{name: variables[name] for name in required})
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # e.g. {n:d} given a string, {items[3]} given a shorter list, {x.missing}
        msg = f"{kind} cannot be filled in with these values: {type(exc).__name__}: {exc}"
        raise InvalidInputError(msg) from None


def _resolve(
    partials: dict[str, Any], mappings: dict[str, Callable[..., Any]], kwargs: dict[str, Any]
) -> dict[str, Any]:
    variables = {**partials, **kwargs}
    for name, fn in mappings.items():
        variables[name] = fn(**variables)
    return variables


class BasePromptTemplate(ABC):
    """A template for LLM input: formats to one string (completion) or to chat messages."""

    def __init__(
        self,
        kwargs: dict[str, Any] | None = None,
        function_mappings: dict[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.kwargs: dict[str, Any] = dict(kwargs or {})
        self.function_mappings: dict[str, Callable[..., Any]] = dict(function_mappings or {})

    @property
    @abstractmethod
    def template_vars(self) -> list[str]:
        """Names of the template's variables."""

    @abstractmethod
    def format(self, **kwargs: Any) -> str:
        """The prompt as one string."""

    @abstractmethod
    def format_messages(self, **kwargs: Any) -> list[ChatMessage]:
        """The prompt as chat messages."""

    @abstractmethod
    def partial_format(self, **kwargs: Any) -> BasePromptTemplate:
        """A copy with some variables filled in."""

    @abstractmethod
    def get_template(self) -> str:
        """The template text."""

    def _variables(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return _resolve(self.kwargs, self.function_mappings, kwargs)


class PromptTemplate(BasePromptTemplate):
    """A ``str.format``-style text template.

    Args:
        template: text with ``{variable}`` placeholders (``{{`` and ``}}`` for literal braces).
        prompt_type: free-form label (e.g. ``"text_qa"``).
        function_mappings: variables computed at format time from the other variables.
        **kwargs: partial values for some variables.

    Example:
        ```python
        qa = PromptTemplate("Context: {context_str}\\nQuestion: {query_str}\\nAnswer: ")
        qa.template_vars            # ["context_str", "query_str"]
        qa.partial_format(context_str="...").format(query_str="Why?")
        ```
    """

    def __init__(
        self,
        template: str,
        prompt_type: str = "custom",
        function_mappings: dict[str, Callable[..., Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(template, str):
            msg = f"PromptTemplate needs a str template, got {type(template).__name__}"
            raise InvalidInputError(msg)
        super().__init__(kwargs, function_mappings)
        self.template = template
        self.prompt_type = prompt_type
        self._vars = template_vars_of(template)

    def __repr__(self) -> str:
        return f"PromptTemplate(template={self.template!r}, partial={sorted(self.kwargs)})"

    @property
    def template_vars(self) -> list[str]:
        """Names of the template's variables, in order."""
        return list(self._vars)

    def get_template(self) -> str:
        """The template text."""
        return self.template

    def format(self, **kwargs: Any) -> str:
        """Fill in the variables; a missing variable raises ``InvalidInputError`` naming it."""
        return _render(self.template, self._variables(kwargs), self._vars, "prompt template")

    def format_messages(self, **kwargs: Any) -> list[ChatMessage]:
        """The formatted prompt as one user message."""
        return [ChatMessage(role=MessageRole.USER, content=self.format(**kwargs))]

    def partial_format(self, **kwargs: Any) -> PromptTemplate:
        """A copy with ``kwargs`` filled in."""
        return PromptTemplate(
            self.template,
            prompt_type=self.prompt_type,
            function_mappings=self.function_mappings,
            **{**self.kwargs, **kwargs},
        )


class ChatPromptTemplate(BasePromptTemplate):
    """A chat template: messages whose text may hold ``{variable}`` placeholders.

    Example:
        ```python
        chat = ChatPromptTemplate.from_messages([
            ("system", "You answer in {language}."),
            ("user", "{question}"),
        ])
        chat.format_messages(language="French", question="Hi?")
        ```
    """

    def __init__(
        self,
        message_templates: Sequence[ChatMessage],
        prompt_type: str = "custom",
        function_mappings: dict[str, Callable[..., Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(kwargs, function_mappings)
        self.message_templates = list(message_templates)
        self.prompt_type = prompt_type
        names: list[str] = []
        for message in self.message_templates:
            for name in template_vars_of(message.content or ""):
                if name not in names:
                    names.append(name)
        self._vars = names

    @classmethod
    def from_messages(
        cls, message_templates: Sequence[ChatMessage | tuple[str, str]], **kwargs: Any
    ) -> ChatPromptTemplate:
        """Build from ``ChatMessage`` objects or ``(role, template)`` pairs.

        Raises:
            InvalidInputError: a pair has an unknown role (the message lists the valid ones) or is not a pair.
        """
        return cls([_as_message(item) for item in message_templates], **kwargs)

    def __repr__(self) -> str:
        return f"ChatPromptTemplate(messages={len(self.message_templates)}, partial={sorted(self.kwargs)})"

    @property
    def template_vars(self) -> list[str]:
        """Names of the variables over all messages, in order."""
        return list(self._vars)

    def get_template(self) -> str:
        """All message templates, one ``role: text`` per line."""
        return "\n".join(f"{m.role.value}: {m.content or ''}" for m in self.message_templates)

    def format_messages(self, **kwargs: Any) -> list[ChatMessage]:
        """Fill in every message; a missing variable raises ``InvalidInputError`` naming it."""
        variables = self._variables(kwargs)
        out = []
        for message in self.message_templates:
            text = message.content
            formatted = message.model_copy(deep=True)
            if text is not None:
                formatted.content = _render(text, variables, template_vars_of(text), "chat prompt template")
            out.append(formatted)
        return out

    def format(self, **kwargs: Any) -> str:
        """The formatted messages as one prompt (``messages_to_prompt``)."""
        from dovetail.core.llms._utils import messages_to_prompt

        return messages_to_prompt(self.format_messages(**kwargs))

    def partial_format(self, **kwargs: Any) -> ChatPromptTemplate:
        """A copy with ``kwargs`` filled in."""
        return ChatPromptTemplate(
            self.message_templates,
            prompt_type=self.prompt_type,
            function_mappings=self.function_mappings,
            **{**self.kwargs, **kwargs},
        )


def _as_message(item: ChatMessage | tuple[str, str]) -> ChatMessage:
    if isinstance(item, ChatMessage):
        return item
    if not isinstance(item, (tuple, list)) or len(item) != 2 or not isinstance(item[1], str):
        msg = f"a chat template message is a ChatMessage or a (role, template) pair, got {item!r:.80}"
        raise InvalidInputError(msg)
    try:
        role = MessageRole(item[0])
    except ValueError:
        valid = ", ".join(role.value for role in MessageRole)
        msg = f"unknown chat role {item[0]!r:.40}; use one of {valid}"
        raise InvalidInputError(msg) from None
    return ChatMessage(role=role, content=item[1])
