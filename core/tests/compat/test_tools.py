"""FunctionTool, QueryEngineTool and RetrieverTool as LlamaIndex documents them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator
from typing import Annotated

import pytest
from dovetail.core import Document
from dovetail.core import VectorStoreIndex
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import TextBlock
from dovetail.core.tools import FunctionTool
from dovetail.core.tools import QueryEngineTool
from dovetail.core.tools import RetrieverTool
from dovetail.core.tools import ToolOutput
from pydantic import Field


def _props(tool: FunctionTool) -> dict[str, dict[str, object]]:
    props: dict[str, dict[str, object]] = tool.metadata.get_parameters_dict()["properties"]
    return props


def test_annotated_descriptions_reach_the_schema() -> None:
    def lookup(city: Annotated[str, "the city to look up"], days: Annotated[int, Field(description="days")] = 1) -> str:
        """Weather forecast."""
        return f"{city}:{days}"

    props = _props(FunctionTool.from_defaults(lookup))
    assert props["city"]["description"] == "the city to look up"
    assert props["days"]["description"] == "days"
    assert FunctionTool.from_defaults(lookup)(city="Oslo").content == "Oslo:1"


@pytest.mark.parametrize(
    "doc",
    [
        "Find a user.\n\n:param name: the user's name\n:param int limit: how many to return\n:returns: users",
        "Find a user.\n\n@param name: the user's name\n@param limit how many to return\n@return: users",
        "Find a user.\n\nArgs:\n    name: the user's name\n    limit (int): how many to return\n\nReturns:\n    users",
    ],
    ids=["sphinx", "epydoc", "google"],
)
def test_docstring_styles_give_argument_descriptions(doc: str) -> None:
    def find(name: str, limit: int = 3) -> str:
        return name * limit

    find.__doc__ = doc
    tool = FunctionTool.from_defaults(find)
    props = _props(tool)
    assert props["name"]["description"] == "the user's name"
    assert props["limit"]["description"] == "how many to return"
    assert "Find a user." in tool.metadata.description
    assert ":param" not in tool.metadata.description
    assert "@param" not in tool.metadata.description


def test_field_default_reaches_the_function_as_its_value() -> None:
    def repeat(word: str, times: int = Field(3, description="how often")) -> str:
        return word * times

    tool = FunctionTool.from_defaults(repeat)
    assert tool(word="ab").content == "ababab"
    assert tool(word="ab", times=1).content == "ab"
    assert _props(tool)["times"] == {"default": 3, "description": "how often", "title": "Times", "type": "integer"}


async def test_field_default_factory_on_the_async_path() -> None:
    async def tags(name: str, extra: list[str] = Field(default_factory=list)) -> str:  # noqa: B008
        return ",".join([name, *extra])

    assert (await FunctionTool.from_defaults(tags).acall(name="a")).content == "a"


def test_partial_params_are_hidden_from_the_model_and_passed() -> None:
    def orders(user_id: int, status: str) -> str:
        return f"{user_id}:{status}"

    tool = FunctionTool.from_defaults(orders, partial_params={"user_id": 7})
    assert set(_props(tool)) == {"status"}
    assert "user_id" not in tool.metadata.description
    assert tool(status="open").content == "7:open"
    assert tool(status="open", user_id=8).content == "8:open", "the call's own arguments win"
    with pytest.raises(InvalidInputError, match="usr_id"):
        FunctionTool.from_defaults(orders, partial_params={"usr_id": 7})


def test_a_returned_document_is_sent_as_text_not_a_field_dump() -> None:
    def fetch() -> Document:
        return Document(text="the manual", doc_id="m1")

    content = FunctionTool.from_defaults(fetch)().content
    assert content == "Doc ID: m1\nText: the manual"


def test_tool_output_blocks() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8

    def snapshot() -> list[object]:
        return [TextBlock(text="a chart"), ImageBlock(image=png)]

    output = FunctionTool.from_defaults(snapshot)()
    assert [type(block) for block in output.blocks] == [TextBlock, ImageBlock]
    assert output.content == "a chart"
    plain = ToolOutput(content="hi", tool_name="t")
    assert plain.blocks == [TextBlock(text="hi")]
    plain.content = "bye"
    assert str(plain) == "bye"


@pytest.fixture
def index() -> VectorStoreIndex:
    docs = [
        Document(text="Dovetail joints interlock tails and pins.", doc_id="joints"),
        Document(text="Oak is a hard wood used for furniture.", doc_id="oak"),
    ]
    return VectorStoreIndex.from_documents(docs, embed_model=MockEmbedding(embed_dim=8))


def test_query_engine_tool_answers_by_position_or_input(index: VectorStoreIndex) -> None:
    tool = QueryEngineTool.from_defaults(index.as_query_engine(similarity_top_k=1), name="wood", description="Wood.")
    assert tool.metadata.name == "wood"
    assert set(tool.metadata.get_parameters_dict()["properties"]) == {"input"}
    by_position = tool("Dovetail joints interlock tails and pins.")
    by_keyword = tool(input="Dovetail joints interlock tails and pins.")
    assert by_position.content == by_keyword.content
    assert "tails and pins" in by_position.content
    assert by_position.raw_input == {"input": "Dovetail joints interlock tails and pins."}
    assert str(by_position.raw_output) == by_position.content
    with pytest.raises(TypeError, match="input"):
        tool("a", inptu="b")


async def test_retriever_tool_returns_node_text_and_nodes(index: VectorStoreIndex) -> None:
    tool = RetrieverTool.from_defaults(index.as_retriever(similarity_top_k=2))
    assert tool.metadata.name == "retriever_tool"
    output = await tool.acall(input="Oak is a hard wood used for furniture.")
    assert len(output.raw_output) == 2
    assert "Oak is a hard wood" in output.content
    assert output.raw_output[0].node.ref_doc_id == "oak"


def test_query_engine_tool_schema_and_invented_argument_names() -> None:
    from dovetail.core.query_engine import CustomQueryEngine

    class Echo(CustomQueryEngine):
        prefix: str = "custom_"

        def custom_query(self, query_str: str) -> str:
            return self.prefix + query_str

    tool = QueryEngineTool.from_defaults(Echo())
    assert str(tool("hello")) == "custom_hello"
    schema = tool.metadata.fn_schema
    assert schema is not None
    assert str(tool(**schema(input="bar").model_dump())) == "custom_bar"
    assert str(tool(tmp="hi")) == "custom_{'tmp': 'hi'}"
    strict = QueryEngineTool.from_defaults(Echo(), resolve_input_errors=False)
    with pytest.raises(ValueError, match="question"):
        strict(tmp="hi")


async def test_custom_query_engine_async_and_keyword_check() -> None:
    from dovetail.core.query_engine import CustomQueryEngine

    class Upper(CustomQueryEngine):
        def custom_query(self, query_str: str) -> str:
            return query_str.upper()

    assert str(await Upper().aquery("abc")) == "ABC"
    with pytest.raises(TypeError, match="callback_manager"):
        Upper(callback_manger=None)


async def test_generator_tools_return_their_last_item() -> None:
    def steps(word: str) -> Iterator[str]:
        yield "start"
        yield f"done {word}"

    async def asteps(word: str) -> AsyncIterator[dict[str, str]]:
        yield {"status": "loading"}
        yield {"result": word}

    assert FunctionTool.from_defaults(steps)(word="a").content == "done a"
    assert (await FunctionTool.from_defaults(steps).acall(word="b")).content == "done b"
    assert (await FunctionTool.from_defaults(asteps).acall(word="c")).raw_output == {"result": "c"}
