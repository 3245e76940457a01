"""The embedding conformance kit applied to MockEmbedding and to the tutorial's custom embedding."""

from __future__ import annotations

import hashlib

import pytest
from dovetail.core.embeddings import BaseEmbedding
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.testing import EmbeddingConformance
from pydantic import PrivateAttr
from pydantic import SecretStr


class CharGramEmbedding(BaseEmbedding):
    """Tutorial-style custom embedding: a tiny bag of hashed character trigrams, with an API key field."""

    api_key: SecretStr = SecretStr("sk-test-not-a-real-key-123")
    _dim: int = PrivateAttr(default=16)

    @classmethod
    def class_name(cls) -> str:
        return "char_gram"

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self._dim
        padded = f"  {text.lower()}  "
        for i in range(len(padded) - 2):
            bucket = hashlib.md5(padded[i : i + 3].encode()).digest()[0] % self._dim
            vector[bucket] += 1.0
        return vector

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


class TestMockEmbedding(EmbeddingConformance):
    embed_dim = 6

    @pytest.fixture
    def embedding(self) -> BaseEmbedding:
        return MockEmbedding(embed_dim=6)


class TestCustomEmbedding(EmbeddingConformance):
    embed_dim = 16

    @pytest.fixture
    def embedding(self) -> BaseEmbedding:
        return CharGramEmbedding()


def test_custom_embedding_masks_its_key() -> None:
    model = CharGramEmbedding()
    assert "sk-test-not-a-real-key-123" not in repr(model)
    assert model.api_key.get_secret_value() == "sk-test-not-a-real-key-123"
