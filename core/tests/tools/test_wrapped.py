"""QueryEngineTool and RetrieverTool: the same output through ``call`` and ``acall``, and their refusals."""

from __future__ import annotations

import pytest
from dovetail.core import Document
from dovetail.core import VectorStoreIndex
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.tools import QueryEngineTool
from dovetail.core.tools import RetrieverTool
from dovetail.core.tools import ToolOutput

QUESTION = "Oak is a hard wood used for furniture."


@pytest.fixture
def index() -> VectorStoreIndex:
    docs = [
        Document(text="Dovetail joints interlock tails and pins.", doc_id="joints"),
        Document(text=QUESTION, doc_id="oak"),
    ]
    return VectorStoreIndex.from_documents(docs, embed_model=MockEmbedding(embed_dim=8))


def _tools(index: VectorStoreIndex) -> list[QueryEngineTool | RetrieverTool]:
    return [
        QueryEngineTool.from_defaults(index.as_query_engine(similarity_top_k=1), name="ask"),
        RetrieverTool.from_defaults(index.as_retriever(similarity_top_k=1), name="find"),
    ]


def _fields(output: ToolOutput) -> tuple[str, str, dict[str, object], str]:
    return output.tool_name, output.content, output.raw_input, str(output.raw_output)


async def test_call_and_acall_build_the_same_output(index: VectorStoreIndex) -> None:
    for tool in _tools(index):
        sync = tool.call(QUESTION)
        assert sync.tool_name == tool.metadata.name
        assert sync.raw_input == {"input": QUESTION}
        assert "Oak is a hard wood" in sync.content
        assert not sync.is_error
        assert _fields(await tool.acall(input=QUESTION)) == _fields(sync)


def test_retriever_tool_content_is_the_text_of_its_nodes(index: VectorStoreIndex) -> None:
    output = _tools(index)[1](QUESTION)
    assert [result.node.ref_doc_id for result in output.raw_output] == ["oak"]
    assert output.content == output.raw_output[0].node.get_content(metadata_mode="llm") + "\n\n"


def test_query_engine_tool_content_is_the_response_text(index: VectorStoreIndex) -> None:
    output = _tools(index)[0](QUESTION)
    assert output.content == str(output.raw_output)


@pytest.mark.parametrize("tool_class", [QueryEngineTool, RetrieverTool])
def test_an_object_of_the_wrong_kind_is_refused(tool_class: type[QueryEngineTool | RetrieverTool]) -> None:
    with pytest.raises(InvalidInputError, match=f"{tool_class.__name__} needs"):
        tool_class.from_defaults(object())  # type: ignore[arg-type]


@pytest.mark.parametrize("position", [0, 1])
def test_the_question_given_twice_is_refused(index: VectorStoreIndex, position: int) -> None:
    with pytest.raises(TypeError, match="twice"):
        _tools(index)[position]("a", input="b")
