"""``LLMMetadata`` from the catalog entry of a model plus the user's overrides (pure)."""

from __future__ import annotations

import logging
from typing import Any

from dovetail.core.catalog import ModelInfo
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MessageRole
from dovetail.core.provider_llm import check_output_limit
from dovetail.core.provider_llm import pick

__all__ = ["build_metadata"]

logger = logging.getLogger(__name__)


def build_metadata(llm: Any, info: ModelInfo | None, default_window: int, reasoning: bool) -> LLMMetadata:
    """Metadata of ``llm`` (an ``OpenAI``): explicit fields win over the catalog entry ``info``.

    Raises:
        InvalidInputError: ``max_tokens`` is over the model's output limit.
    """
    check_output_limit(llm.model, llm.max_tokens, llm.max_output_tokens or (info.max_output_tokens if info else None))
    if info is not None and info.is_deprecated:
        logger.warning("model %r was deprecated on %s; choose a newer model", llm.model, info.deprecation_date)
    return LLMMetadata(
        context_window=pick(llm.context_window, info and info.context_window, default_window),
        num_output=llm.max_tokens or 256,
        is_chat_model=pick(llm.is_chat_model, info and info.is_chat_model, True),
        is_function_calling_model=pick(llm.is_function_calling_model, info and info.supports_tools, True),
        model_name=llm.model,
        system_role=MessageRole.DEVELOPER if reasoning else MessageRole.SYSTEM,
        supports_vision=pick(llm.supports_vision, info and info.supports_vision, False),
        supports_structured_output=pick(
            llm.supports_structured_output, info and info.supports_structured_output, False
        ),
    )
