"""LlamaIndex's ``IngestionPipeline.run`` / ``arun`` keywords ``cache_collection``, ``in_place`` and
``store_doc_text``: taken as documented, sync and async alike, or refused before any work."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dovetail.core import Document
from dovetail.core import IngestionPipeline
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.ingestion import IngestionCache
from dovetail.core.ingestion._runner import BatchResult
from dovetail.core.ingestion._runner import BatchWork
from dovetail.core.ingestion._runner import Runner
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.readers import BaseReader
from dovetail.core.readers import ReaderConfig
from dovetail.core.readers import SimpleDirectoryReader
from dovetail.core.schema import BaseNode
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.vector_stores import SimpleVectorStore


class Counting(MockEmbedding):
    """A MockEmbedding that counts the texts it embeds (cache hits embed nothing)."""

    def model_post_init(self, context: object) -> None:
        object.__setattr__(self, "_texts", [0])

    @property
    def texts(self) -> int:
        return self._texts[0]  # type: ignore[attr-defined,no-any-return]  # set in model_post_init

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        self._texts[0] += len(texts)  # type: ignore[attr-defined]  # set in model_post_init
        return super()._get_text_embeddings(texts)


class Inline(Runner):
    """A runner applying the work in this process."""

    def map_batches(self, work: BatchWork, batches: Iterator[list[BaseNode]]) -> Iterator[BatchResult]:
        for batch in batches:
            yield work(batch)


def _docs() -> list[Document]:
    return [
        Document(text="Oak is hard. It darkens with age. " * 4, doc_id="oak"),
        Document(text="Pine is soft. It smells of resin. " * 4, doc_id="pine"),
    ]


def _pipeline(model: Counting, cache: IngestionCache | None = None, **options: Any) -> IngestionPipeline:
    return IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=12, chunk_overlap=0), model], cache=cache, **options
    )


def _run(pipeline: IngestionPipeline, use_async: bool, **kwargs: Any) -> list[BaseNode]:
    if use_async:
        return asyncio.run(pipeline.arun(documents=_docs(), **kwargs))
    return pipeline.run(documents=_docs(), **kwargs)


# ---------------------------------------------------------------- cache_collection


@pytest.mark.parametrize("use_async", [False, True], ids=["run", "arun"])
def test_cache_collection_keeps_its_entries_apart(use_async: bool) -> None:
    cache = IngestionCache()
    model = Counting(embed_dim=4)
    first = _run(_pipeline(model, cache), use_async, cache_collection="wood")
    embedded = model.texts
    assert embedded == len(first) > 2
    _run(_pipeline(model, cache), use_async, cache_collection="other")
    assert model.texts == 2 * embedded  # another collection: nothing cached there yet
    again = _run(_pipeline(model, cache), use_async, cache_collection="wood")
    assert model.texts == 2 * embedded  # the first collection: all cached
    assert [(n.node_id, n.embedding) for n in again] == [(n.node_id, n.embedding) for n in first]
    _run(_pipeline(model, cache), use_async)
    assert model.texts == 3 * embedded  # the cache's default entries are a place of their own
    assert len(cache.for_collection("wood")) > 0
    assert len(cache.for_collection("nowhere")) == 0


def test_cache_collection_is_persisted_with_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "ingestion_cache.json"
    cache = IngestionCache(path)
    model = Counting(embed_dim=4)
    _run(_pipeline(model, cache), False, cache_collection="wood")
    embedded = model.texts
    cache.for_collection("wood").persist()
    reloaded = IngestionCache(path)
    _run(_pipeline(model, reloaded), False, cache_collection="wood")
    assert model.texts == embedded
    assert reloaded.hits > 0


def test_cache_collection_clear_forgets_only_its_entries() -> None:
    cache = IngestionCache()
    model = Counting(embed_dim=4)
    _run(_pipeline(model, cache), False, cache_collection="wood")
    _run(_pipeline(model, cache), False)
    before = len(cache)
    wood = cache.for_collection("wood")
    counted = len(wood)
    wood.clear()
    assert len(wood) == 0
    assert len(cache) == before - counted > 0


def test_a_cache_built_with_a_collection_uses_it_by_default(tmp_path: Path) -> None:
    path = tmp_path / "ingestion_cache.json"
    model = Counting(embed_dim=4)
    first = IngestionCache(path)
    _run(_pipeline(model, first), False, cache_collection="wood")
    embedded = model.texts
    first.persist()
    wood = IngestionCache(path, collection="wood")
    assert wood.collection_name == "wood"
    _run(_pipeline(model, wood), False)
    assert model.texts == embedded  # all found in the collection the cache was built with
    _run(_pipeline(model, wood), False, cache_collection="llama_cache")  # LlamaIndex's default collection
    assert model.texts == 2 * embedded  # the cache's own entries: none yet


def test_llama_cache_is_the_caches_own_collection() -> None:
    cache = IngestionCache()
    model = Counting(embed_dim=4)
    _run(_pipeline(model, cache), False)
    embedded = model.texts
    _run(_pipeline(model, cache), False, cache_collection="llama_cache")
    assert model.texts == embedded
    assert IngestionCache(collection="llama_cache").collection_name == "llama_cache"


def test_cache_takes_llamaindex_backends_and_fs_only_as_none(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"IngestionCache\(cache=\.\.\.\) takes only None.*leave cache out"):
        IngestionCache(cache=object())
    cache = IngestionCache(cache=None)
    with pytest.raises(InvalidInputError, match="local files only"):
        cache.persist(tmp_path / "cache.json", fs=object())
    assert not (tmp_path / "cache.json").exists()
    cache.persist(tmp_path / "cache.json", fs=None)
    with pytest.raises(InvalidInputError, match="local files only"):
        IngestionCache.from_persist_path(tmp_path / "cache.json", fs=object())
    loaded = IngestionCache.from_persist_path(tmp_path / "cache.json", collection="wood", fs=None)
    assert loaded.collection_name == "wood"
    with pytest.raises(InvalidInputError, match="non-empty str or None"):
        IngestionCache(collection="")


@pytest.mark.parametrize("use_async", [False, True], ids=["run", "arun"])
def test_cache_collection_without_a_cache_is_refused_before_any_work(use_async: bool) -> None:
    model = Counting(embed_dim=4)
    docstore = SimpleDocumentStore()
    pipeline = _pipeline(model, disable_cache=True, docstore=docstore)
    with pytest.raises(InvalidInputError, match="disable_cache=True; leave cache_collection out"):
        _run(pipeline, use_async, cache_collection="wood")
    assert model.texts == 0
    assert docstore.hashes_by_document_id() == {}


@pytest.mark.parametrize("value", ["", 3])
def test_cache_collection_must_be_a_name(value: object) -> None:
    with pytest.raises(InvalidInputError, match="cache_collection as a non-empty str or None"):
        _run(_pipeline(Counting(embed_dim=4), IngestionCache()), False, cache_collection=value)


@pytest.mark.parametrize("use_async", [False, True], ids=["run", "arun"])
def test_cache_collection_with_a_runner_is_refused(use_async: bool) -> None:
    model = Counting(embed_dim=4)
    with pytest.raises(InvalidInputError, match="with a runner does not use the ingestion cache"):
        _run(_pipeline(model, IngestionCache()), use_async, cache_collection="wood", runner=Inline())
    assert model.texts == 0


# ---------------------------------------------------------------- in_place


class ClearsItsInput:
    """A transformation that empties the list it is given (allowed by LlamaIndex's ``in_place=True``)."""

    def __call__(self, nodes: list[BaseNode], **kwargs: Any) -> list[BaseNode]:
        out = list(nodes)
        nodes.clear()
        return out


@pytest.mark.parametrize("use_async", [False, True], ids=["run", "arun"])
def test_in_place_takes_both_values_with_the_same_result(use_async: bool) -> None:
    results = {}
    for in_place in (True, False):
        docstore = SimpleDocumentStore()
        pipeline = IngestionPipeline(
            transformations=[ClearsItsInput(), SentenceSplitter(chunk_size=12, chunk_overlap=0)], docstore=docstore
        )
        documents = _docs()
        if use_async:
            nodes = asyncio.run(pipeline.arun(documents=documents, in_place=in_place))
        else:
            nodes = pipeline.run(documents=documents, in_place=in_place)
        assert [doc.node_id for doc in documents] == ["oak", "pine"]  # the caller's list is never touched
        assert set(docstore.hashes_by_document_id()) == {"oak", "pine"}
        results[in_place] = [(n.node_id, n.get_content()) for n in nodes]
    assert results[True] == results[False]
    assert len(results[True]) > 2


def test_in_place_must_be_a_bool() -> None:
    with pytest.raises(InvalidInputError, match="in_place=True or False"):
        _run(_pipeline(Counting(embed_dim=4)), False, in_place="no")


# ---------------------------------------------------------------- store_doc_text


def _ledger_pipeline(docstore: SimpleDocumentStore, **options: Any) -> IngestionPipeline:
    return IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=12, chunk_overlap=0)], docstore=docstore, **options
    )


@pytest.mark.parametrize("use_async", [False, True], ids=["run", "arun"])
def test_store_doc_text_defaults_to_storing_the_nodes(use_async: bool) -> None:
    docstore = SimpleDocumentStore()
    nodes = _run(_ledger_pipeline(docstore), use_async)
    assert set(docstore.docs) == {node.node_id for node in nodes}
    stored = docstore.get_document(nodes[0].node_id)
    assert stored is not None
    assert stored.get_content() == nodes[0].get_content()


@pytest.mark.parametrize("use_async", [False, True], ids=["run", "arun"])
def test_store_doc_text_false_keeps_only_the_ledger(use_async: bool) -> None:
    docstore = SimpleDocumentStore()
    pipeline = _ledger_pipeline(docstore)
    nodes = _run(pipeline, use_async, store_doc_text=False)
    assert len(nodes) > 2
    assert docstore.docs == {}  # no node, no text
    assert set(docstore.hashes_by_document_id()) == {"oak", "pine"}
    info = docstore.get_ref_doc_info("oak")
    assert info is not None
    assert set(info.node_ids) == {node.node_id for node in nodes if node.ref_doc_id == "oak"}
    assert _run(pipeline, use_async, store_doc_text=False) == []  # the ledger still skips unchanged documents


def test_store_doc_text_false_still_replaces_a_changed_documents_nodes() -> None:
    docstore = SimpleDocumentStore()
    vector_store = SimpleVectorStore()
    pipeline = _pipeline(Counting(embed_dim=4), vector_store=vector_store, docstore=docstore)
    pipeline.run(documents=_docs(), store_doc_text=False)
    changed = [Document(text="Oak is hard.", doc_id="oak"), _docs()[1]]
    pipeline.run(documents=changed, store_doc_text=False)
    oak = [n for n in vector_store.get_nodes() if n.ref_doc_id == "oak"]
    assert [n.get_content() for n in oak] == ["Oak is hard."]
    assert docstore.docs == {}


@pytest.mark.parametrize("use_async", [False, True], ids=["run", "arun"])
def test_store_doc_text_false_with_a_store_without_text_is_refused(use_async: bool) -> None:
    docstore = SimpleDocumentStore()
    vector_store = SimpleVectorStore(stores_text=False)
    model = Counting(embed_dim=4)
    pipeline = _pipeline(model, vector_store=vector_store, docstore=docstore)
    with pytest.raises(InvalidInputError, match="keeps no text, so the nodes' text would be stored nowhere"):
        _run(pipeline, use_async, store_doc_text=False)
    assert model.texts == 0
    assert docstore.hashes_by_document_id() == {}
    assert vector_store.get_nodes() == []


def test_store_doc_text_must_be_a_bool() -> None:
    with pytest.raises(InvalidInputError, match="store_doc_text=True or False"):
        _run(_ledger_pipeline(SimpleDocumentStore()), False, store_doc_text=None)


def test_typos_of_the_run_keywords_name_them() -> None:
    pipeline = _ledger_pipeline(SimpleDocumentStore())
    with pytest.raises(TypeError, match="did you mean 'cache_collection'"):
        pipeline.run(documents=_docs(), cache_colection="wood")
    with pytest.raises(TypeError, match="did you mean 'store_doc_text'"):
        pipeline.run(documents=_docs(), store_doc_txt=False)


# ---------------------------------------------------------------- name, project_name, readers


def test_name_and_project_name_are_labels_with_llamaindex_defaults() -> None:
    default = IngestionPipeline(transformations=[SentenceSplitter()])
    assert (default.name, default.project_name) == ("default", "default")
    assert "name=" not in repr(default)
    named = IngestionPipeline(transformations=[SentenceSplitter()], name="wood", project_name="joinery")
    assert (named.name, named.project_name) == ("wood", "joinery")
    assert repr(named).startswith("IngestionPipeline(name='wood', ")


@pytest.mark.parametrize("keyword", ["name", "project_name"])
@pytest.mark.parametrize("value", ["", "  ", None, 3])
def test_labels_must_be_non_empty_strings(keyword: str, value: object) -> None:
    with pytest.raises(InvalidInputError, match=rf"IngestionPipeline\({keyword}=\.\.\.\) takes a non-empty str"):
        IngestionPipeline(transformations=[SentenceSplitter()], **{keyword: value})  # type: ignore[arg-type]  # wrong on purpose


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "oak.txt").write_text("Oak is hard. It darkens with age.", encoding="utf-8")
    (tmp_path / "pine.md").write_text("Pine is soft.", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("use_async", [False, True], ids=["run", "arun"])
def test_readers_are_read_on_every_run(tmp_path: Path, use_async: bool) -> None:
    folder = _folder(tmp_path)
    config = ReaderConfig(reader=SimpleDirectoryReader(folder), reader_kwargs={"show_progress": False})
    docstore = SimpleDocumentStore()
    pipeline = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=64, chunk_overlap=0)], docstore=docstore, readers=[config]
    )
    assert pipeline.readers == [config]

    def run(**kwargs: Any) -> list[BaseNode]:
        return asyncio.run(pipeline.arun(**kwargs)) if use_async else pipeline.run(**kwargs)

    nodes = run()
    assert sorted(n.get_content() for n in nodes) == ["Oak is hard. It darkens with age.", "Pine is soft."]
    assert set(docstore.hashes_by_document_id()) == {"oak.txt", "pine.md"}
    (folder / "pine.md").write_text("Pine is soft and light.", encoding="utf-8")
    extra = Document(text="Ash bends.", doc_id="ash")
    again = run(documents=[extra])  # the run's own inputs, then the readers' documents (read again)
    assert sorted(n.get_content() for n in again) == ["Ash bends.", "Pine is soft and light."]


def test_reader_config_passes_its_arguments() -> None:
    class Echo(BaseReader):
        def load_data(self, *args: Any, **kwargs: Any) -> list[Document]:
            return [Document(text=f"{args} {sorted(kwargs.items())}", doc_id="echo")]

    config = ReaderConfig(Echo(), reader_args=["a", 1], reader_kwargs={"k": "v"})
    assert [doc.text for doc in config.read()] == ["('a', 1) [('k', 'v')]"]
    assert ReaderConfig.class_name() == "ReaderConfig"


def test_readers_must_be_reader_configs(tmp_path: Path) -> None:
    reader = SimpleDirectoryReader(_folder(tmp_path))
    with pytest.raises(InvalidInputError, match=r"wrap the SimpleDirectoryReader as ReaderConfig\(reader=\.\.\."):
        IngestionPipeline(transformations=[SentenceSplitter()], readers=[reader])  # type: ignore[list-item]  # on purpose
    with pytest.raises(InvalidInputError, match="takes ReaderConfig items, got str"):
        IngestionPipeline(transformations=[SentenceSplitter()], readers=["docs"])  # type: ignore[list-item]  # on purpose
    with pytest.raises(InvalidInputError, match="takes a BaseReader"):
        ReaderConfig(reader="docs")  # type: ignore[arg-type]  # a str on purpose


def test_constructor_typos_still_name_the_closest_keyword() -> None:
    with pytest.raises(TypeError, match="did you mean 'project_name'"):
        IngestionPipeline(project="wood")  # type: ignore[call-arg]  # misspelt on purpose
    with pytest.raises(TypeError, match="did you mean 'readers'"):
        IngestionPipeline(reader=[])  # type: ignore[call-arg]  # misspelt on purpose


# ---------------------------------------------------------------- persist / load


def _stored_pipeline() -> IngestionPipeline:
    return _ledger_pipeline(SimpleDocumentStore())


def test_persist_and_load_default_to_llamaindex_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    pipeline = _stored_pipeline()
    pipeline.run(documents=_docs())
    pipeline.persist()
    assert sorted(p.name for p in (tmp_path / "pipeline_storage").iterdir()) == [
        "docstore.json",
        "ingestion_cache.json",
    ]
    again = IngestionPipeline(transformations=[SentenceSplitter(chunk_size=12, chunk_overlap=0)])
    again.load()
    assert again.docstore is not None
    assert again.run(documents=_docs()) == []  # the loaded ledger knows both documents


def test_persist_and_load_take_file_names(tmp_path: Path) -> None:
    pipeline = _stored_pipeline()
    pipeline.run(documents=_docs())
    pipeline.persist(tmp_path, cache_name="llama_cache", docstore_name="ledger.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.json", "llama_cache"]
    by_default = IngestionPipeline(transformations=[SentenceSplitter()])
    by_default.load(tmp_path)
    assert by_default.docstore is None  # not under the default names
    named = IngestionPipeline(transformations=[SentenceSplitter()])
    named.load(tmp_path, cache_name="llama_cache", docstore_name="ledger.json")
    assert named.docstore is not None
    assert set(named.docstore.hashes_by_document_id()) == {"oak", "pine"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fs": object()}, "local files only; pass a local persist_dir and fs=None"),
        ({"cache_name": "sub/cache.json"}, "cache_name as a plain file name"),
        ({"docstore_name": ""}, "docstore_name as a plain file name"),
        ({"cache_name": "same.json", "docstore_name": "same.json"}, "same file name 'same.json'"),
    ],
)
def test_persist_and_load_refuse_what_they_cannot_honour(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    pipeline = _stored_pipeline()
    pipeline.run(documents=_docs())
    target = tmp_path / "store"
    with pytest.raises(InvalidInputError, match=message):
        pipeline.persist(target, **options)
    assert not target.exists()  # nothing written
    with pytest.raises(InvalidInputError, match=message):
        pipeline.load(target, **options)


def test_persist_typo_names_the_keyword(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="did you mean 'cache_name'"):
        _stored_pipeline().persist(tmp_path, cache_nme="x")  # type: ignore[call-arg]  # misspelt on purpose


def test_the_cache_has_llama_index_s_collection_field_and_put_get_clear() -> None:
    from dovetail.core.schema import TextNode

    cache = IngestionCache()
    assert cache.collection == "llama_cache"
    assert IngestionCache(collection="wood").collection == "wood"
    nodes = [TextNode(id_="n1", text="oak")]
    cache.put("k", nodes)
    cache.put("k", [TextNode(id_="n2", text="pine")], collection="wood")
    own, wood = cache.get("k"), cache.get("k", collection="wood")
    assert own is not None
    assert [n.node_id for n in own] == ["n1"]
    assert wood is not None
    assert [n.node_id for n in wood] == ["n2"]
    assert cache.get("missing") is None
    cache.clear(collection="wood")
    assert cache.get("k", collection="wood") is None
    assert cache.get("k") is not None
