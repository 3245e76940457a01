"""VectorStoreIndex behaves as LlamaIndex documents it: docstore contents, deletes, async twins, keywords, pickling."""

from __future__ import annotations

import pickle

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.llms import MockLLM
from dovetail.core.node_parser import NodeParser
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.prompts import PromptTemplate
from dovetail.core.response_synthesizers import Response
from dovetail.core.response_synthesizers import StreamingResponse
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.core.storage import StorageContext
from dovetail.core.vector_stores import FilterOperator
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import SimpleVectorStore

from ._stores import TextKeepingStore

TEXTS = {
    "oak": "Oak is a hard wood. It is used for floors. Oak darkens with age.",
    "pine": "Pine is a soft wood. It is cheap and light. Pine dents easily.",
    "teak": "Teak is an oily wood. It resists water. Boats use teak decks.",
}


def docs() -> list[Document]:
    return [Document(id_=name, text=text, metadata={"wood": name}) for name, text in TEXTS.items()]


def build(storage_context: StorageContext | None = None, store_nodes_override: bool = False) -> VectorStoreIndex:
    return VectorStoreIndex.from_documents(
        docs(),
        storage_context=storage_context,
        embed_model=MockEmbedding(embed_dim=8),
        transformations=[SentenceSplitter(chunk_size=12, chunk_overlap=0)],
        store_nodes_override=store_nodes_override,
    )


def test_default_index_keeps_nodes_in_docstore_without_embeddings() -> None:
    index = build()
    stored = index.docstore.docs
    assert isinstance(index.vector_store, SimpleVectorStore)
    assert len(stored) == len(index.vector_store) > 3
    assert all(node.embedding is None for node in stored.values())
    assert {node.ref_doc_id for node in stored.values()} == set(TEXTS)
    for doc_id, info in index.ref_doc_info.items():
        assert all(stored[node_id].ref_doc_id == doc_id for node_id in info.node_ids)


def test_text_keeping_store_leaves_docstore_empty_unless_overridden() -> None:
    plain = build(storage_context=StorageContext.from_defaults(vector_store=TextKeepingStore()))
    assert plain.docstore.docs == {}
    assert set(plain.ref_doc_info) == set(TEXTS)
    kept = build(
        storage_context=StorageContext.from_defaults(vector_store=TextKeepingStore()), store_nodes_override=True
    )
    assert len(kept.docstore.docs) == len(kept.vector_store.get_nodes())


def test_deleting_last_node_removes_ref_doc_entry_and_hash() -> None:
    index = build()
    node_ids = list(index.ref_doc_info["oak"].node_ids)
    index.delete_nodes(node_ids[:-1])
    assert index.ref_doc_info["oak"].node_ids == node_ids[-1:]
    index.delete_nodes(node_ids[-1:])
    assert "oak" not in index.ref_doc_info
    assert index.docstore.get_document_hash("oak") is None
    assert index.refresh_ref_docs(docs()) == [True, False, False]  # the document can come back
    assert len(index.ref_doc_info["oak"].node_ids) == len(node_ids)


def test_last_node_of_text_keeping_store_also_clears_entry() -> None:
    index = build(storage_context=StorageContext.from_defaults(vector_store=TextKeepingStore()))
    index.delete_nodes(list(index.ref_doc_info["pine"].node_ids))
    assert "pine" not in index.ref_doc_info


def test_delete_from_docstore_is_honoured() -> None:
    index = build()
    oak_nodes = list(index.ref_doc_info["oak"].node_ids)
    index.delete_ref_doc("oak", delete_from_docstore=False)
    assert index.vector_store.get_nodes(node_ids=oak_nodes) == []
    assert index.ref_doc_info["oak"].node_ids == oak_nodes
    assert index.docstore.get_node(oak_nodes[0], raise_error=False) is not None
    index.delete_ref_doc("pine", delete_from_docstore=True)
    assert "pine" not in index.ref_doc_info
    pine_left = [n for n in index.docstore.docs.values() if n.ref_doc_id == "pine"]
    assert pine_left == []


def test_delete_nodes_can_keep_docstore() -> None:
    index = build()
    first = index.ref_doc_info["teak"].node_ids[0]
    index.delete_nodes([first], delete_from_docstore=False)
    assert first in index.ref_doc_info["teak"].node_ids
    assert index.vector_store.get_nodes(node_ids=[first]) == []


def test_update_ref_doc_replaces_nodes() -> None:
    index = build()
    index.update_ref_doc(Document(id_="oak", text="Oak was replaced by walnut.", metadata={"wood": "oak"}))
    texts = [n.get_content() for n in index.docstore.docs.values() if n.ref_doc_id == "oak"]
    assert texts == ["Oak was replaced by walnut."]
    hits = index.as_retriever(similarity_top_k=10).retrieve("walnut")
    assert any("walnut" in hit.get_content() for hit in hits)
    with pytest.raises(TypeError, match="delete_kwargs"):
        index.update_ref_doc(docs()[0], delete_kwarg={})


async def test_async_twins() -> None:
    index = build()
    await index.ainsert(Document(id_="ash", text="Ash bends well under steam.", metadata={"wood": "ash"}))
    assert "ash" in index.ref_doc_info
    await index.aupdate_ref_doc(Document(id_="ash", text="Ash makes good tool handles."))
    assert [n.get_content() for n in index.docstore.docs.values() if n.ref_doc_id == "ash"] == [
        "Ash makes good tool handles."
    ]
    changed = await index.arefresh_ref_docs([*docs(), Document(id_="elm", text="Elm resists splitting.")])
    assert changed == [False, False, False, True]
    await index.adelete_ref_doc("elm")
    assert "elm" not in index.ref_doc_info
    assert all(n.ref_doc_id != "elm" for n in index.docstore.docs.values())


def test_unknown_keywords_raise_type_error_naming_closest() -> None:
    index = build()
    with pytest.raises(TypeError, match="'similarity_top_k'"):
        index.as_query_engine(similarity_topk=5)
    with pytest.raises(TypeError, match="'similarity_top_k'"):
        index.as_retriever(similarity_topk=5)
    with pytest.raises(TypeError, match="response_mode"):
        index.as_query_engine(respons_mode="compact")
    with pytest.raises(TypeError):
        VectorStoreIndex.from_documents(
            docs(),
            embed_model=MockEmbedding(embed_dim=8),
            use_asyn=True,  # type: ignore[call-arg]  # the misspelling under test
        )


class Keep:
    """A node postprocessor keeping the nodes of one wood."""

    def __init__(self, wood: str) -> None:
        self.wood = wood
        self.calls = 0

    def postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        self.calls += 1
        return [n for n in nodes if n.node.metadata["wood"] == self.wood]


async def test_documented_query_engine_keywords_work() -> None:
    index = build()
    qa = PromptTemplate("MARKER-QA {context_str} || {query_str}")
    keep = Keep("teak")
    engine = index.as_query_engine(
        llm=MockLLM(),
        similarity_top_k=6,
        filters=MetadataFilters(filters=[MetadataFilter(key="wood", value="pine", operator=FilterOperator.NE)]),
        vector_store_query_mode="default",
        response_mode="compact",
        text_qa_template=qa,
        node_postprocessors=[keep],
    )
    response = engine.query("Which wood resists water?")
    assert str(response).startswith("MARKER-QA")
    assert response.source_nodes
    assert all(n.node.metadata["wood"] == "teak" for n in response.source_nodes)
    assert keep.calls == 1
    response = await engine.aquery("Which wood resists water?")
    assert keep.calls == 2
    assert all(n.node.metadata["wood"] == "teak" for n in response.source_nodes)

    one = index.as_query_engine(llm=MockLLM(), similarity_top_k=1, response_mode="no_text").query("oak")
    assert isinstance(one, Response)
    assert one.response == ""
    assert len(one.source_nodes) == 1
    streamed = index.as_query_engine(llm=MockLLM(), streaming=True, response_mode="refine").query("teak")
    assert isinstance(streamed, StreamingResponse)
    assert "".join(streamed.response_gen)


def test_pickling_round_trip_and_clear_error_for_remote_store() -> None:
    index = build()
    again = pickle.loads(pickle.dumps(index))
    assert isinstance(again, VectorStoreIndex)
    assert again.ref_doc_info.keys() == index.ref_doc_info.keys()
    query = "Which wood resists water?"
    assert [h.node_id for h in again.as_retriever().retrieve(query)] == [
        h.node_id for h in index.as_retriever().retrieve(query)
    ]
    remote = build(storage_context=StorageContext.from_defaults(vector_store=TextKeepingStore()))
    with pytest.raises(InvalidInputError, match="cannot pickle VectorStoreIndex"):
        pickle.dumps(remote)


class LineParser(NodeParser):
    """A custom parser: one node per line, built without metadata or offsets."""

    def _parse_nodes(self, nodes: list[BaseNode], show_progress: bool = False) -> list[BaseNode]:
        out: list[BaseNode] = []
        for node in nodes:
            for line in node.get_content().splitlines():
                child = TextNode(text=line, metadata={"kind": "line"})
                child.relationships[NodeRelationship.SOURCE] = node.as_related_node_info()
                out.append(child)
        return out


def test_custom_parse_nodes_keeps_parent_metadata_and_offsets() -> None:
    doc = Document(id_="d", text="first line\nsecond line", metadata={"source": "notes.txt", "kind": "doc"})
    nodes = LineParser().get_nodes_from_documents([doc])
    assert [n.metadata for n in nodes] == [{"source": "notes.txt", "kind": "line"}] * 2
    for node in nodes:
        assert isinstance(node, TextNode)
        assert doc.text[node.start_char_idx : node.end_char_idx] == node.text
    previous = nodes[1].relationships[NodeRelationship.PREVIOUS]
    assert isinstance(previous, RelatedNodeInfo)
    assert previous.node_id == nodes[0].node_id
    bare = LineParser(include_metadata=False).get_nodes_from_documents([doc])
    assert bare[0].metadata == {"kind": "line"}
