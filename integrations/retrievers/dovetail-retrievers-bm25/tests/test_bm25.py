"""BM25Retriever on real bm25s: scores against the BM25 formula, filters, persistence, staying in step with a
docstore, hybrid fusion with a vector index, async, and bad input."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from dovetail.core import VectorStoreIndex
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.retrievers import QueryFusionRetriever
from dovetail.core.schema import Document
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.core.storage.docstore import SimpleDocumentStore
from dovetail.core.vector_stores import FilterOperator
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.retrievers.bm25 import BM25Retriever

TEXTS = {
    "n1": "walnut dovetail drawer walnut",
    "n2": "oak mortise tenon",
    "n3": "error code ERR_42 disk full",
    "n4": "walnut tabletop buttons",
}


def make_nodes() -> list[TextNode]:
    return [
        TextNode(
            id_=ident,
            text=text,
            metadata={"wood": text.split()[0], "rank": position},
            excluded_embed_metadata_keys=["wood", "rank"],
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=f"doc-{position % 2}")},
        )
        for position, (ident, text) in enumerate(TEXTS.items())
    ]


def lucene_bm25(query: list[str], docs: dict[str, list[str]], k1: float = 1.5, b: float = 0.75) -> dict[str, float]:
    n = len(docs)
    avgdl = sum(len(d) for d in docs.values()) / n
    scores = {}
    for ident, words in docs.items():
        tf = Counter(words)
        total = 0.0
        for term in query:
            df = sum(term in d for d in docs.values())
            if not tf[term]:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            # Lucene's BM25 (Lucene >= 8, and bm25s's default): no (k1 + 1) factor in the numerator
            total += idf * tf[term] / (tf[term] + k1 * (1 - b + b * len(words) / avgdl))
        scores[ident] = total
    return scores


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.node.node_id for h in hits]


def test_scores_follow_the_bm25_formula() -> None:
    retriever = BM25Retriever.from_defaults(nodes=make_nodes(), similarity_top_k=4, skip_stemming=True)
    hits = retriever.retrieve("walnut tenon")
    expected = lucene_bm25(["walnut", "tenon"], {k: v.lower().split() for k, v in TEXTS.items()})
    assert ids(hits) == sorted((k for k, v in expected.items() if v > 0), key=lambda k: -expected[k])
    assert "n3" not in ids(hits)  # shares no term: not returned
    for hit in hits:
        assert hit.score == pytest.approx(expected[hit.node.node_id], rel=1e-5)


def test_exact_terms_and_stemming() -> None:
    retriever = BM25Retriever.from_defaults(nodes=make_nodes(), similarity_top_k=2)
    assert ids(retriever.retrieve("ERR_42")) == ["n3"]
    assert ids(retriever.retrieve("drawers"))[0] == "n1"  # stemmed to "drawer"
    assert retriever.retrieve("the of and") == []  # only stop words
    assert retriever.retrieve("zebra") == []


def test_filters_restrict_the_candidates() -> None:
    walnut = MetadataFilters(filters=[MetadataFilter(key="wood", value="walnut")])
    retriever = BM25Retriever.from_defaults(nodes=make_nodes(), similarity_top_k=4, filters=walnut)
    assert sorted(ids(retriever.retrieve("walnut oak"))) == ["n1", "n4"]
    late = MetadataFilters(filters=[MetadataFilter(key="rank", value=2, operator=FilterOperator.GTE)])
    assert ids(BM25Retriever.from_defaults(nodes=make_nodes(), filters=late).retrieve("walnut")) == ["n4"]
    none = MetadataFilters(filters=[MetadataFilter(key="wood", value="teak")])
    assert BM25Retriever.from_defaults(nodes=make_nodes(), filters=none).retrieve("walnut") == []
    with pytest.raises(InvalidInputError):
        BM25Retriever.from_defaults(
            nodes=make_nodes(), filters=MetadataFilters(filters=[MetadataFilter(key="rank", value=1, operator="in")])
        ).retrieve("walnut")


def test_persist_round_trip_without_pickle(tmp_path: Path) -> None:
    retriever = BM25Retriever.from_defaults(nodes=make_nodes(), similarity_top_k=3, language="english")
    before = [(h.node.node_id, h.score) for h in retriever.retrieve("walnut drawer")]
    retriever.persist(tmp_path / "bm25")
    for array in (tmp_path / "bm25" / "bm25").glob("*.npy"):
        np.load(array, allow_pickle=False)  # raises if anything was pickled
    loaded = BM25Retriever.from_persist_dir(tmp_path / "bm25")
    assert [(h.node.node_id, h.score) for h in loaded.retrieve("walnut drawer")] == before
    assert loaded.retrieve("walnut drawer")[0].node.ref_doc_id == "doc-0"
    assert BM25Retriever.from_persist_dir(tmp_path / "bm25", similarity_top_k=1).similarity_top_k == 1

    retriever.add_nodes([TextNode(id_="n5", text="cherry chest")])
    retriever.persist(tmp_path / "bm25")  # replaced in place
    assert ids(BM25Retriever.from_persist_dir(tmp_path / "bm25").retrieve("cherry")) == ["n5"]
    assert [p.name for p in tmp_path.iterdir()] == ["bm25"]  # no staging folders left behind


def test_damaged_or_foreign_folders_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        BM25Retriever.from_persist_dir(tmp_path / "nothing")
    folder = tmp_path / "bm25"
    BM25Retriever.from_defaults(nodes=make_nodes()).persist(folder)
    settings = json.loads((folder / "retriever.json").read_text())
    damages: list[tuple[dict[str, Any], str]] = [
        ({"format_version": 99}, "format version"),
        ({"node_count": 3}, "holds 4 nodes"),
        ({"k1": "high"}, "'k1'"),
        ({"kind": "other"}, "not a BM25 retriever"),
    ]
    for change, fragment in damages:
        (folder / "retriever.json").write_text(json.dumps({**settings, **change}))
        with pytest.raises(InvalidInputError, match=fragment):
            BM25Retriever.from_persist_dir(folder)
    (folder / "retriever.json").write_text(json.dumps(settings))
    (folder / "nodes.jsonl").write_text("{broken\n")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        BM25Retriever.from_persist_dir(folder)


def test_a_custom_stemmer_must_be_given_again(tmp_path: Path) -> None:
    def crude(words: list[str]) -> list[str]:
        return [w.rstrip("s") for w in words]

    retriever = BM25Retriever.from_defaults(nodes=make_nodes(), stemmer=crude)
    retriever.persist(tmp_path / "bm25")
    with pytest.raises(InvalidInputError, match="custom stemmer"):
        BM25Retriever.from_persist_dir(tmp_path / "bm25")
    assert ids(BM25Retriever.from_persist_dir(tmp_path / "bm25", stemmer=crude).retrieve("buttons")) == ["n4"]


def test_follows_a_docstore_through_adds_updates_and_deletes() -> None:
    docstore = SimpleDocumentStore()
    docstore.add_documents(make_nodes())
    retriever = BM25Retriever.from_defaults(docstore=docstore, similarity_top_k=5)
    assert ids(retriever.retrieve("walnut")) == ["n1", "n4"]
    docstore.add_documents([TextNode(id_="n9", text="walnut veneer")])
    assert "n9" in ids(retriever.retrieve("walnut"))
    docstore.delete_document("n1")
    assert "n1" not in ids(retriever.retrieve("walnut"))
    with pytest.raises(InvalidInputError, match="follows a docstore"):
        retriever.add_nodes([TextNode(text="x")])


def test_from_index_uses_its_docstore() -> None:
    nodes = make_nodes()
    index = VectorStoreIndex(nodes=nodes, embed_model=MockEmbedding(embed_dim=8))
    index.docstore.add_documents(nodes)
    retriever = BM25Retriever.from_defaults(index=index, similarity_top_k=2)
    assert ids(retriever.retrieve("ERR_42")) == ["n3"]
    with pytest.raises(InvalidInputError, match="exactly one"):
        BM25Retriever.from_defaults(index=index, nodes=nodes)
    with pytest.raises(InvalidInputError, match="exactly one"):
        BM25Retriever.from_defaults()


def test_list_mode_edits_take_effect_on_the_next_query() -> None:
    retriever = BM25Retriever.from_defaults(nodes=make_nodes(), similarity_top_k=5)
    retriever.delete_nodes(["n1"])
    assert ids(retriever.retrieve("walnut")) == ["n4"]
    retriever.delete_ref_doc("doc-1")  # n2 and n4
    assert retriever.retrieve("walnut") == []
    retriever.add_nodes([TextNode(id_="n3", text="ERR_43 replaced")])
    assert ids(retriever.retrieve("ERR_43")) == ["n3"]
    assert retriever.retrieve("ERR_42") == []
    with pytest.raises(InvalidInputError):
        retriever.delete_nodes("n3")  # a bare string, not a list of ids


async def test_async_retrieval_matches_sync() -> None:
    retriever = BM25Retriever.from_defaults(nodes=make_nodes(), similarity_top_k=3)
    assert ids(await retriever.aretrieve("walnut tenon")) == ids(retriever.retrieve("walnut tenon"))


def test_hybrid_finds_exact_terms_the_dense_side_misses() -> None:
    documents = [Document(id_=f"d{i}", text=f"general woodworking advice number {i}") for i in range(20)]
    documents.append(Document(id_="target", text="fault code ERR_42 means the glue pot is empty"))
    index = VectorStoreIndex.from_documents(documents, embed_model=MockEmbedding(embed_dim=16))
    nodes = list(index.vector_store.get_nodes())
    dense = index.as_retriever(similarity_top_k=3)
    hybrid = QueryFusionRetriever(
        [dense, BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=3)],
        mode="reciprocal_rerank",
        similarity_top_k=3,
    )
    dense_texts = [h.node.get_content() for h in dense.retrieve("ERR_42")]
    hybrid_texts = [h.node.get_content() for h in hybrid.retrieve("ERR_42")]
    assert any("ERR_42" in text for text in hybrid_texts)
    assert len(hybrid_texts) == 3
    assert set(hybrid_texts) <= set(dense_texts) | {documents[-1].text}


def test_existing_bm25_must_match_the_nodes() -> None:
    built = BM25Retriever.from_defaults(nodes=make_nodes())
    built.retrieve("walnut")
    bm25 = built._bm25
    assert ids(BM25Retriever(nodes=make_nodes(), existing_bm25=bm25, similarity_top_k=1).retrieve("oak")) == ["n2"]
    with pytest.raises(InvalidInputError, match="indexes 4 documents"):
        BM25Retriever(nodes=make_nodes()[:2], existing_bm25=bm25)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"language": "klingon"}, "unsupported language"),
        ({"similarity_top_k": 0}, "similarity_top_k"),
        ({"nodes": "walnut"}, "list of nodes"),
        ({"nodes": [object()]}, "not a node"),
        ({"stemmer": 42}, "stemWords"),
        ({"k1": -1}, "k1"),
        ({"token_pattern": ""}, "token_pattern"),
        ({"filters": {"wood": "oak"}}, "MetadataFilters"),
    ],
)
def test_bad_arguments_raise_typed_errors(kwargs: dict[str, object], fragment: str) -> None:
    arguments: dict[str, object] = {"nodes": make_nodes(), **kwargs}
    with pytest.raises(InvalidInputError, match=fragment):
        BM25Retriever(**arguments)  # type: ignore[arg-type]


def test_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        BM25Retriever.from_defaults(nodes=make_nodes(), top_k=3)  # type: ignore[call-arg]
