"""LlamaIndex's hybrid-search pattern works on a default index: BM25 reads the nodes from ``index.docstore``."""

from __future__ import annotations

from dovetail.core import Document
from dovetail.core import MockEmbedding
from dovetail.core import VectorStoreIndex
from dovetail.retrievers.bm25 import BM25Retriever


def test_bm25_from_a_default_vector_index_sees_every_node() -> None:
    documents = [
        Document(text="Oak is a hard wood for floors.", doc_id="oak"),
        Document(text="Pine is a soft wood for framing.", doc_id="pine"),
        Document(text="Teak resists water on boat decks.", doc_id="teak"),
    ]
    index = VectorStoreIndex.from_documents(documents, embed_model=MockEmbedding(embed_dim=8))
    retriever = BM25Retriever.from_defaults(index=index, similarity_top_k=1)
    assert [hit.node.ref_doc_id for hit in retriever.retrieve("boat decks and water")] == ["teak"]
    index.delete_ref_doc("teak")
    rebuilt = BM25Retriever.from_defaults(index=index, similarity_top_k=3)
    assert "teak" not in {hit.node.ref_doc_id for hit in rebuilt.retrieve("boat decks and water")}
