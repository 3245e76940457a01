"""A chunk's token budget is never exceeded: exact model tokenizers where known, else a never-undercounting bound."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import pytest
from dovetail.core import Document
from dovetail.core import Settings
from dovetail.core import VectorStoreIndex
from dovetail.core.embeddings import BaseEmbedding
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.tokenizers import budget_tokenizer
from dovetail.core.tokenizers import default_tokenizer
from dovetail.core.tokenizers import set_global_tokenizer
from dovetail.core.tokenizers import tiktoken_tokenizer
from dovetail.core.tokenizers import upper_bound_tokenizer

ADVERSARIAL = {
    "long word": "abcde" * 200,
    "german compounds": "Donaudampfschifffahrtsgesellschaftskapitän Rindfleischetikettierungsüberwachung " * 8,
    "urls": "see https://example.com/a/very/long/path/segment?with=query&and=more&x=1#fragment-part " * 6,
    "cjk": "漢字の文章は分かち書きされない。中文文本也没有空格。한국어 문장도 있습니다. " * 10,
    "emoji": "🎉🚀👩‍👩‍👧‍👦🇫🇷🧑🏽‍💻 " * 20,
    "base64": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIzNDU2Nzg5K/+/w6nDqMOg8J+YgA== " * 8,
    "code": "def f(x):\n    return {k: v**2 for k, v in x.items() if k.startswith('_')}  # ok\n" * 6,
    "hex and digits": "0x7f3a9c1e2b4d6f80 3.14159265358979323846 1e-10 " * 10,
}


def _exact() -> dict[str, Callable[[str], Sequence[Any]]]:
    return {"cl100k_base": tiktoken_tokenizer("cl100k_base"), "o200k_base": tiktoken_tokenizer("o200k_base")}


@pytest.mark.parametrize("kind", sorted(ADVERSARIAL))
def test_upper_bound_never_undercounts_real_tokenizers(kind: str) -> None:
    text = ADVERSARIAL[kind]
    for name, tokenizer in _exact().items():
        assert len(upper_bound_tokenizer(text)) >= len(tokenizer(text)), f"{kind}: undercounts {name}"


def test_the_approximation_alone_would_undercount() -> None:
    # Why budgets do not use the approximation: it counts "abcde"*200 as 125 tokens against 400 real ones.
    text = ADVERSARIAL["long word"]
    assert len(default_tokenizer(text)) < len(tiktoken_tokenizer("cl100k_base")(text))


class WindowedEmbedding(BaseEmbedding):
    """A model with a token window but no tokenizer dovetail knows (as a remote API without tiktoken)."""

    def _get_query_embedding(self, query: str) -> list[float]:
        return [1.0, float(len(query) % 7)]

    def _get_text_embedding(self, text: str) -> list[float]:
        return [1.0, float(len(text) % 7)]


class ExactEmbedding(WindowedEmbedding):
    """A model that exposes its exact tokenizer (here cl100k)."""

    def get_tokenizer(self) -> Callable[[str], Sequence[Any]]:
        return tiktoken_tokenizer("cl100k_base")


def _corpus() -> list[Document]:
    return [Document(text=text, doc_id=kind) for kind, text in ADVERSARIAL.items()]


@pytest.mark.parametrize("model_cls", [WindowedEmbedding, ExactEmbedding])
def test_default_index_chunks_fit_the_budget_in_every_real_tokenizer(model_cls: type[BaseEmbedding]) -> None:
    Settings.chunk_size, Settings.chunk_overlap = 64, 0
    index = VectorStoreIndex.from_documents(_corpus(), embed_model=model_cls())
    nodes = index.vector_store.get_nodes()
    assert len(nodes) > len(ADVERSARIAL)
    exact = _exact() if model_cls is WindowedEmbedding else {"cl100k_base": tiktoken_tokenizer("cl100k_base")}
    for node in nodes:
        text = node.get_content()
        for name, tokenizer in exact.items():
            assert len(tokenizer(text)) <= 64, f"a chunk has {len(tokenizer(text))} {name} tokens > 64"


def test_budget_tokenizer_order() -> None:
    assert budget_tokenizer(WindowedEmbedding()) is upper_bound_tokenizer
    assert budget_tokenizer(None) is upper_bound_tokenizer
    assert budget_tokenizer(MockEmbedding(embed_dim=2)) is default_tokenizer, "a mock has no window of its own"
    custom = str.split
    set_global_tokenizer(custom)
    try:
        assert budget_tokenizer(ExactEmbedding()) is custom, "an explicitly set tokenizer wins"
    finally:
        set_global_tokenizer(None)


def test_a_set_node_parser_is_used_as_it_is() -> None:
    splitter = SentenceSplitter(chunk_size=32, chunk_overlap=0)
    Settings.node_parser = splitter
    assert Settings.transformations_for(WindowedEmbedding()) == [splitter]


def test_embedding_models_take_model_as_the_name_of_model_name() -> None:
    # The registry builds "provider:model" specs as Class(model=...); it must not be dropped.
    assert WindowedEmbedding(model="my-model").model_name == "my-model"
    with pytest.raises(TypeError, match="model_name"):
        WindowedEmbedding(model="a", model_name="b")
