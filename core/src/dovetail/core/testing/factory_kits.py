"""Kits for a provider package whose tests build the objects under test through a fixture factory
(``make_llm``, ``make_embed``: objects pointed at the package's local server, closed at teardown)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import ClassVar

import pytest
from dovetail.core.embeddings import BaseEmbedding
from dovetail.core.llms import LLM
from dovetail.core.testing.embedding import EmbeddingConformance
from dovetail.core.testing.llm import LLMConformance

__all__ = ["FactoryEmbeddingConformance", "FactoryLLMConformance"]


class FactoryLLMConformance(LLMConformance):
    """:class:`LLMConformance` for a chat LLM with tools, structured output and token usage, built by the
    package's ``make_llm`` fixture (a factory of LLMs pointed at its local server, closed at teardown).

    A variant of the LLM (thinking on, another model) subclasses the package's class and sets
    ``llm_settings``: the keyword arguments given to ``make_llm``.

    Example:
        ```python
        class TestAcmeConformance(FactoryLLMConformance):
            \"\"\"The kit against the loopback Acme server.\"\"\"


        class TestAcmeThinkingConformance(TestAcmeConformance):
            llm_settings: ClassVar[dict[str, Any]] = {"thinking": True}
        ```
    """

    supports_tools: ClassVar[bool] = True
    supports_structured_output: ClassVar[bool] = True
    supports_usage: ClassVar[bool] = True
    llm_settings: ClassVar[dict[str, Any]] = {}

    @pytest.fixture
    def llm(self, make_llm: Callable[..., LLM]) -> LLM:
        """The LLM under test: ``make_llm(**llm_settings)``."""
        return make_llm(**self.llm_settings)


class FactoryEmbeddingConformance(EmbeddingConformance):
    """:class:`EmbeddingConformance` for an embedding model built by the package's ``make_embed`` fixture;
    set ``embed_dim`` to the dimension its server answers with, and ``embedding_settings`` for a variant.

    Example:
        ```python
        class TestAcmeEmbeddingConformance(FactoryEmbeddingConformance):
            embed_dim = 16
        ```
    """

    embedding_settings: ClassVar[dict[str, Any]] = {}

    @pytest.fixture
    def embedding(self, make_embed: Callable[..., BaseEmbedding]) -> BaseEmbedding:
        """The embedding model under test: ``make_embed(**embedding_settings)``."""
        return make_embed(**self.embedding_settings)
