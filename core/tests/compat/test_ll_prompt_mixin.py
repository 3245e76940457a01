"""LlamaIndex's own ``prompts/test_mixin.py``, written again against dovetail, plus the documented use of
``get_prompts``/``update_prompts`` on a query engine and a fusion retriever.

LlamaIndex's ``PromptMixin`` lives at ``llama_index.core.prompts.mixin``; dovetail's query engines, response
synthesizers and retrievers share it (imported here from its module).
"""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core import Document
from dovetail.core import MockEmbedding
from dovetail.core import VectorStoreIndex
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import MockLLM
from dovetail.core.prompts import PromptTemplate
from dovetail.core.retrievers import QueryFusionRetriever
from dovetail.core.retrievers._prompt_mixin import PromptMixin


class MockObject2(PromptMixin):
    def __init__(self) -> None:
        self._prompt_dict_2 = {"abc": PromptTemplate("{abc} {def}")}

    def _get_prompts(self) -> dict[str, Any]:
        return self._prompt_dict_2

    def _update_prompts(self, prompts: dict[str, Any]) -> None:
        if "abc" in prompts:
            self._prompt_dict_2["abc"] = prompts["abc"]


class MockObject1(PromptMixin):
    def __init__(self) -> None:
        self.mock_object_2 = MockObject2()
        self._prompt_dict_1 = {"summary": PromptTemplate("{summary}"), "foo": PromptTemplate("{foo} {bar}")}

    def _get_prompts(self) -> dict[str, Any]:
        return self._prompt_dict_1

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {"mock_object_2": self.mock_object_2}

    def _update_prompts(self, prompts: dict[str, Any]) -> None:
        for key in ("summary", "foo"):
            if key in prompts:
                self._prompt_dict_1[key] = prompts[key]


def templates(prompts: dict[str, Any]) -> dict[str, str]:
    return {key: prompt.template for key, prompt in prompts.items()}


def test_prompt_mixin() -> None:
    mock_obj1 = MockObject1()
    assert templates(mock_obj1.get_prompts()) == {
        "summary": "{summary}",
        "foo": "{foo} {bar}",
        "mock_object_2:abc": "{abc} {def}",
    }
    assert templates(mock_obj1.mock_object_2.get_prompts()) == {"abc": "{abc} {def}"}
    mock_obj1.update_prompts(
        {"summary": PromptTemplate("{summary} testing"), "mock_object_2:abc": PromptTemplate("{abc} {def} ghi")}
    )
    assert templates(mock_obj1.get_prompts()) == {
        "summary": "{summary} testing",
        "foo": "{foo} {bar}",
        "mock_object_2:abc": "{abc} {def} ghi",
    }


def test_unknown_prompt_key_is_refused_and_nothing_changes() -> None:
    mock_obj1 = MockObject1()
    with pytest.raises(InvalidInputError, match=r"'mock_object_2:abd'.*mock_object_2:abc"):
        mock_obj1.update_prompts({"summary": PromptTemplate("new"), "mock_object_2:abd": PromptTemplate("x")})
    with pytest.raises(InvalidInputError, match="PromptTemplate"):
        mock_obj1.update_prompts({"summary": "{summary} as a plain string"})
    assert templates(mock_obj1.get_prompts())["summary"] == "{summary}"


def test_query_engine_prompts_reach_the_llm() -> None:
    index = VectorStoreIndex.from_documents([Document(text="Oak is hard.")], embed_model=MockEmbedding(embed_dim=4))
    engine = index.as_query_engine(llm=MockLLM())
    assert set(engine.get_prompts()) == {
        "response_synthesizer:text_qa_template",
        "response_synthesizer:refine_template",
    }
    engine.update_prompts(
        {"response_synthesizer:text_qa_template": PromptTemplate("ASK {query_str} WITH {context_str}")}
    )
    assert str(engine.query("what?")) == "ASK what? WITH Oak is hard."


def test_tree_summarize_and_fusion_keys() -> None:
    index = VectorStoreIndex.from_documents([Document(text="Oak is hard.")], embed_model=MockEmbedding(embed_dim=4))
    engine = index.as_query_engine(llm=MockLLM(), response_mode="tree_summarize")
    assert set(engine.get_prompts()) == {"response_synthesizer:summary_template"}
    fusion = QueryFusionRetriever([index.as_retriever()], num_queries=1)
    assert set(fusion.get_prompts()) == {"query_gen_prompt"}
    fusion.update_prompts({"query_gen_prompt": PromptTemplate("New prompt: {query} {num_queries}\n")})
    assert "New prompt:" in fusion.query_gen_prompt.get_template()
