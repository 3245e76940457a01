"""The conformance kit: base test classes every integration subclasses (install ``dovetail-core[testing]``).

Loopback servers for integration tests (:mod:`dovetail.core.testing.loopback`): ``LoopbackHTTPServer``,
``Fault``, ``free_port``, ``wait_for_port``; their deterministic model in :mod:`dovetail.core.testing.fakes`.

A provider's test file stays about ten lines: subclass the kit class for its domain, provide the fixture that
builds the object under test, set the capability flags (``supports_*``). Kit tests cannot be overridden
(:class:`~dovetail.core.testing._guard.KitTestOverriddenError`).

Example:
    ```python
    import pytest
    from dovetail.core.testing import EmbeddingConformance

    class TestMyEmbedding(EmbeddingConformance):
        @pytest.fixture
        def embedding(self):
            return MyEmbedding(model="tiny")
    ```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports


def _rewrite_kit_asserts() -> None:
    """Let pytest rewrite the kits' ``assert`` statements, so a failing kit test shows the values it compared.

    pytest rewrites only test files and conftests on its own; the kits live in an installed package, so their
    modules are registered here, before any of them is imported. Without pytest (the loopback servers and fakes
    serve benchmarks too) there is nothing to register.
    """
    import pkgutil  # imported here: the package's namespace holds its exports only

    try:
        import pytest
    except ImportError:
        return
    pytest.register_assert_rewrite(*(f"{__name__}.{module.name}" for module in pkgutil.iter_modules(__path__)))


_rewrite_kit_asserts()

if TYPE_CHECKING:
    from dovetail.core.testing._guard import ConformanceBase
    from dovetail.core.testing._guard import KitTestOverriddenError
    from dovetail.core.testing.callback import CallbackHandlerConformance
    from dovetail.core.testing.embedding import EmbeddingConformance
    from dovetail.core.testing.exports import ExportsConformance
    from dovetail.core.testing.exports import public_names
    from dovetail.core.testing.factory_kits import FactoryEmbeddingConformance
    from dovetail.core.testing.factory_kits import FactoryLLMConformance
    from dovetail.core.testing.llm import LLMConformance
    from dovetail.core.testing.loopback import Exchange
    from dovetail.core.testing.loopback import Fault
    from dovetail.core.testing.loopback import LoopbackHTTPServer
    from dovetail.core.testing.loopback import RecordedRequest
    from dovetail.core.testing.loopback import free_port
    from dovetail.core.testing.loopback import wait_for_port
    from dovetail.core.testing.reader import ReaderConformance
    from dovetail.core.testing.vector_store import VectorStoreConformance

_LAZY: dict[str, str] = {
    "CallbackHandlerConformance": "dovetail.core.testing.callback",
    "ConformanceBase": "dovetail.core.testing._guard",
    "EmbeddingConformance": "dovetail.core.testing.embedding",
    "Exchange": "dovetail.core.testing.loopback",
    "ExportsConformance": "dovetail.core.testing.exports",
    "FactoryEmbeddingConformance": "dovetail.core.testing.factory_kits",
    "FactoryLLMConformance": "dovetail.core.testing.factory_kits",
    "Fault": "dovetail.core.testing.loopback",
    "KitTestOverriddenError": "dovetail.core.testing._guard",
    "LLMConformance": "dovetail.core.testing.llm",
    "LoopbackHTTPServer": "dovetail.core.testing.loopback",
    "ReaderConformance": "dovetail.core.testing.reader",
    "RecordedRequest": "dovetail.core.testing.loopback",
    "VectorStoreConformance": "dovetail.core.testing.vector_store",
    "public_names": "dovetail.core.testing.exports",
    "free_port": "dovetail.core.testing.loopback",
    "wait_for_port": "dovetail.core.testing.loopback",
}

__all__ = [
    "CallbackHandlerConformance",
    "ConformanceBase",
    "EmbeddingConformance",
    "Exchange",
    "ExportsConformance",
    "FactoryEmbeddingConformance",
    "FactoryLLMConformance",
    "Fault",
    "KitTestOverriddenError",
    "LLMConformance",
    "LoopbackHTTPServer",
    "ReaderConformance",
    "RecordedRequest",
    "VectorStoreConformance",
    "free_port",
    "public_names",
    "wait_for_port",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
