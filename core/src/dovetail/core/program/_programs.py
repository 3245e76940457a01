"""Pydantic programs: a prompt in, an instance of a pydantic class out (LlamaIndex's ``llama_index.core.program``).

:class:`LLMTextCompletionProgram` asks in text (the output parser's format instructions) and parses the answer;
:class:`FunctionCallingProgram` asks for a call of a tool whose arguments are the output class.
"""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from typing import TYPE_CHECKING
from typing import Any
from typing import Generic
from typing import TypeVar

from dovetail.core._kwargs import suggest_keywords
from pydantic import BaseModel

if TYPE_CHECKING:
    from dovetail.core.llms import LLM
    from dovetail.core.llms import ChatMessage
    from dovetail.core.prompts import BasePromptTemplate

__all__ = ["BasePydanticProgram", "FunctionCallingProgram", "LLMTextCompletionProgram"]

Model = TypeVar("Model", bound=BaseModel)


def _prompt_of(prompt: BasePromptTemplate | None, prompt_template_str: str | None) -> BasePromptTemplate:
    from dovetail.core.prompts import PromptTemplate

    if (prompt is None) == (prompt_template_str is None):
        msg = "pass exactly one of prompt (a prompt template) and prompt_template_str (its text)"
        raise ValueError(msg)
    return prompt if prompt is not None else PromptTemplate(prompt_template_str or "")


def _llm_or_default(llm: LLM | None) -> LLM:
    from dovetail.core.settings import Settings

    chosen = llm if llm is not None else Settings.llm
    if chosen is None:
        msg = "no LLM: pass llm=..., or set Settings.llm (it is None, so nothing can answer)"
        raise ValueError(msg)
    return chosen


class BasePydanticProgram(ABC, Generic[Model]):
    """A callable that turns prompt variables into an :attr:`output_cls` instance by asking ``llm`` with
    ``prompt``; ``verbose`` prints what the model answered."""

    def __init__(self, output_cls: type[Model], llm: LLM, prompt: BasePromptTemplate, verbose: bool = False) -> None:
        self._output_cls = output_cls
        self._llm = llm
        self.prompt = prompt
        self._verbose = verbose

    @property
    def output_cls(self) -> type[Model]:
        """The class of what the program returns."""
        return self._output_cls

    @abstractmethod
    def __call__(self, llm_kwargs: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        """Format the prompt with ``kwargs``, ask the LLM (with ``llm_kwargs``), return the instance.

        ``llm_kwargs`` comes first, as in LlamaIndex; other positional arguments are refused (the prompt's
        variables are keywords).
        """

    @abstractmethod
    async def acall(self, llm_kwargs: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        """Async :meth:`__call__`."""

    @staticmethod
    def _llm_kwargs(llm_kwargs: dict[str, Any] | None, args: tuple[Any, ...]) -> dict[str, Any]:
        """``llm_kwargs`` as a dict; extra positional arguments are refused, never ignored."""
        if args:
            extra = len(args)
            msg = f"a program takes llm_kwargs, then the prompt's variables as keywords; got {extra} more positional"
            raise TypeError(msg)
        if llm_kwargs is not None and not isinstance(llm_kwargs, dict):
            msg = f"llm_kwargs must be a dict of provider options, got {type(llm_kwargs).__name__}"
            raise TypeError(msg)
        return dict(llm_kwargs or {})


class LLMTextCompletionProgram(BasePydanticProgram[Model]):
    """Asks with the output parser's format instructions and parses the answer.

    Example:
        ```python
        program = LLMTextCompletionProgram.from_defaults(output_cls=Album, prompt_template_str="An album about {topic}")
        album = program(topic="rivers")
        ```
    """

    def __init__(
        self, output_parser: Any, output_cls: type[Model], prompt: BasePromptTemplate, llm: LLM, verbose: bool = False
    ) -> None:
        super().__init__(output_cls, llm, prompt, verbose)
        self._output_parser = output_parser

    @classmethod
    @suggest_keywords
    def from_defaults(
        cls,
        output_parser: Any | None = None,
        output_cls: type[Model] | None = None,
        prompt_template_str: str | None = None,
        prompt: BasePromptTemplate | None = None,
        llm: LLM | None = None,
        verbose: bool = False,
    ) -> LLMTextCompletionProgram[Model]:
        """A program for ``output_cls`` (or the class of a ``PydanticOutputParser``) on ``llm`` (default
        ``Settings.llm``); ``verbose`` prints the model's raw answer.

        Raises:
            ValueError: both or neither of ``prompt`` and ``prompt_template_str``, or neither ``output_cls`` nor a
                ``PydanticOutputParser``.
        """
        from dovetail.core.output_parsers import PydanticOutputParser

        template = _prompt_of(prompt, prompt_template_str)
        if output_cls is None:
            if not isinstance(output_parser, PydanticOutputParser):
                msg = "pass output_cls, or an output_parser that is a PydanticOutputParser (it names the class)"
                raise ValueError(msg)
            output_cls = output_parser.output_cls
        parser = output_parser if output_parser is not None else PydanticOutputParser(output_cls)
        return cls(parser, output_cls, template, _llm_or_default(llm), verbose=verbose)

    def _messages(self, kwargs: dict[str, Any]) -> list[ChatMessage]:
        messages = self._output_parser.format_messages(self.prompt.format_messages(**kwargs))
        return self._llm._extend_messages(list(messages))

    def _prompt_text(self, kwargs: dict[str, Any]) -> str:
        return str(self._output_parser.format(self.prompt.format(**kwargs)))

    def _parse(self, raw: str) -> Model:
        if self._verbose:
            print(f"> Raw output: {raw}")
        output = self._output_parser.parse(raw)
        if not isinstance(output, self._output_cls):
            msg = f"the output parser returned a {type(output).__name__}, not a {self._output_cls.__name__}"
            raise TypeError(msg)
        return output

    def __call__(self, llm_kwargs: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Model:
        """Format the prompt with ``kwargs``, ask, parse."""
        options = self._llm_kwargs(llm_kwargs, args)
        if self._llm.metadata.is_chat_model:
            raw = self._llm.chat(self._messages(kwargs), **options).message.content or ""
        else:
            raw = self._llm.complete(self._prompt_text(kwargs), **options).text
        return self._parse(raw)

    async def acall(self, llm_kwargs: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Model:
        """Async :meth:`__call__`."""
        options = self._llm_kwargs(llm_kwargs, args)
        if self._llm.metadata.is_chat_model:
            response = await self._llm.achat(self._messages(kwargs), **options)
            raw = response.message.content or ""
        else:
            raw = (await self._llm.acomplete(self._prompt_text(kwargs), **options)).text
        return self._parse(raw)


class FunctionCallingProgram(BasePydanticProgram[Model]):
    """Asks for one call of a tool whose arguments are :attr:`output_cls`; the call's arguments are the answer.

    Example:
        ```python
        program = FunctionCallingProgram.from_defaults(output_cls=Album, prompt_template_str="An album about {topic}")
        album = program(topic="rivers")
        ```
    """

    @classmethod
    @suggest_keywords
    def from_defaults(
        cls,
        output_cls: type[Model],
        prompt_template_str: str | None = None,
        prompt: BasePromptTemplate | None = None,
        llm: LLM | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_choice: None = None,
    ) -> FunctionCallingProgram[Model]:
        """A program for ``output_cls`` on ``llm`` (default ``Settings.llm``, which must call tools); ``verbose``
        prints the tool call.

        ``allow_parallel_tool_calls`` and ``tool_choice`` are taken only at LlamaIndex's defaults: the program
        always requires exactly one call of its tool.

        Raises:
            ValueError: both or neither of ``prompt`` and ``prompt_template_str``.
            TypeError: ``allow_parallel_tool_calls=True`` or a ``tool_choice``.
        """
        if allow_parallel_tool_calls or tool_choice is not None:
            msg = (
                "FunctionCallingProgram requires exactly one call of its tool, so allow_parallel_tool_calls and "
                "tool_choice are taken only at their defaults; for a list of objects, make output_cls hold a list"
            )
            raise TypeError(msg)
        return cls(output_cls, _llm_or_default(llm), _prompt_of(prompt, prompt_template_str), verbose=verbose)

    def _request(self, kwargs: dict[str, Any], llm_kwargs: dict[str, Any] | None) -> dict[str, Any]:
        from dovetail.core.llms._programs import function_request

        messages = self._llm._extend_messages(list(self.prompt.format_messages(**kwargs)))
        return function_request(self._llm, self._output_cls, messages, llm_kwargs)

    def _answer(self, response: Any) -> Model:
        from dovetail.core.llms._programs import function_answer

        output = function_answer(self._llm, self._output_cls, response)
        if self._verbose:
            print(f"=== Calling Function ===\nCalling function: {self._output_cls.__name__} with args: {output!r}")
        return output

    def __call__(self, llm_kwargs: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Model:
        """Format the prompt with ``kwargs`` and ask for the tool call.

        Raises:
            ConfigurationError: the LLM cannot call tools.
            OutputParserError: no call, or arguments that do not fit :attr:`output_cls`.
        """
        request = self._request(kwargs, self._llm_kwargs(llm_kwargs, args))
        return self._answer(self._llm.chat_with_tools(**request))  # type: ignore[attr-defined]

    async def acall(self, llm_kwargs: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Model:
        """Async :meth:`__call__`."""
        request = self._request(kwargs, self._llm_kwargs(llm_kwargs, args))
        return self._answer(await self._llm.achat_with_tools(**request))  # type: ignore[attr-defined]
