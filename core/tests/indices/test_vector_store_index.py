"""VectorStoreIndex end to end in process: build, retrieve, answer (extractive and with an LLM), persist, reload."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from dovetail.core import Settings
from dovetail.core import StorageContext
from dovetail.core import VectorStoreIndex
from dovetail.core import load_index_from_storage
from dovetail.core.callbacks import BaseCallbackHandler
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.llms import MockLLM
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.response_synthesizers import AsyncStreamingResponse
from dovetail.core.response_synthesizers import Response
from dovetail.core.response_synthesizers import StreamingResponse
from dovetail.core.schema import Document
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import MetadataFilters

CORPUS = {
    "dovetail.md": "A dovetail joint has pins and tails. It resists being pulled apart. Drawers use it.",
    "mortise.md": "A mortise is a hole cut in the rail. The tenon is glued into the mortise. It is very strong.",
    "biscuit.md": "A biscuit joint uses a thin oval wafer. The wafer swells with glue. Biscuits align panels.",
}


def documents(corpus: dict[str, str] = CORPUS) -> list[Document]:
    return [
        Document(
            id_=name,
            text=text,
            metadata={"file_name": name},
            excluded_embed_metadata_keys=["file_name"],
            excluded_llm_metadata_keys=["file_name"],
        )
        for name, text in corpus.items()
    ]


def build(**kwargs: Any) -> VectorStoreIndex:
    kwargs.setdefault("embed_model", MockEmbedding(embed_dim=16))
    kwargs.setdefault("transformations", [SentenceSplitter(chunk_size=12, chunk_overlap=0)])
    return VectorStoreIndex.from_documents(documents(), **kwargs)


class Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        super().__init__([], [])
        self.events: list[tuple[str, CBEventType]] = []
        self.traces: list[str] = []

    def on_event_start(
        self, event_type: CBEventType, payload: Any = None, event_id: str = "", parent_id: str = "", **kwargs: Any
    ) -> str:
        self.events.append(("start", event_type))
        return event_id

    def on_event_end(self, event_type: CBEventType, payload: Any = None, event_id: str = "", **kwargs: Any) -> None:
        self.events.append(("end", event_type))

    def start_trace(self, trace_id: str | None = None) -> None:
        self.traces.append(f"start:{trace_id}")

    def end_trace(self, trace_id: str | None = None, trace_map: dict[str, list[str]] | None = None) -> None:
        self.traces.append(f"end:{trace_id}")


def test_retrieval_finds_the_chunk_equal_to_the_query() -> None:
    index = build()
    target = "The tenon is glued into the mortise."
    hits = index.as_retriever(similarity_top_k=2).retrieve(target)
    assert len(hits) == 2
    assert hits[0].node.get_content() == target  # MockEmbedding: identical text → cosine 1
    assert hits[0].node.ref_doc_id == "mortise.md"
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert hits[1].score is not None
    assert hits[1].score < 0.9


def test_extractive_answer_quotes_matching_sentences_with_sources() -> None:
    index = build()
    response = index.as_query_engine(similarity_top_k=9).query("Which wafer swells with glue?")
    assert isinstance(response, Response)
    assert response.metadata is not None
    assert response.metadata["mode"] == "extractive"
    assert "The wafer swells with glue." in str(response)
    cited = {s["source"] for s in response.metadata["sentences"]}
    assert all(1 <= n <= len(response.source_nodes) for n in cited)
    assert "Doc id:" in response.get_formatted_sources()


def test_llm_modes_call_the_model_as_configured() -> None:
    recorder = Recorder()
    index = build(callback_manager=CallbackManager([recorder]))
    llm = MockLLM(callback_manager=CallbackManager([recorder]))
    refine = index.as_query_engine(similarity_top_k=3, llm=llm, response_mode="refine").query("glue?")
    assert refine.metadata == {"mode": "refine", "llm_calls": 3}
    assert "glue?" in str(refine)  # MockLLM echoes the prompt, which holds the question
    compact = index.as_query_engine(similarity_top_k=3, llm=llm, response_mode="compact").query("glue?")
    assert compact.metadata == {"mode": "compactandrefine", "llm_calls": 1}
    llm_events = [e for e in recorder.events if e == ("start", CBEventType.LLM)]
    assert len(llm_events) == 4


def test_streaming_gives_the_same_text_as_a_plain_answer() -> None:
    index = build()
    llm = MockLLM()
    plain = index.as_query_engine(similarity_top_k=2, llm=llm).query("pins and tails")
    streamed = index.as_query_engine(similarity_top_k=2, llm=llm, streaming=True).query("pins and tails")
    assert isinstance(streamed, StreamingResponse)
    pieces = list(streamed.response_gen)
    assert len(pieces) > 1
    assert "".join(pieces) == str(plain)
    extractive = index.as_query_engine(similarity_top_k=2, streaming=True).query("pins and tails")
    assert isinstance(extractive, StreamingResponse)
    assert "".join(extractive.response_gen)


def test_one_trace_per_query_with_query_retrieve_synthesize_events() -> None:
    recorder = Recorder()
    index = build(callback_manager=CallbackManager([recorder]))
    index.as_query_engine().query("pins")
    starts = [e for kind, e in recorder.events if kind == "start"]
    assert starts[:3] == [CBEventType.QUERY, CBEventType.RETRIEVE, CBEventType.SYNTHESIZE]
    assert recorder.traces == ["start:query", "end:query"]


async def test_async_query_matches_sync() -> None:
    index = build()
    engine = index.as_query_engine(similarity_top_k=2)
    sync = engine.query("The wafer swells with glue.")
    result = await engine.aquery("The wafer swells with glue.")
    assert str(result) == str(sync)
    assert [n.node_id for n in result.source_nodes] == [n.node_id for n in sync.source_nodes]


def test_persist_and_reload_gives_the_same_answers(tmp_path: Path) -> None:
    index = build()
    question = "A mortise is a hole cut in the rail."
    before = index.as_query_engine(similarity_top_k=2).query(question)
    index.storage_context.persist(tmp_path / "index")

    Settings.reset()  # the reloaded index must find its embedding model in the index record
    loaded = load_index_from_storage(StorageContext.from_defaults(persist_dir=tmp_path / "index"))
    assert loaded.index_struct.extra["embed_model"]["spec"] == "mock:16"
    after = loaded.as_query_engine(similarity_top_k=2).query(question)
    assert str(after) == str(before)
    assert [(n.node_id, n.score) for n in after.source_nodes] == [(n.node_id, n.score) for n in before.source_nodes]
    assert set(loaded.ref_doc_info) == set(CORPUS)


def test_insert_delete_refresh() -> None:
    index = build()
    store = index.vector_store
    count = len(store.get_nodes())
    index.insert(Document(id_="finger.md", text="Finger joints interlock square fingers.", metadata={}))
    assert {n.ref_doc_id for n in store.get_nodes()} == {*CORPUS, "finger.md"}

    index.delete_ref_doc("finger.md")
    assert len(store.get_nodes()) == count
    assert "finger.md" not in index.ref_doc_info

    changed = {**CORPUS, "biscuit.md": "Biscuits are rarely used now."}
    assert index.refresh_ref_docs(documents(changed)) == [False, False, True]
    texts = [n.get_content() for n in store.get_nodes() if n.ref_doc_id == "biscuit.md"]
    assert texts == ["Biscuits are rarely used now."]

    node = TextNode(id_="manual", text="A hand-made node.")
    index.insert_nodes([node])
    assert "manual" in {n.node_id for n in store.get_nodes()}
    with pytest.raises(InvalidInputError):
        index.insert_nodes(["not a node"])  # type: ignore[list-item]


def test_filters_restrict_retrieval() -> None:
    index = build()
    filters = MetadataFilters.from_dicts([{"key": "file_name", "value": "biscuit.md"}])
    hits = index.as_retriever(similarity_top_k=5, filters=filters).retrieve("joint")
    assert hits
    assert {h.node.ref_doc_id for h in hits} == {"biscuit.md"}


def test_bad_queries_and_options_are_typed_errors(tmp_path: Path) -> None:
    index = build()
    with pytest.raises(InvalidInputError, match="empty"):
        index.as_retriever().retrieve("   ")
    with pytest.raises(InvalidInputError, match="similarity_top_k"):
        index.as_retriever(similarity_top_k=0)
    with pytest.raises(InvalidInputError, match="response_mode"):
        index.as_query_engine(response_mode="poetic")
    with pytest.raises(NotFoundError):
        load_index_from_storage(StorageContext.from_defaults(), index_id="nope")


def test_settings_resolution_strings() -> None:
    Settings.llm = "mock"
    assert isinstance(Settings.llm, MockLLM)
    Settings.llm = "none"
    assert Settings.llm is None
    Settings.embed_model = "mock:12"
    assert isinstance(Settings.embed_model, MockEmbedding)
    assert Settings.embed_model.embed_dim == 12
    with pytest.raises(ConfigurationError, match="pip install dovetail-llms-nosuch"):
        Settings.llm = "nosuch:model"
    with pytest.raises(InvalidInputError):
        Settings.embed_model = 3.5


def test_default_embed_model_is_the_local_onnx_one_or_says_how_to_get_it() -> None:
    if importlib.util.find_spec("dovetail.embeddings.onnx") is None:
        with pytest.raises(ConfigurationError, match="pip install dovetail-embeddings-onnx"):
            _ = Settings.embed_model
    else:
        assert type(Settings.embed_model).__module__.startswith("dovetail.embeddings.onnx")


def test_no_llm_means_no_llm_call_even_with_a_configured_synthesizer_mode() -> None:
    index = build()
    response = index.as_query_engine(response_mode="refine").query("pins")
    assert response.metadata is not None
    assert response.metadata["mode"] == "extractive"


def test_from_vector_store_queries_an_existing_store() -> None:
    built = build()
    index = VectorStoreIndex.from_vector_store(built.vector_store, embed_model=MockEmbedding(embed_dim=16))
    hits = index.as_retriever(similarity_top_k=1).retrieve("A biscuit joint uses a thin oval wafer.")
    assert hits[0].node.get_content() == "A biscuit joint uses a thin oval wafer."


async def test_async_streaming_with_an_llm() -> None:
    index = build()
    engine = index.as_query_engine(similarity_top_k=2, llm=MockLLM(), streaming=True, response_mode="refine")
    streamed = await engine.aquery("pins and tails")
    assert isinstance(streamed, AsyncStreamingResponse)
    pieces = [piece async for piece in streamed.async_response_gen()]
    plain = await index.as_query_engine(similarity_top_k=2, llm=MockLLM(), response_mode="refine").aquery(
        "pins and tails"
    )
    assert "".join(pieces) == str(plain)
    assert streamed.response_txt == str(plain)


async def test_retrieving_leaves_the_callers_bundle_untouched() -> None:
    from dovetail.core.schema import QueryBundle

    target = "The tenon is glued into the mortise."
    bundle = QueryBundle(query_str=target)
    small, large = build(), build(embed_model=MockEmbedding(embed_dim=32))
    first = small.as_retriever(similarity_top_k=1).retrieve(bundle)
    assert bundle.embedding is None
    # the same bundle on an index with another model: embedded afresh, not with the first model's 16-d vector
    second = await large.as_retriever(similarity_top_k=1).aretrieve(bundle)
    assert bundle.embedding is None
    assert first[0].node.get_content() == second[0].node.get_content() == target


@pytest.mark.parametrize("query", [42, None, ["what", "is"]])
def test_every_query_entry_point_refuses_what_is_not_a_str_or_bundle(query: Any) -> None:
    from dovetail.core.response_synthesizers import get_response_synthesizer

    index = build()
    with pytest.raises(InvalidInputError, match="a query must be a str or a QueryBundle"):
        index.as_retriever().retrieve(query)
    with pytest.raises(InvalidInputError, match="a query must be a str or a QueryBundle"):
        index.as_query_engine().query(query)
    with pytest.raises(InvalidInputError, match="a query must be a str or a QueryBundle"):
        get_response_synthesizer().synthesize(query, nodes=[])
