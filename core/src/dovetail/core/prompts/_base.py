"""Prompt templates: ``{variable}`` text templates and chat templates, with partial formatting."""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import MessageRole
from dovetail.core.prompts._format import format_template
from dovetail.core.prompts._format import template_vars_of

if TYPE_CHECKING:
    from dovetail.core.output_parsers import BaseOutputParser

__all__ = ["BasePromptTemplate", "ChatPromptTemplate", "PromptTemplate", "get_template_vars", "template_vars_of"]


def get_template_vars(template: str) -> list[str]:
    """LlamaIndex's name for :func:`template_vars_of`: the ``{name}`` variables of ``template``, in order."""
    return template_vars_of(template)


class BasePromptTemplate(ABC):
    """A template for LLM input: formats to one string (completion) or to chat messages.

    Args:
        kwargs: partial values of some variables.
        function_mappings: variables computed at format time, ``fn(**all_variables)``.
        template_var_mappings: caller's variable name → the template's name for it (e.g.
            ``{"context_str": "my_context"}`` lets ``format(context_str=...)`` fill ``{my_context}``).
        output_parser: its ``format`` appends format instructions to the formatted prompt.
        metadata: free-form information about the template.
    """

    def __init__(
        self,
        kwargs: dict[str, Any] | None = None,
        function_mappings: dict[str, Callable[..., Any]] | None = None,
        template_var_mappings: dict[str, str] | None = None,
        output_parser: BaseOutputParser | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if output_parser is not None and not callable(getattr(output_parser, "format", None)):
            msg = f"output_parser must have a format(str) method, got {type(output_parser).__name__}"
            raise InvalidInputError(msg)
        self.kwargs: dict[str, Any] = dict(kwargs or {})
        self.function_mappings: dict[str, Callable[..., Any]] = dict(function_mappings or {})
        self.template_var_mappings: dict[str, str] = dict(template_var_mappings or {})
        self.output_parser = output_parser
        self.metadata: dict[str, Any] = dict(metadata or {})

    def _options(self) -> dict[str, Any]:
        return {
            "function_mappings": self.function_mappings,
            "template_var_mappings": self.template_var_mappings,
            "output_parser": self.output_parser,
            "metadata": self.metadata,
        }

    _vars: Sequence[str] = ()
    """The variables, in order; subclasses set it when their template changes."""

    @property
    def template_vars(self) -> list[str]:
        """Names of the template's variables, in order (over all messages of a chat template)."""
        return list(self._vars)

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
        # As LlamaIndex: functions see the caller's names; the template's names are applied last.
        given = {**self.kwargs, **kwargs}
        computed = dict(given)
        for name, fn in self.function_mappings.items():
            computed[name] = fn(**given)
        return {self.template_var_mappings.get(k, k): v for k, v in computed.items()}

    def _parsed(self, prompt: str) -> str:
        return self.output_parser.format(prompt) if self.output_parser is not None else prompt


class PromptTemplate(BasePromptTemplate):
    """A text template with ``{variable}`` placeholders (see :mod:`dovetail.core.prompts._format`).

    Literal braces may be escaped as ``{{``/``}}`` or written as they are (``'Reply as {"name": ...}'``);
    variables without a value are left in place, so ``format`` can fill a template in several steps.

    Args:
        template: the text.
        prompt_type: free-form label (e.g. ``"text_qa"``).
        output_parser: appends its format instructions to every formatted prompt.
        metadata: free-form information about the template.
        template_var_mappings: caller's variable name → the template's name for it.
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
        output_parser: BaseOutputParser | None = None,
        metadata: dict[str, Any] | None = None,
        template_var_mappings: dict[str, str] | None = None,
        function_mappings: dict[str, Callable[..., Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(template, str):
            msg = f"PromptTemplate needs a str template, got {type(template).__name__}"
            raise InvalidInputError(msg)
        super().__init__(kwargs, function_mappings, template_var_mappings, output_parser, metadata)
        self.template = template
        self.prompt_type = prompt_type
        self._vars = template_vars_of(template)

    def __repr__(self) -> str:
        return f"PromptTemplate(template={self.template!r}, partial={sorted(self.kwargs)})"

    def get_template(self) -> str:
        """The template text."""
        return self.template

    def format(self, **kwargs: Any) -> str:
        """Fill in the variables given (others stay as ``{name}``) and append the output parser's instructions."""
        return self._parsed(format_template(self.template, self._variables(kwargs)))

    def format_messages(self, **kwargs: Any) -> list[ChatMessage]:
        """The formatted prompt as one user message."""
        return [ChatMessage(role=MessageRole.USER, content=self.format(**kwargs))]

    def partial_format(self, **kwargs: Any) -> PromptTemplate:
        """A copy with ``kwargs`` filled in."""
        return PromptTemplate(
            self.template, prompt_type=self.prompt_type, **self._options(), **{**self.kwargs, **kwargs}
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
        output_parser: BaseOutputParser | None = None,
        metadata: dict[str, Any] | None = None,
        template_var_mappings: dict[str, str] | None = None,
        function_mappings: dict[str, Callable[..., Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(kwargs, function_mappings, template_var_mappings, output_parser, metadata)
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
        messages = [_as_message(item) for item in message_templates]
        return cls(messages, **kwargs)

    def __repr__(self) -> str:
        return f"ChatPromptTemplate(messages={len(self.message_templates)}, partial={sorted(self.kwargs)})"

    def get_template(self) -> str:
        """All message templates, one ``role: text`` per line."""
        return "\n".join(f"{m.role.value}: {m.content or ''}" for m in self.message_templates)

    def format_messages(self, **kwargs: Any) -> list[ChatMessage]:
        """Fill in every message (variables without a value stay as ``{name}``); the output parser's format
        instructions go into the system message when the first message is one, else into the last message."""
        variables = self._variables(kwargs)
        out = []
        for message in self.message_templates:
            text = message.content
            formatted = message.model_copy(deep=True)
            if text is not None:
                formatted.content = format_template(text, variables)
            out.append(formatted)
        if self.output_parser is not None and out:
            target = out[0] if out[0].role == MessageRole.SYSTEM else out[-1]
            target.content = self.output_parser.format(target.content or "")
        return out

    def format(self, **kwargs: Any) -> str:
        """The formatted messages as one prompt (``llm.messages_to_prompt`` when an ``llm=`` is given)."""
        from dovetail.core.llms._utils import messages_to_prompt

        llm = kwargs.pop("llm", None)
        render = getattr(llm, "messages_to_prompt", None) if llm is not None else None
        if llm is not None and not callable(render):
            msg = f"ChatPromptTemplate.format(llm=...) needs an LLM, got {type(llm).__name__}"
            raise InvalidInputError(msg)
        return (render or messages_to_prompt)(self.format_messages(**kwargs))

    def partial_format(self, **kwargs: Any) -> ChatPromptTemplate:
        """A copy with ``kwargs`` filled in."""
        return ChatPromptTemplate(
            self.message_templates, prompt_type=self.prompt_type, **self._options(), **{**self.kwargs, **kwargs}
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
