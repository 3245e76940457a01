"""Counts LLM prompt/completion tokens and embedding tokens seen through callback events."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from dovetail.core.callbacks._base import CallbackEvent
from dovetail.core.callbacks._base import CallbackEventHandler
from dovetail.core.callbacks._schema import CBEventType
from dovetail.core.callbacks._schema import EventPayload
from dovetail.core.callbacks._usage import usage_of
from dovetail.core.tokenizers import Tokenizer
from dovetail.core.tokenizers import get_tokenizer

__all__ = ["TokenCountingEvent", "TokenCountingHandler"]


@dataclass(frozen=True)
class TokenCountingEvent:
    """Token counts of one LLM or embedding event."""

    event_id: str
    prompt_token_count: int
    completion_token_count: int

    @property
    def total_token_count(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_token_count + self.completion_token_count


class TokenCountingHandler(CallbackEventHandler):
    """Counts tokens of LLM and embedding events.

    Provider-reported usage (``additional_kwargs`` of the response) is used when present; otherwise the prompt
    and completion are counted with ``tokenizer`` (default: :func:`dovetail.core.tokenizers.get_tokenizer`).

    Example:
        ```python
        counter = TokenCountingHandler()
        Settings.callback_manager = CallbackManager([counter])
        ...
        print(counter.total_llm_token_count, counter.total_embedding_token_count)
        ```
    """

    def __init__(self, tokenizer: Tokenizer | None = None) -> None:
        super().__init__()
        self._tokenizer = tokenizer
        self._lock = threading.Lock()
        self._pending_prompts: dict[str, str] = {}
        self.llm_token_counts: list[TokenCountingEvent] = []
        self.embedding_token_counts: list[TokenCountingEvent] = []

    def _count(self, text: str) -> int:
        return len((self._tokenizer or get_tokenizer())(text)) if text else 0

    def handle_start(self, event: CallbackEvent) -> str:
        """Remember the prompt of an LLM event until it ends."""
        if event.event_type == CBEventType.LLM and event.payload:
            prompt = event.payload.get(EventPayload.PROMPT)
            messages = event.payload.get(EventPayload.MESSAGES)
            text = str(prompt) if prompt is not None else "\n".join(str(m) for m in messages or [])
            with self._lock:
                self._pending_prompts[event.event_id] = text
        return event.event_id

    def handle_end(self, event: CallbackEvent) -> None:
        """Record token counts of a finished LLM or embedding event."""
        payload = event.payload
        if event.event_type == CBEventType.LLM:
            with self._lock:
                prompt_text = self._pending_prompts.pop(event.event_id, "")
            response = payload.get(EventPayload.RESPONSE, payload.get(EventPayload.COMPLETION))
            if response is None:
                return
            reported = usage_of(response) or {}
            prompt, completion = reported.get("prompt_tokens"), reported.get("completion_tokens")
            if prompt is None or completion is None:
                prompt, completion = self._count(prompt_text), self._count(str(getattr(response, "text", "") or ""))
            with self._lock:
                self.llm_token_counts.append(TokenCountingEvent(event.event_id, prompt, completion))
        elif event.event_type == CBEventType.EMBEDDING:
            chunks = payload.get(EventPayload.CHUNKS) or []
            count = sum(self._count(str(chunk)) for chunk in chunks)
            with self._lock:
                self.embedding_token_counts.append(TokenCountingEvent(event.event_id, count, 0))

    @property
    def prompt_llm_token_count(self) -> int:
        """Prompt tokens over all LLM events."""
        return sum(e.prompt_token_count for e in self.llm_token_counts)

    @property
    def completion_llm_token_count(self) -> int:
        """Completion tokens over all LLM events."""
        return sum(e.completion_token_count for e in self.llm_token_counts)

    @property
    def total_llm_token_count(self) -> int:
        """Prompt plus completion tokens over all LLM events."""
        return self.prompt_llm_token_count + self.completion_llm_token_count

    @property
    def total_embedding_token_count(self) -> int:
        """Tokens embedded over all embedding events."""
        return sum(e.prompt_token_count for e in self.embedding_token_counts)

    def reset_counts(self) -> None:
        """Forget all counts."""
        with self._lock:
            self.llm_token_counts.clear()
            self.embedding_token_counts.clear()
            self._pending_prompts.clear()
