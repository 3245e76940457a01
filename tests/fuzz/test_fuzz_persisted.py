"""Fuzz persisted index files: a damaged or hostile index loads, or raises a typed dovetail error — never another
exception type, never an allocation its headers ask for."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dovetail.core import VectorStoreIndex
from dovetail.core import load_index_from_storage
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import DovetailError
from dovetail.core.schema import Document
from dovetail.core.storage import StorageContext
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=8),
        st.sampled_from(["../x.npy", "/etc/passwd", "default__vector_store.npy", "", "text", "cosine", "dot"]),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def folders() -> Iterator[tuple[Path, Path]]:
    with tempfile.TemporaryDirectory() as root:
        template = Path(root) / "template"
        docs = [
            Document(id_=f"doc{i}", text=f"Dovetail joint number {i}. Pins and tails.", metadata={"i": i, "t": ["a"]})
            for i in range(4)
        ]
        index = VectorStoreIndex.from_documents(docs, embed_model=MockEmbedding(embed_dim=4))
        index.storage_context.persist(template)
        yield template, Path(root) / "work"


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".dovetail"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for position, value in enumerate(node):
            found += _paths(value, (*prefix, position))
    return found


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return document


def _use(folder: Path) -> None:
    """Load the index and touch everything a user would."""
    storage = StorageContext.from_defaults(persist_dir=folder)
    index = load_index_from_storage(storage, embed_model=MockEmbedding(embed_dim=4))
    storage.docstore.hashes_by_document_id()
    storage.docstore.get_all_ref_doc_info()
    list(storage.docstore.docs.values())
    nodes = storage.vector_store.get_nodes()
    dim = storage.vector_store.dimension if hasattr(storage.vector_store, "dimension") else 4
    storage.vector_store.query(
        VectorStoreQuery(
            query_embedding=[1.0] * (dim or 4),
            similarity_top_k=3,
            filters=MetadataFilters.from_dicts([{"key": "i", "value": 1, "operator": ">="}]),
        )
    )
    for node in nodes[:2]:
        node.get_content()
    index.as_retriever(similarity_top_k=2).retrieve("pins")


@given(
    data=st.data(),
    mutation=st.sampled_from(["json-value", "json-delete", "truncate", "flip", "insert", "swap-npy-header"]),
)
def test_a_damaged_index_loads_or_raises_a_typed_error(
    folders: tuple[Path, Path], data: st.DataObject, mutation: str
) -> None:
    template, work = folders
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work)
    names = _files(work)
    json_names = [name for name in names if name.endswith(".json")]
    target = work / data.draw(st.sampled_from(json_names if mutation.startswith("json") else names))
    raw = target.read_bytes()
    if mutation in ("json-value", "json-delete"):
        document = json.loads(raw)
        path = data.draw(st.sampled_from(_paths(document)))
        if mutation == "json-delete" and path:
            parent = document
            for step in path[:-1]:
                parent = parent[step]
            del parent[path[-1]]
        else:
            document = _replace(document, path, data.draw(json_values))
        target.write_text(json.dumps(document))
    elif mutation == "truncate":
        target.write_bytes(raw[: data.draw(st.integers(0, max(len(raw) - 1, 0)))])
    elif mutation == "flip":
        position = data.draw(st.integers(0, len(raw) - 1))
        target.write_bytes(
            raw[:position] + bytes([raw[position] ^ data.draw(st.integers(1, 255))]) + raw[position + 1 :]
        )
    elif mutation == "insert":
        position = data.draw(st.integers(0, len(raw)))
        target.write_bytes(raw[:position] + data.draw(st.binary(min_size=1, max_size=16)) + raw[position:])
    else:  # a hostile .npy header: any shape, any dtype
        npy = next(work.glob("*.npy"))
        shape = data.draw(st.lists(st.integers(0, 2**45), max_size=3).map(tuple))
        descr = data.draw(st.sampled_from(["<f4", "<f8", "|O", "<i4", ">f4", "|b1", "<c8"]))
        header = repr({"descr": descr, "fortran_order": data.draw(st.booleans()), "shape": shape}).encode()
        header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
        npy.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 64)
    with contextlib.suppress(DovetailError):
        _use(work)
