"""LlamaIndex's ``llama_index.core.callbacks.token_counting`` import path.

Re-exports ``TokenCountingHandler`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.callbacks import TokenCountingEvent, TokenCountingHandler

_LAZY: dict[str, str] = {
    "TokenCountingEvent": "dovetail.core.callbacks",
    "TokenCountingHandler": "dovetail.core.callbacks",
}

__all__ = [
    "TokenCountingEvent",
    "TokenCountingHandler",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
