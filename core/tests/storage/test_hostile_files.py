"""Damaged docstore / vector store files found by the fuzz suite: each raises InvalidInputError."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dovetail.core import VectorStoreIndex
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import Document
from dovetail.core.schema import node_from_dict
from dovetail.core.storage import StorageContext


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    docs = [Document(id_=f"doc{i}", text=f"Joint {i}.") for i in range(2)]
    VectorStoreIndex.from_documents(docs, embed_model=MockEmbedding(embed_dim=4)).storage_context.persist(tmp_path)
    return tmp_path


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def _first(mapping: dict[str, Any]) -> str:
    return next(iter(mapping))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["ref_doc_info"].__setitem__(_first(d["ref_doc_info"]), None),
        lambda d: d["ref_doc_info"].__setitem__(_first(d["ref_doc_info"]), {"node_ids": None}),
        lambda d: d["ref_doc_info"].__setitem__(_first(d["ref_doc_info"]), {"node_ids": ["a"], "metadata": ["x"]}),
        lambda d: d["doc_hashes"].__setitem__(_first(d["doc_hashes"]), ["not", "a", "hash"]),
    ],
    ids=["record None", "node_ids None", "metadata a list", "hash a list"],
)
def test_a_malformed_docstore_record(index_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    _edit(index_dir / "docstore.json", change)
    storage = StorageContext.from_defaults(persist_dir=index_dir)
    with pytest.raises(InvalidInputError, match="docstore file"):
        storage.docstore.hashes_by_document_id()


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["nodes"][0].__setitem__("relationships", 7),
        lambda d: d["nodes"][0].__setitem__("class_name", ["TextNode"]),
    ],
    ids=["relationships an int", "class_name a list"],
)
def test_a_malformed_vector_store_node(index_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    _edit(index_dir / "default__vector_store.json", change)
    with pytest.raises(InvalidInputError, match=r"is inconsistent|invalid store settings or nodes"):
        StorageContext.from_defaults(persist_dir=index_dir)


@pytest.mark.parametrize(
    "data", [{"class_name": ["x"]}, {"class_name": "TextNode", "text": 5}, {"class_name": "TextNode", "metadata": 1}]
)
def test_node_from_dict_raises_invalid_input(data: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        node_from_dict(data)


def test_node_from_dict_with_an_unknown_field_raises_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="malformed"):
        node_from_dict({"class_name": "TextNode", "rtart_char_idx": 3, "text": "x"})
