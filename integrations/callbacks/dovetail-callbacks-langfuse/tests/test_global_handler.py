"""``set_global_handler("langfuse", ...)``, as Langfuse's LlamaIndex guide writes it, traces through Settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.callbacks.langfuse import LangfuseCallbackHandler
from dovetail.core import Document
from dovetail.core import Settings
from dovetail.core import VectorStoreIndex
from dovetail.core import set_global_handler
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.llms import MockLLM

pytestmark = pytest.mark.integration


@pytest.fixture
def clean_settings() -> Iterator[None]:
    Settings.reset()
    yield
    Settings.reset()


def test_the_global_langfuse_handler_traces_a_query_built_on_settings(
    receiver: Any, keys: tuple[str, str], clean_settings: None
) -> None:
    public, secret = keys
    handler = set_global_handler("langfuse", public_key=public, secret_key=secret, host=receiver.url)
    assert isinstance(handler, LangfuseCallbackHandler)
    try:
        Settings.llm = MockLLM(max_tokens=4)
        Settings.embed_model = MockEmbedding(embed_dim=8)
        index = VectorStoreIndex.from_documents([Document(text="Dovetail joints are strong.")])
        index.as_query_engine().query("What is strong?")
        handler.flush()
        spans = receiver.wait_for(lambda _: any(span.name == "llm" for span in receiver.for_key(public)))
        assert any(span.name == "llm" for span in spans)
    finally:
        handler.shutdown()


def test_a_misspelt_langfuse_option_names_the_right_one(keys: tuple[str, str], clean_settings: None) -> None:
    with pytest.raises(TypeError, match="public_key"):
        set_global_handler("langfuse", public_kye=keys[0])
