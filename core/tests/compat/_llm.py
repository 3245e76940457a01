"""A CustomLLM that records every prompt and answers ``answer <n>`` (streamed word by word)."""

from __future__ import annotations

from typing import Any

from dovetail.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
from pydantic import PrivateAttr


class RecordingLLM(CustomLLM):
    """Answers ``answer 1``, ``answer 2``, ...; ``prompts`` holds what it was sent."""

    context_window: int = 4096
    _prompts: list[str] = PrivateAttr(default_factory=list)

    @property
    def prompts(self) -> list[str]:
        return self._prompts

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="recording", context_window=self.context_window, num_output=32)

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self._prompts.append(prompt)
        return CompletionResponse(text=f"answer {len(self._prompts)}")

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = self.complete(prompt).text
        sent = ""
        for word in text.split(" "):
            delta = word if not sent else f" {word}"
            sent += delta
            yield CompletionResponse(text=sent, delta=delta)
