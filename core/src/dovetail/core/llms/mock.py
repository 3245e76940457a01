"""LlamaIndex's ``llama_index.core.llms.mock`` import path.

Re-exports the mock LLMs lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.llms import MockFunctionCallingLLM, MockLLM

_LAZY: dict[str, str] = {
    "MockFunctionCallingLLM": "dovetail.core.llms",
    "MockLLM": "dovetail.core.llms",
}

__all__ = [
    "MockFunctionCallingLLM",
    "MockLLM",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
