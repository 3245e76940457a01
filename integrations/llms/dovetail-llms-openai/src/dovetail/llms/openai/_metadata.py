"""``LLMMetadata`` from the catalog entry of a model plus the user's overrides (pure)."""

from __future__ import annotations

import logging
from typing import Any

from dovetail.core.catalog import ModelInfo
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MessageRole

__all__ = ["build_metadata"]

logger = logging.getLogger(__name__)


def _pick(override: Any, from_catalog: Any, default: Any) -> Any:
    if override is not None:
        return override
    return from_catalog if from_catalog is not None else default


def build_metadata(llm: Any, info: ModelInfo | None, default_window: int, reasoning: bool) -> LLMMetadata:
    """Metadata of ``llm`` (an ``OpenAI``): explicit fields win over the catalog entry ``info``.

    Raises:
        InvalidInputError: ``max_tokens`` is over the model's output limit.
    """
    limit = llm.max_output_tokens or (info.max_output_tokens if info is not None else None)
    if limit is not None and llm.max_tokens is not None and llm.max_tokens > limit:
        msg = f"max_tokens={llm.max_tokens} is over the {limit}-token output limit of {llm.model!r}; lower it"
        raise InvalidInputError(msg)
    if info is not None and info.is_deprecated:
        logger.warning("model %r was deprecated on %s; choose a newer model", llm.model, info.deprecation_date)
    return LLMMetadata(
        context_window=_pick(llm.context_window, info and info.context_window, default_window),
        num_output=llm.max_tokens or 256,
        is_chat_model=_pick(llm.is_chat_model, info and info.is_chat_model, True),
        is_function_calling_model=_pick(llm.is_function_calling_model, info and info.supports_tools, True),
        model_name=llm.model,
        system_role=MessageRole.DEVELOPER if reasoning else MessageRole.SYSTEM,
        supports_vision=_pick(llm.supports_vision, info and info.supports_vision, False),
        supports_structured_output=_pick(
            llm.supports_structured_output, info and info.supports_structured_output, False
        ),
    )
