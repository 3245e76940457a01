"""SummaryIndex as LlamaIndex documents it: every node retrieved, tree_summarize by default, same storage."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.indices import SummaryIndex
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.indices import load_index_from_storage
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.response_synthesizers import TreeSummarize
from dovetail.core.schema import Document
from dovetail.core.storage import StorageContext

from ._llm import RecordingLLM

DOCS = {
    "a": "Alder is light. It is used for guitar bodies. Alder takes stain badly.",
    "b": "Beech is hard and pale. It is used for tool handles and bentwood chairs.",
    "c": "Cherry darkens in sunlight. It is a classic cabinet wood.",
}


def documents() -> list[Document]:
    return [Document(id_=k, text=v) for k, v in DOCS.items()]


def build() -> SummaryIndex:
    return SummaryIndex.from_documents(documents(), transformations=[SentenceSplitter(chunk_size=12, chunk_overlap=0)])


def test_default_retriever_returns_every_node_in_order() -> None:
    index = build()
    hits = index.as_retriever().retrieve("anything at all")
    assert [h.node_id for h in hits] == index.node_ids
    assert len(hits) == len(index.docstore.docs) > 3
    assert [h.node.ref_doc_id for h in hits] == sorted(h.node.ref_doc_id or "" for h in hits)
    assert all(h.score is None for h in hits)


def test_query_engine_defaults_to_tree_summarize_over_all_nodes() -> None:
    llm = RecordingLLM()
    engine = build().as_query_engine(llm=llm)
    assert isinstance(engine.response_synthesizer, TreeSummarize)
    response = engine.query("What woods are there?")
    assert all(word in llm.prompts[-1] for word in ("Alder", "Beech", "Cherry"))
    assert str(response) == f"answer {len(llm.prompts)}"
    refine = build().as_query_engine(llm=RecordingLLM(), response_mode="refine")
    assert type(refine.response_synthesizer).__name__ == "Refine"


def test_embedding_mode_picks_closest() -> None:
    index = SummaryIndex.from_documents(documents(), embed_model=MockEmbedding(embed_dim=8))
    hits = index.as_retriever(retriever_mode="embedding", similarity_top_k=2).retrieve("cherry cabinet")
    assert len(hits) == 2
    assert hits[0].score is not None
    assert hits[0].score >= (hits[1].score or 0)
    with pytest.raises(InvalidInputError, match="embedding"):
        index.as_retriever(retriever_mode="llm")
    with pytest.raises(TypeError, match="similarity_top_k"):
        index.as_retriever(similarity_topk=2)


def test_insert_delete_refresh_keep_node_list_true() -> None:
    index = build()
    index.insert(Document(id_="d", text="Douglas fir is strong and straight."))
    assert index.node_ids[-1] in index.ref_doc_info["d"].node_ids
    index.delete_ref_doc("a")
    assert "a" not in index.ref_doc_info
    assert all(index.docstore.get_node(i).ref_doc_id != "a" for i in index.node_ids)
    changed = index.refresh_ref_docs([Document(id_="b", text="Beech was edited."), *documents()[2:]])
    assert changed == [True, False]
    texts = [index.docstore.get_node(i).get_content() for i in index.node_ids]
    assert "Beech was edited." in texts
    assert not any("tool handles" in t for t in texts)


def test_persist_and_load_with_vector_index_in_same_storage(tmp_path: Path) -> None:
    storage = StorageContext.from_defaults()
    summary = SummaryIndex.from_documents(documents(), storage_context=storage)
    vector = VectorStoreIndex.from_documents(
        documents(), storage_context=storage, embed_model=MockEmbedding(embed_dim=8)
    )
    storage.persist(tmp_path)
    loaded = StorageContext.from_defaults(persist_dir=tmp_path)
    again = load_index_from_storage(loaded, index_id=summary.index_id)
    assert isinstance(again, SummaryIndex)
    assert [h.node_id for h in again.as_retriever().retrieve("q")] == summary.node_ids
    assert isinstance(load_index_from_storage(loaded, index_id=vector.index_id), VectorStoreIndex)
    unpickled = pickle.loads(pickle.dumps(summary))
    assert unpickled.node_ids == summary.node_ids


async def test_chat_engine_and_async_insert() -> None:
    index = build()
    await index.ainsert(Document(id_="e", text="Elm has interlocking grain."))
    assert "e" in index.ref_doc_info
    llm = RecordingLLM()
    reply = index.as_chat_engine(chat_mode="context", llm=llm).chat("Which wood has interlocking grain?")
    assert "Elm has interlocking grain." in llm.prompts[0]
    assert len(reply.source_nodes) == len(index.node_ids)
