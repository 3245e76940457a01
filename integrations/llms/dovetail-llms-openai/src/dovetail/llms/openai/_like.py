"""``OpenAILike``: any OpenAI-compatible server, with capabilities given by the user."""

from __future__ import annotations

from typing import ClassVar

from dovetail.core.llms import LLMMetadata
from dovetail.llms.openai.base import OpenAI

__all__ = ["OpenAILike"]


class OpenAILike(OpenAI):
    """Any OpenAI-compatible server (llama.cpp, vLLM, Ollama, LM Studio, ...).

    Capabilities are what you say, not a catalog: ``is_chat_model`` (default ``True``), ``context_window``
    (default 3900), ``is_function_calling_model`` (default ``False``), ``supports_vision``,
    ``supports_structured_output``. The API key is optional: local servers usually ignore it, so when none is
    found (argument, config ``[providers.openai_like]``, ``OPENAI_API_KEY``) the placeholder ``"not-needed"`` is
    sent.

    Example:
        ```python
        llm = OpenAILike(model="qwen2.5-7b", api_base="http://127.0.0.1:8080/v1", context_window=32768)
        ```
    """

    provider_name: ClassVar[str] = "openai_like"
    _require_key: ClassVar[bool] = False
    _use_catalog: ClassVar[bool] = False

    def _default_window(self) -> int:
        return 3900

    def _build_metadata(self) -> LLMMetadata:
        if self.is_function_calling_model is None:
            self.is_function_calling_model = False
        return super()._build_metadata()

    @classmethod
    def class_name(cls) -> str:
        """Name used in serialized payloads."""
        return "openai_like_llm"
