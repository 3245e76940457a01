"""End to end in process: a folder → ingest → query → persist → reload → same answers; one file changes."""

from __future__ import annotations

import threading
from pathlib import Path

from dovetail.core import StorageContext
from dovetail.core import VectorStoreIndex
from dovetail.core import load_index_from_storage
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.readers import SimpleDirectoryReader

from .conftest import DEMO_CORPUS
from .conftest import write_corpus


class CountingEmbedding(MockEmbedding):
    """Counts the texts sent to the model."""

    def model_post_init(self, context: object) -> None:
        object.__setattr__(self, "_count", [0])
        object.__setattr__(self, "_lock", threading.Lock())

    @property
    def embedded(self) -> int:
        return self._count[0]  # type: ignore[attr-defined,no-any-return]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        with self._lock:  # type: ignore[attr-defined]
            self._count[0] += len(texts)  # type: ignore[attr-defined]
        return super()._get_text_embeddings(texts)


def _snapshot(index: VectorStoreIndex) -> dict[str, tuple[str | None, str]]:
    return {n.node_id: (n.ref_doc_id, n.hash) for n in index.vector_store.get_nodes()}


def test_folder_to_answers_and_back_from_disk(tmp_path: Path) -> None:
    embed = MockEmbedding(embed_dim=32)
    docs = SimpleDirectoryReader(DEMO_CORPUS).load_data()
    index = VectorStoreIndex.from_documents(
        docs, embed_model=embed, transformations=[SentenceSplitter(chunk_size=64, chunk_overlap=8)]
    )
    assert set(index.ref_doc_info) == {p.name for p in DEMO_CORPUS.glob("*.md")}
    questions = ["Why are dovetails used for drawers?", "What does hide glue offer restorers?"]
    engine = index.as_query_engine(similarity_top_k=4)
    before = [engine.query(q) for q in questions]
    assert all(r.metadata and r.metadata["mode"] == "extractive" for r in before)

    index.storage_context.persist(tmp_path / "index")
    reloaded = load_index_from_storage(StorageContext.from_defaults(persist_dir=tmp_path / "index"))
    assert isinstance(reloaded, VectorStoreIndex)
    after = [reloaded.as_query_engine(similarity_top_k=4).query(q) for q in questions]
    for old, new in zip(before, after, strict=True):
        assert str(new) == str(old)
        assert [(s.node_id, round(s.get_score(), 6)) for s in new.source_nodes] == [
            (s.node_id, round(s.get_score(), 6)) for s in old.source_nodes
        ]
    assert _snapshot(reloaded) == _snapshot(index)


def test_updating_one_file_changes_only_its_nodes(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "notes", count=12, sentences=8)
    embed = CountingEmbedding(embed_dim=16)
    splitter = SentenceSplitter(chunk_size=40, chunk_overlap=0)
    index = VectorStoreIndex.from_documents(
        SimpleDirectoryReader(folder).load_data(), embed_model=embed, transformations=[splitter]
    )
    index.storage_context.persist(tmp_path / "index")
    before = _snapshot(index)
    first_count = embed.embedded
    assert first_count == len(before) > 12

    target = folder / "note_005.md"
    target.write_text(target.read_text(encoding="utf-8").replace("glued", "pegged"), encoding="utf-8")

    reloaded = load_index_from_storage(StorageContext.from_defaults(persist_dir=tmp_path / "index"), embed_model=embed)
    assert isinstance(reloaded, VectorStoreIndex)
    refreshed = reloaded.refresh_ref_docs(SimpleDirectoryReader(folder).load_data())
    assert refreshed.count(True) == 1
    after = _snapshot(reloaded)

    old_ids = {k for k, (ref, _) in before.items() if ref == "note_005.md"}
    new_ids = {k for k, (ref, _) in after.items() if ref == "note_005.md"}
    assert old_ids
    assert new_ids
    assert not old_ids & new_ids  # every chunk text changed, so every id changed
    others_before = {k: v for k, v in before.items() if v[0] != "note_005.md"}
    others_after = {k: v for k, v in after.items() if v[0] != "note_005.md"}
    assert others_after == others_before  # same ids, same hashes
    assert embed.embedded - first_count == len(new_ids)  # only the changed file was embedded
    assert sorted(reloaded.ref_doc_info["note_005.md"].node_ids) == sorted(new_ids)
