"""Bookkeeping of the handler: open traces and events, setting checks, SDK client lifecycle helpers."""

from __future__ import annotations

import atexit
import math
import weakref
from contextvars import Token
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.callbacks import CBEventType
from dovetail.core.errors import ConfigurationError

if TYPE_CHECKING:
    from dovetail.callbacks.langfuse.base import LangfuseCallbackHandler

__all__ = ["OpenEvent", "TraceState", "forget_sdk_client", "positive_seconds", "register_atexit"]


@dataclass
class TraceState:
    """One dovetail trace: its Langfuse root span and what has been copied onto it."""

    name: str
    root: Any
    depth: int = 1
    token: Token[TraceState | None] | None = None
    has_input: bool = False


@dataclass
class OpenEvent:
    """One started, not yet ended event."""

    observation: Any
    event_type: CBEventType
    trace: TraceState | None = None
    top_level: bool = False
    model: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def positive_seconds(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        msg = f"{name} must be a positive number of seconds, got {value!r}"
        raise ConfigurationError(msg)
    return float(value)


def forget_sdk_client(public_key: str, client: Any) -> None:
    """Drop the SDK's per-public-key singleton once shut down, so a later handler gets a working pipeline."""
    try:
        from langfuse._client.resource_manager import LangfuseResourceManager
    except ImportError:  # pragma: no cover - SDK layout changed; a new handler then shares the old client
        return
    with LangfuseResourceManager._lock:
        if LangfuseResourceManager._instances.get(public_key) is getattr(client, "_resources", None):
            LangfuseResourceManager._instances.pop(public_key, None)


def register_atexit(handler: LangfuseCallbackHandler) -> Any:
    ref = weakref.ref(handler)

    def _at_exit() -> None:
        alive = ref()
        if alive is not None:
            alive.shutdown()

    atexit.register(_at_exit)
    return _at_exit
