"""The tutorial path with one misspelt keyword each: a typed error that names the keyword meant.

Each case is what a LlamaIndex user types with a typo in it. The error must be raised (nothing accepted and
ignored) and must name the closest valid keyword, so the fix is obvious from the message alone.
"""
# The calls below pass misspelt keywords on purpose: the type checker would refuse them.
# mypy: disable-error-code="call-arg,arg-type,attr-defined,misc"

from __future__ import annotations

import asyncio
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dovetail.core import Document
from dovetail.core import IngestionPipeline
from dovetail.core import Settings
from dovetail.core import StorageContext
from dovetail.core import VectorStoreIndex
from dovetail.core import load_index_from_storage
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import MockLLM
from dovetail.core.memory import ChatMemoryBuffer
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.node_parser import TokenTextSplitter
from dovetail.core.query_engine import RetrieverQueryEngine
from dovetail.core.readers import SimpleDirectoryReader
from dovetail.core.response_synthesizers import get_response_synthesizer
from dovetail.core.retrievers import VectorIndexRetriever
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import TextNode


@pytest.fixture(autouse=True)
def offline_settings() -> Iterator[None]:
    Settings.reset()
    Settings.embed_model = MockEmbedding(embed_dim=4)
    Settings.llm = MockLLM()
    yield
    Settings.reset()


class World:
    """A small index persisted to disk and a folder of text files, built once per test."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "docs"
        self.folder.mkdir()
        (self.folder / "oak.txt").write_text("Oak is a hard wood.")
        self.index = VectorStoreIndex.from_documents([Document(text="Oak is a hard wood.", doc_id="oak")])
        self.persist_dir = root / "index"
        self.index.storage_context.persist(str(self.persist_dir))

    def nodes(self) -> list[NodeWithScore]:
        return [NodeWithScore(node=TextNode(text="Oak is a hard wood."), score=1.0)]


CASES: dict[str, tuple[Callable[[World], Any], str]] = {
    "Document": (lambda w: Document(text="x", metdata={"a": 1}), "metadata"),
    "Document text": (lambda w: Document(txt="x"), "text"),
    "TextNode": (lambda w: TextNode(text="x", embeding=[1.0]), "embedding"),
    "QueryBundle": (lambda w: QueryBundle("q", custom_embeding_strs=["q"]), "custom_embedding_strs"),
    "VectorStoreIndex": (lambda w: VectorStoreIndex(nodes=[], embed_modle=MockEmbedding(embed_dim=4)), "embed_model"),
    "from_documents": (lambda w: VectorStoreIndex.from_documents([], show_progres=True), "show_progress"),
    "as_query_engine": (lambda w: w.index.as_query_engine(similarity_topk=3), "similarity_top_k"),
    "as_query_engine mode": (lambda w: w.index.as_query_engine(respone_mode="compact"), "response_mode"),
    "as_retriever": (lambda w: w.index.as_retriever(similarity_topk=3), "similarity_top_k"),
    "as_chat_engine": (lambda w: w.index.as_chat_engine(chat_mod="context"), "chat_mode"),
    "StorageContext.from_defaults": (
        lambda w: StorageContext.from_defaults(persist_directory=str(w.persist_dir)),
        "persist_dir",
    ),
    "load_index_from_storage": (
        lambda w: load_index_from_storage(StorageContext.from_defaults(persist_dir=str(w.persist_dir)), index_idd="x"),
        "index_id",
    ),
    "load_index_from_storage model": (
        lambda w: load_index_from_storage(
            StorageContext.from_defaults(persist_dir=str(w.persist_dir)), embed_modle=MockEmbedding(embed_dim=4)
        ),
        "embed_model",
    ),
    "Settings": (lambda w: setattr(Settings, "chunk_sise", 512), "chunk_size"),
    "Settings embed model": (lambda w: setattr(Settings, "embed_modle", "mock:4"), "embed_model"),
    "SimpleDirectoryReader": (lambda w: SimpleDirectoryReader(input_dir=str(w.folder), recursve=True), "recursive"),
    "SimpleDirectoryReader.load_data": (
        lambda w: SimpleDirectoryReader(input_dir=str(w.folder)).load_data(num_worker=2),
        "num_workers",
    ),
    "SimpleDirectoryReader.lazy_load_data": (
        lambda w: SimpleDirectoryReader(input_dir=str(w.folder)).lazy_load_data(show_progres=True),
        "show_progress",
    ),
    "SimpleDirectoryReader.aload_data": (
        lambda w: asyncio.run(SimpleDirectoryReader(input_dir=str(w.folder)).aload_data(show_progres=True)),
        "show_progress",
    ),
    "SentenceSplitter": (lambda w: SentenceSplitter(chunk_sise=128), "chunk_size"),
    "TokenTextSplitter": (lambda w: TokenTextSplitter(chunk_overlp=8), "chunk_overlap"),
    "SentenceSplitter.from_defaults": (lambda w: SentenceSplitter.from_defaults(chunk_overlp=8), "chunk_overlap"),
    "get_nodes_from_documents": (
        lambda w: SentenceSplitter().get_nodes_from_documents([Document(text="x")], show_progres=True),
        "show_progress",
    ),
    "IngestionPipeline.run": (
        lambda w: IngestionPipeline(transformations=[SentenceSplitter()]).run(show_progres=True),
        "show_progress",
    ),
    "IngestionPipeline": (lambda w: IngestionPipeline(transformaions=[]), "transformations"),
    "IngestionPipeline.persist": (lambda w: IngestionPipeline().persist(persist_directory="x"), "persist_dir"),
    "StorageContext.persist": (
        lambda w: w.index.storage_context.persist(persist_directory=str(w.persist_dir)),
        "persist_dir",
    ),
    "from_vector_store": (
        lambda w: VectorStoreIndex.from_vector_store(w.index.vector_store, embed_modle=None),
        "embed_model",
    ),
    "RetrieverQueryEngine.from_args": (
        lambda w: RetrieverQueryEngine.from_args(w.index.as_retriever(), respone_mode="compact"),
        "response_mode",
    ),
    "ChatMemoryBuffer.from_defaults": (lambda w: ChatMemoryBuffer.from_defaults(token_limt=100), "token_limit"),
    "VectorIndexRetriever": (lambda w: VectorIndexRetriever(w.index, similarity_topk=3), "similarity_top_k"),
    "get_response_synthesizer": (lambda w: get_response_synthesizer(response_mod="compact"), "response_mode"),
    "synthesize": (
        lambda w: get_response_synthesizer().synthesize("q", w.nodes(), additional_source_node=w.nodes()),
        "additional_source_nodes",
    ),
    "asynthesize": (
        lambda w: asyncio.run(get_response_synthesizer().asynthesize("q", w.nodes(), additional_source_node=w.nodes())),
        "additional_source_nodes",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_misspelt_keyword_is_a_typed_error_naming_the_right_one(case: str, tmp_path: Path) -> None:
    call, meant = CASES[case]
    world = World(tmp_path)
    with pytest.raises((TypeError, AttributeError)) as info:
        call(world)
    assert f"did you mean {meant!r}" in str(info.value), str(info.value)


def test_settings_text_splitter_is_the_node_parser_as_in_llamaindex() -> None:
    splitter = SentenceSplitter(chunk_size=64, chunk_overlap=8)
    Settings.text_splitter = splitter
    assert Settings.node_parser is splitter
    assert Settings.transformations == [splitter]


def test_settings_context_window_and_num_output_set_the_prompt_budget() -> None:
    from dovetail.core.prompts import PromptTemplate
    from dovetail.core.response_synthesizers._packing import context_budget

    template = PromptTemplate("{context_str}{query_str}")
    llm = MockLLM()
    default = context_budget(llm, template)
    Settings.context_window = 1000
    Settings.num_output = 100
    assert context_budget(llm, template) == 1000 - 2 * 100
    Settings.num_output = 0
    assert context_budget(llm, template) == 1000
    Settings.context_window = None
    Settings.num_output = None
    assert context_budget(llm, template) == default


def test_a_smaller_settings_context_window_packs_fewer_chunks_per_llm_call(tmp_path: Path) -> None:
    nodes = [NodeWithScore(node=TextNode(text=f"sentence {i} " + "wood " * 60), score=1.0) for i in range(6)]
    synthesizer = get_response_synthesizer(response_mode="compact")
    wide = synthesizer.synthesize("q", nodes)
    Settings.context_window = 300
    Settings.num_output = 10
    narrow = synthesizer.synthesize("q", nodes)
    assert wide.metadata is not None
    assert narrow.metadata is not None
    assert wide.metadata["llm_calls"] == 1
    assert narrow.metadata["llm_calls"] > 1


@pytest.mark.parametrize("name", ["prompt_helper", "pydantic_program_mode"])
def test_llamaindex_settings_dovetail_lacks_say_what_to_do(name: str) -> None:
    with pytest.raises(AttributeError, match=rf"Settings has no '{name}' setting: "):
        setattr(Settings, name, None)


async def test_additional_source_nodes_are_listed_after_the_nodes_as_in_llamaindex(tmp_path: Path) -> None:
    world = World(tmp_path)
    extra = [NodeWithScore(node=TextNode(text="Pine is soft.", id_="pine"), score=0.5)]
    synthesizer = get_response_synthesizer()
    response = synthesizer.synthesize("q", world.nodes(), additional_source_nodes=extra)
    assert [hit.node.get_content() for hit in response.source_nodes] == ["Oak is a hard wood.", "Pine is soft."]
    aresponse = await synthesizer.asynthesize("q", world.nodes(), additional_source_nodes=extra)
    assert [hit.node.node_id for hit in aresponse.source_nodes][-1] == "pine"


def test_simple_directory_reader_resource_methods_take_no_stray_arguments(tmp_path: Path) -> None:
    world = World(tmp_path)
    reader = SimpleDirectoryReader(input_dir=str(world.folder))
    (path,) = reader.list_resources()
    assert reader.load_resource(path)[0].text == "Oak is a hard wood."
    with pytest.raises(TypeError, match="list_resources"):
        reader.list_resources(recursive=True)
    with pytest.raises(TypeError, match="positional"):
        reader.load_resource(path, "extra")
    with pytest.raises(InvalidInputError, match="local file system only"):
        reader.load_data(fs=object())
    with pytest.raises(InvalidInputError, match="local file system only"):
        reader.lazy_load_data(fs=object())
    assert [doc.text for doc in reader.load_data(fs=None)] == ["Oak is a hard wood."]
    assert [doc.text for doc in reader.lazy_load_data(show_progress=True, fs=None)] == ["Oak is a hard wood."]
