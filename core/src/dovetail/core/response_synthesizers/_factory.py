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
        # Extractive answers promise that nothing leaves the process: sentence embeddings only from a local model.
        local = embed_model if embed_model is not None and _embeds_locally(embed_model) else None
        return ExtractiveSynthesizer(embed_model=local, callback_manager=manager, streaming=streaming)
    cls = Refine if mode is ResponseMode.REFINE else CompactAndRefine
    return cls(
        model,
        text_qa_template=text_qa_template,
        refine_template=refine_template,
        streaming=streaming,
        callback_manager=manager,
    )


def _embeds_locally(embed_model: Any) -> bool:
    """Whether ``embed_model`` is known to run in this process (the mock or a local provider such as ONNX)."""
    from dovetail.core.indices._recorded_model import is_local_spec
    from dovetail.core.settings import embed_spec_of

    spec = embed_spec_of(embed_model)
    return spec is not None and is_local_spec(spec)
