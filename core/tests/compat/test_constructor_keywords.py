"""``VectorStoreQuery``, ``SimpleDocumentStore`` and ``MockEmbedding``: a misspelt keyword names the one meant.

These three were refused by Python itself (a plain ``TypeError`` naming no alternative); like the other
constructors they now name the closest keyword, and LlamaIndex's keywords that have no counterpart say what to do.
"""
# The calls pass wrong keywords on purpose: the type checker would refuse them.
# mypy: disable-error-code="call-arg,arg-type,misc"

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.schema import TextNode
from dovetail.core.storage.docstore import SimpleDocumentStore
from dovetail.core.storage.index_store import IndexStruct
from dovetail.core.storage.index_store import SimpleIndexStore
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryMode

TYPOS: dict[str, tuple[Callable[[], Any], str, str]] = {
    "VectorStoreQuery top k": (lambda: VectorStoreQuery(similarity_topk=3), "VectorStoreQuery", "similarity_top_k"),
    "VectorStoreQuery embedding": (
        lambda: VectorStoreQuery(query_embeding=[1.0]),
        "VectorStoreQuery",
        "query_embedding",
    ),
    "SimpleDocumentStore": (lambda: SimpleDocumentStore(persist_pth="x.json"), "SimpleDocumentStore", "persist_path"),
    "SimpleDocumentStore namespace": (lambda: SimpleDocumentStore(namspace=None), "SimpleDocumentStore", "namespace"),
    "MockEmbedding without embed_dim": (lambda: MockEmbedding(embeddim=8), "MockEmbedding", "embed_dim"),
    "MockEmbedding dim": (lambda: MockEmbedding(dim=8), "MockEmbedding", "embed_dim"),
    "MockEmbedding other field": (
        lambda: MockEmbedding(8, embed_batch_sise=4),
        "MockEmbedding",
        "embed_batch_size",
    ),
}


@pytest.mark.parametrize("case", sorted(TYPOS))
def test_a_misspelt_keyword_names_the_closest_one(case: str) -> None:
    call, owner, meant = TYPOS[case]
    with pytest.raises(TypeError) as info:
        call()
    text = str(info.value)
    assert text.startswith(f"{owner}() got an unexpected keyword argument"), text
    assert text.endswith(f"did you mean {meant!r}?"), text


def test_vector_store_query_keeps_its_dataclass_behaviour() -> None:
    query = VectorStoreQuery([1.0, 0.0], 3, mode=VectorStoreQueryMode.HYBRID, alpha=0.5)
    assert (query.query_embedding, query.similarity_top_k, query.mode, query.alpha) == (
        [1.0, 0.0],
        3,
        VectorStoreQueryMode.HYBRID,
        0.5,
    )
    assert dataclasses.replace(query, similarity_top_k=7).similarity_top_k == 7
    assert dataclasses.is_dataclass(query)
    assert list(inspect.signature(VectorStoreQuery).parameters)[:2] == ["query_embedding", "similarity_top_k"]
    with pytest.raises(TypeError, match="multiple values"):  # Python's own checks still apply
        VectorStoreQuery([1.0], query_embedding=[2.0])


def test_vector_store_query_takes_every_llamaindex_field() -> None:
    llamaindex_fields = {
        "query_embedding": [1.0],
        "similarity_top_k": 2,
        "doc_ids": ["d"],
        "node_ids": ["n"],
        "query_str": "oak",
        "output_fields": ["text"],
        "embedding_field": "vector",
        "mode": VectorStoreQueryMode.DEFAULT,
        "alpha": 0.5,
        "filters": None,
        "mmr_threshold": 0.3,
        "sparse_top_k": 4,
        "hybrid_top_k": 5,
    }
    query = VectorStoreQuery(**llamaindex_fields)
    assert {name: getattr(query, name) for name in llamaindex_fields} == llamaindex_fields


@pytest.mark.parametrize(
    ("keyword", "value", "advice"),
    [
        ("namespace", "docs", "persist each store to its own path"),
        ("batch_size", 100, "leave the keyword out"),
        ("simple_kvstore", object(), "from_persist_path"),
    ],
)
def test_llamaindex_kvstore_options_of_the_docstore_say_what_to_do(keyword: str, value: Any, advice: str) -> None:
    with pytest.raises(TypeError, match=rf"^SimpleDocumentStore\(\) does not take LlamaIndex's '{keyword}': ") as info:
        SimpleDocumentStore(**{keyword: value})
    assert advice in str(info.value)


def test_the_docstore_takes_llamaindex_defaults_and_its_own_persist_path(tmp_path: Path) -> None:
    assert len(SimpleDocumentStore(None, namespace=None, batch_size=None)) == 0
    with pytest.raises(TypeError, match="does not take LlamaIndex's 'simple_kvstore'"):
        SimpleDocumentStore(str(tmp_path / "docstore.json"))  # LlamaIndex's first positional is the kvstore
    store = SimpleDocumentStore()
    store.add_documents([TextNode(text="oak", id_="n1")])
    path = tmp_path / "docstore.json"
    store.persist(path)
    reopened = SimpleDocumentStore(persist_path=path)
    assert reopened.get_node("n1").get_content() == "oak"


def test_mock_embedding_takes_embed_dim_positionally_or_by_keyword() -> None:
    assert MockEmbedding(3).embed_dim == 3
    assert MockEmbedding(embed_dim=5).model_name == "mock-embedding-5"
    assert MockEmbedding(4, model="fake").model_name == "fake"  # BaseEmbedding's alias of model_name
    assert MockEmbedding(4, embed_batch_size=2, num_workers=1).embed_batch_size == 2
    with pytest.raises(TypeError, match=r"missing required argument 'embed_dim': .*MockEmbedding\(embed_dim=8\)"):
        MockEmbedding()
    with pytest.raises(TypeError, match="multiple values for argument 'embed_dim'"):
        MockEmbedding(3, embed_dim=4)
    with pytest.raises(TypeError, match=r"takes 1 positional argument \(embed_dim\) but 2 were given"):
        MockEmbedding(3, 4)


def _persisted_store(tmp_path: Path) -> Path:
    store = SimpleDocumentStore()
    store.add_documents([TextNode(text="oak", id_="n1")])
    store.persist(tmp_path / "docstore.json")
    return tmp_path / "docstore.json"


def test_the_docstore_loaders_take_llamaindex_defaults(tmp_path: Path) -> None:
    path = _persisted_store(tmp_path)
    loaded = [
        SimpleDocumentStore.from_persist_path(path, None, None),
        SimpleDocumentStore.from_persist_path(path, namespace=None, fs=None, lazy=False),
        SimpleDocumentStore.from_persist_dir(tmp_path, namespace=None, fs=None),
        SimpleDocumentStore.from_dict(SimpleDocumentStore.from_persist_path(path).to_dict(), namespace=None),
    ]
    for store in loaded:
        assert store.get_node("n1").get_content() == "oak"
    loaded[0].persist(tmp_path / "again.json", fs=None)
    assert SimpleDocumentStore.from_persist_path(tmp_path / "again.json").get_node("n1").get_content() == "oak"


@pytest.mark.parametrize(
    ("method", "keyword"),
    [
        ("from_persist_path", "namespace"),
        ("from_persist_path", "fs"),
        ("from_persist_dir", "namespace"),
        ("from_persist_dir", "fs"),
        ("from_dict", "namespace"),
        ("persist", "fs"),
    ],
)
def test_llamaindex_options_of_the_docstore_methods_say_what_to_do(method: str, keyword: str, tmp_path: Path) -> None:
    path = _persisted_store(tmp_path)
    calls: dict[str, Callable[..., Any]] = {
        "from_persist_path": lambda **kw: SimpleDocumentStore.from_persist_path(path, **kw),
        "from_persist_dir": lambda **kw: SimpleDocumentStore.from_persist_dir(tmp_path, **kw),
        "from_dict": lambda **kw: SimpleDocumentStore.from_dict(SimpleDocumentStore().to_dict(), **kw),
        "persist": lambda **kw: SimpleDocumentStore().persist(tmp_path / "other.json", **kw),
    }
    pattern = rf"^SimpleDocumentStore\.{method}\(\) does not take LlamaIndex's '{keyword}': "
    with pytest.raises(TypeError, match=pattern):
        calls[method](**{keyword: "docs" if keyword == "namespace" else object()})
    assert not (tmp_path / "other.json").exists()  # refused before anything is written


def test_a_misspelt_keyword_of_a_docstore_loader_names_the_closest_one(tmp_path: Path) -> None:
    path = _persisted_store(tmp_path)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'namspace'; did you mean 'namespace'\?$"):
        SimpleDocumentStore.from_persist_path(path, namspace=None)


def test_the_index_store_takes_llamaindex_defaults(tmp_path: Path) -> None:
    store = SimpleIndexStore(None, structs={"main": IndexStruct(index_id="main")})
    store.persist(tmp_path / "index_store.json", fs=None)
    for loaded in (
        SimpleIndexStore.from_persist_path(tmp_path / "index_store.json", fs=None),
        SimpleIndexStore.from_persist_dir(tmp_path, None),
    ):
        assert [struct.index_id for struct in loaded.index_structs()] == ["main"]


@pytest.mark.parametrize("method", ["__init__", "from_persist_path", "from_persist_dir", "persist"])
def test_llamaindex_options_of_the_index_store_say_what_to_do(method: str, tmp_path: Path) -> None:
    SimpleIndexStore().persist(tmp_path / "index_store.json")
    calls: dict[str, tuple[Callable[[], Any], str]] = {
        "__init__": (lambda: SimpleIndexStore(object()), "simple_kvstore"),
        "from_persist_path": (
            lambda: SimpleIndexStore.from_persist_path(tmp_path / "index_store.json", fs=object()),
            "fs",
        ),
        "from_persist_dir": (lambda: SimpleIndexStore.from_persist_dir(tmp_path, fs=object()), "fs"),
        "persist": (lambda: SimpleIndexStore().persist(tmp_path / "other.json", fs=object()), "fs"),
    }
    call, keyword = calls[method]
    called = "SimpleIndexStore" if method == "__init__" else f"SimpleIndexStore.{method}"
    with pytest.raises(TypeError, match=rf"^{called}\(\) does not take LlamaIndex's '{keyword}': "):
        call()
    assert not (tmp_path / "other.json").exists()
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'struct'; did you mean 'structs'\?$"):
        SimpleIndexStore(struct={})
