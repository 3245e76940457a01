"""LlamaIndex's top-level names: legacy aliases resolve, ``set_global_handler`` works, and names dovetail does not
have say what to use instead."""

from __future__ import annotations

import importlib
import io

import dovetail.core
import pytest
from dovetail.core import Document
from dovetail.core import MockEmbedding
from dovetail.core import Settings
from dovetail.core import SimpleKeywordTableIndex
from dovetail.core import SummaryIndex
from dovetail.core import VectorStoreIndex
from dovetail.core.callbacks import SimpleLLMHandler
from dovetail.core.callbacks.global_handlers import get_global_handler
from dovetail.core.callbacks.global_handlers import set_global_handler
from dovetail.core.errors import ConfigurationError
from dovetail.core.llms import MockLLM

NOT_HERE = [
    "ServiceContext",
    "set_global_service_context",
    "ComposableGraph",
    "TreeIndex",
    "KeywordTableIndex",
    "RAKEKeywordTableIndex",
    "DocumentSummaryIndex",
    "KnowledgeGraphIndex",
    "PropertyGraphIndex",
    "load_graph_from_storage",
    "SQLDatabase",
    "download_loader",
    "PromptHelper",
    "SelectorPromptTemplate",
    "IndexStructType",
]


def test_legacy_index_names_are_the_current_classes() -> None:
    assert dovetail.core.GPTVectorStoreIndex is VectorStoreIndex
    assert dovetail.core.ListIndex is SummaryIndex
    assert dovetail.core.GPTListIndex is SummaryIndex
    assert dovetail.core.GPTSimpleKeywordTableIndex is SimpleKeywordTableIndex


@pytest.mark.parametrize("name", NOT_HERE)
def test_a_name_dovetail_does_not_have_says_what_to_do(name: str) -> None:
    with pytest.raises(ImportError, match=rf"dovetail.core has no {name}: .+") as info:
        exec(f"from dovetail.core import {name}", {})
    assert info.value.name == name


def test_an_unknown_name_is_still_a_plain_attribute_error() -> None:
    assert not hasattr(dovetail.core, "NoSuchThing")


def test_the_simple_global_handler_prints_each_llm_call() -> None:
    out = io.StringIO()
    handler = set_global_handler("simple", stream=out)
    assert isinstance(handler, SimpleLLMHandler)
    assert get_global_handler() is handler
    Settings.llm = MockLLM()
    Settings.embed_model = MockEmbedding(embed_dim=4)
    index = VectorStoreIndex.from_documents([Document(text="The dovetail resists pulling apart.")])
    answer = index.as_query_engine().query("What resists pulling apart?")
    printed = out.getvalue()
    assert "** Prompt: **" in printed or "** Messages: **" in printed
    assert "What resists pulling apart?" in printed
    assert str(answer).strip() in printed


def test_setting_a_global_handler_again_replaces_the_first() -> None:
    first = set_global_handler("simple", stream=io.StringIO())
    second = set_global_handler("simple", stream=io.StringIO())
    handlers = Settings.callback_manager.handlers
    assert second in handlers
    assert first not in handlers


def test_an_uninstalled_handler_names_the_package_to_install() -> None:
    with pytest.raises(ConfigurationError, match="pip install dovetail-callbacks-wandb"):
        set_global_handler("wandb")
    with pytest.raises(TypeError, match="stream"):
        set_global_handler("simple", strem=io.StringIO())


def test_the_llama_index_module_path_exists() -> None:
    module = importlib.import_module("dovetail.core.callbacks.simple_llm_handler")
    assert module.SimpleLLMHandler is SimpleLLMHandler
