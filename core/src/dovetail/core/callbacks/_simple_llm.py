"""``SimpleLLMHandler``: prints each LLM call's prompt and answer (LlamaIndex's ``set_global_handler("simple")``)."""

from __future__ import annotations

import sys
from typing import TextIO

from dovetail.core._kwargs import suggest_keywords
from dovetail.core.callbacks._base import CallbackEvent
from dovetail.core.callbacks._base import CallbackEventHandler
from dovetail.core.callbacks._schema import CBEventType
from dovetail.core.callbacks._schema import EventPayload

__all__ = ["SimpleLLMHandler"]

_RULE = "*" * 50


class SimpleLLMHandler(CallbackEventHandler):
    """Prints the prompt (or messages) and the completion (or response) of every LLM call when it ends.

    Args:
        stream: where to print (default ``sys.stdout`` at print time).
    """

    @suggest_keywords
    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(event_starts_to_ignore=(), event_ends_to_ignore=())
        self.stream = stream

    def handle_end(self, event: CallbackEvent) -> None:
        """Print an LLM event's input and output; other events are skipped."""
        if event.event_type != CBEventType.LLM:
            return
        payload = event.payload
        if EventPayload.MESSAGES in payload:
            asked = "\n".join(str(message) for message in payload[EventPayload.MESSAGES])
            answer = payload.get(EventPayload.RESPONSE)
            labels = ("Messages", "Response")
        else:
            asked = str(payload.get(EventPayload.PROMPT, ""))
            answer = payload.get(EventPayload.COMPLETION)
            labels = ("Prompt", "Completion")
        shown = "" if answer is None else str(answer)
        text = f"** {labels[0]}: **\n{asked}\n{_RULE}\n** {labels[1]}: **\n{shown}\n{_RULE}\n"
        print(text, file=self.stream or sys.stdout)
