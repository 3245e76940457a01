"""A CustomLLM that records every prompt and answers ``answer <n>`` (streamed word by word)."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import CompletionResponseGen
from dovetail.core.llms import CustomLLM
from dovetail.core.llms import LLMMetadata
from pydantic import PrivateAttr

_LOCK = threading.Lock()  # async modes call ``complete`` from several worker threads at once


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
        with _LOCK:
            self._prompts.append(prompt)
            return CompletionResponse(text=self.answer(prompt, len(self._prompts)))

    def answer(self, prompt: str, number: int) -> str:
        """The reply to the ``number``-th prompt."""
        return f"answer {number}"

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = self.complete(prompt).text
        sent = ""
        for word in text.split(" "):
            delta = word if not sent else f" {word}"
            sent += delta
            yield CompletionResponse(text=sent, delta=delta)


class DigestLLM(RecordingLLM):
    """Answers ``answer <digest of the prompt>``: the same prompts give the same answers in any call order, so a
    mode that runs its calls concurrently (``use_async=True``) can be compared with its sequential run."""

    def answer(self, prompt: str, number: int) -> str:
        """A reply that depends on the prompt only."""
        return f"answer {int(hashlib.sha256(prompt.encode()).hexdigest()[:6], 16) % 997}"  # as short as ``answer 7``
