"""``get_response_synthesizer``: the synthesizer for a response mode, extractive when there is no LLM."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.response_synthesizers._base import BaseSynthesizer
from dovetail.core.response_synthesizers._extractive import ExtractiveSynthesizer
from dovetail.core.response_synthesizers._refine import CompactAndRefine, Refine

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.prompts import BasePromptTemplate

__all__ = ["ResponseMode", "get_response_synthesizer"]


class ResponseMode(str, Enum):
    """How an answer is put together."""

    REFINE = "refine"
    COMPACT = "compact"
    EXTRACTIVE = "extractive"


_NOT_SET: Any = object()


def get_response_synthesizer(
    llm: Any = _NOT_SET,
    response_mode: ResponseMode | str = ResponseMode.COMPACT,
    streaming: bool = False,
    text_qa_template: BasePromptTemplate | None = None,
    refine_template: BasePromptTemplate | None = None,
    embed_model: Any | None = None,
    callback_manager: CallbackManager | None = None,
) -> BaseSynthesizer:
    """Build a synthesizer.

    Args:
        llm: an LLM, a ``"provider:model"`` spec, or ``None`` for extractive answers; default ``Settings.llm``
            (itself ``None`` unless configured). With no LLM the answer is always extractive — dovetail never
            calls a remote model you did not configure.
        response_mode: ``"compact"`` (default), ``"refine"`` or ``"extractive"``.
        streaming: return streaming responses.
        text_qa_template: replaces the default question-answering prompt.
        refine_template: replaces the default refine prompt.
        embed_model: lets extractive answers compare sentence embeddings with the query embedding.
        callback_manager: receives ``SYNTHESIZE`` events; default ``Settings.callback_manager``.

    Raises:
        InvalidInputError: an unknown response mode.
    """
    from dovetail.core.settings import Settings, resolve_llm

    try:
        mode = ResponseMode(response_mode)
    except ValueError as exc:
        valid = ", ".join(m.value for m in ResponseMode)
        msg = f"unknown response_mode {response_mode!r}; use one of {valid}"
        raise InvalidInputError(msg) from exc
    model = Settings.llm if llm is _NOT_SET else resolve_llm(llm)
    manager = callback_manager or Settings.callback_manager
    if model is None or mode is ResponseMode.EXTRACTIVE:
        return ExtractiveSynthesizer(embed_model=embed_model, callback_manager=manager, streaming=streaming)
    cls = Refine if mode is ResponseMode.REFINE else CompactAndRefine
    return cls(
        model,
        text_qa_template=text_qa_template,
        refine_template=refine_template,
        streaming=streaming,
        callback_manager=manager,
    )
