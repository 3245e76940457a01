"""What an LLM's ``output_parser``, ``query_wrapper_prompt`` and ``pydantic_program_mode`` accept, and the
function-calling way of answering ``structured_predict``.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from dovetail.core._exceptions import ConfigurationError
from dovetail.core._exceptions import OutputParserError
from pydantic import BaseModel
from pydantic import ValidationError

if TYPE_CHECKING:
    from dovetail.core.llms._base import LLM
    from dovetail.core.llms._types import ChatMessage
    from dovetail.core.llms._types import ChatResponse
    from dovetail.core.tools import FunctionTool

__all__ = [
    "PydanticProgramMode",
    "check_output_parser",
    "check_program_mode",
    "check_query_wrapper_prompt",
    "function_answer",
    "function_request",
]

M = TypeVar("M", bound=BaseModel)


class PydanticProgramMode(str, Enum):
    """How ``structured_predict`` asks the model (LlamaIndex's ``llama_index.core.types.PydanticProgramMode``).

    ``DEFAULT`` uses the provider's structured-output request when it has one, else format instructions;
    ``LLM`` always uses format instructions and a parser; ``FUNCTION`` and ``OPENAI`` ask for one tool call whose
    arguments are the output class. ``GUIDANCE`` and ``LM_FORMAT_ENFORCER`` name libraries dovetail does not
    integrate and are refused.
    """

    DEFAULT = "default"
    OPENAI = "openai"
    LLM = "llm"
    FUNCTION = "function"
    GUIDANCE = "guidance"
    LM_FORMAT_ENFORCER = "lm-format-enforcer"


_UNSUPPORTED_MODES = {PydanticProgramMode.GUIDANCE, PydanticProgramMode.LM_FORMAT_ENFORCER}
FUNCTION_MODES = frozenset({PydanticProgramMode.FUNCTION, PydanticProgramMode.OPENAI})


def check_program_mode(mode: PydanticProgramMode) -> PydanticProgramMode:
    """``mode`` when dovetail can answer with it.

    Raises:
        ValueError: ``guidance`` or ``lm-format-enforcer`` (libraries dovetail does not integrate).
    """
    if mode in _UNSUPPORTED_MODES:
        msg = (
            f"pydantic_program_mode={mode.value!r} needs a library dovetail does not integrate; use 'default' (the "
            "provider's structured output), 'llm' (format instructions and a parser) or 'function' (a tool call)"
        )
        raise ValueError(msg)
    return mode


def check_output_parser(parser: Any) -> Any:
    """``parser`` when it is ``None`` or has ``parse``, ``format`` and ``format_messages``.

    Raises:
        TypeError: it lacks one of them (a ``BaseOutputParser`` has all three).
    """
    if parser is None:
        return None
    missing = [name for name in ("parse", "format", "format_messages") if not callable(getattr(parser, name, None))]
    if missing:
        msg = (
            f"output_parser must be a BaseOutputParser (parse, format, format_messages); "
            f"{type(parser).__name__} has no {', '.join(missing)}"
        )
        raise TypeError(msg)
    return parser


def check_query_wrapper_prompt(template: Any) -> Any:
    """``template`` as a prompt template with a ``{query_str}`` variable (a ``str`` becomes a ``PromptTemplate``).

    Raises:
        TypeError: it is neither a prompt template nor a string.
        ValueError: it has no ``{query_str}``, so the prompt it wraps would be lost.
    """
    if template is None:
        return None
    from dovetail.core.prompts import BasePromptTemplate
    from dovetail.core.prompts import PromptTemplate

    if isinstance(template, str):
        template = PromptTemplate(template)
    if not isinstance(template, BasePromptTemplate):
        msg = (
            f"query_wrapper_prompt must be a PromptTemplate (or str) with {{query_str}}, got {type(template).__name__}"
        )
        raise TypeError(msg)
    if "query_str" not in template.template_vars:
        msg = (
            "query_wrapper_prompt must contain {query_str}: it is where the prompt goes "
            "(e.g. '[INST] {query_str} [/INST]')"
        )
        raise ValueError(msg)
    return template


def _answer_tool(output_cls: type[M]) -> FunctionTool:
    from dovetail.core.tools import FunctionTool

    def answer(**fields: Any) -> M:
        return output_cls.model_validate(fields)

    description = (output_cls.__doc__ or "").strip() or f"Give the answer as a {output_cls.__name__}."
    return FunctionTool.from_defaults(
        fn=answer, name=output_cls.__name__, description=description, fn_schema=output_cls
    )


def function_request(
    llm: LLM, output_cls: type[M], messages: Sequence[ChatMessage], llm_kwargs: dict[str, Any] | None
) -> dict[str, Any]:
    """``chat_with_tools`` keyword arguments that ask for one call of a tool whose arguments are ``output_cls``.

    Raises:
        ConfigurationError: ``llm`` cannot call tools.
    """
    from dovetail.core.llms._function_calling import FunctionCallingLLM

    if not isinstance(llm, FunctionCallingLLM) or not llm.metadata.is_function_calling_model:
        msg = (
            f"pydantic_program_mode={llm.pydantic_program_mode.value!r} answers through a tool call, and "
            f"{type(llm).__name__} (model {llm.metadata.model_name!r}) cannot call tools; use 'default' or 'llm'"
        )
        raise ConfigurationError(msg)
    return {
        "tools": [_answer_tool(output_cls)],
        "chat_history": list(messages),
        "tool_required": True,
        **(llm_kwargs or {}),
    }


def function_answer(llm: LLM, output_cls: type[M], response: ChatResponse) -> M:
    """The ``output_cls`` instance in the first tool call of ``response``.

    Raises:
        OutputParserError: the model called no tool, or its arguments do not fit ``output_cls``.
    """
    from dovetail.core.llms._function_calling import FunctionCallingLLM

    assert isinstance(llm, FunctionCallingLLM)  # function_request checked it
    raw = response.message.content or ""
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    if not calls:
        msg = f"the model answered without calling the {output_cls.__name__} tool; raw answer in raw_output"
        raise OutputParserError(msg, raw_output=raw)
    try:
        return output_cls.model_validate(calls[0].tool_kwargs)
    except ValidationError as exc:
        msg = f"the {output_cls.__name__} tool call's arguments do not fit the model: {exc.errors()[0]['msg']}"
        raise OutputParserError(msg, raw_output=str(calls[0].tool_kwargs)) from exc
