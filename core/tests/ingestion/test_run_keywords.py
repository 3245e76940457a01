"""``IngestionPipeline.run`` / ``arun`` pass extra keywords to the transformations and refuse the rest up front."""
# Misspelt keywords are passed on purpose, through ``**{...}``: the type checker would refuse them.
# mypy: disable-error-code="arg-type"

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from dovetail.core import Document
from dovetail.core import IngestionPipeline
from dovetail.core.ingestion._keywords import transformation_keywords
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import BaseNode
from dovetail.core.schema import TextNode

from .conftest import CountingEmbedding


class Tagger:
    """A transformation with one keyword of its own: ``tag`` goes into every node's metadata."""

    def __call__(self, nodes: Sequence[BaseNode], tag: str = "none") -> list[BaseNode]:
        for node in nodes:
            node.metadata["tag"] = tag
        return list(nodes)


class Anything:
    """A transformation that takes any keyword (as a LlamaIndex ``TransformComponent`` may) and records them."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        self.seen.append(dict(kwargs))
        return list(nodes)


def _pipeline(*transformations: Any) -> IngestionPipeline:
    return IngestionPipeline(transformations=list(transformations))


def _docs() -> list[Document]:
    return [Document(text="Oak trees grow slowly. Birch trees grow fast.", doc_id="trees")]


@pytest.mark.parametrize(
    ("typo", "closest"), [("show_progres", "show_progress"), ("num_worker", "num_workers"), ("document", "documents")]
)
@pytest.mark.parametrize("with_documents", [False, True])
def test_a_misspelt_keyword_is_refused_naming_the_closest(typo: str, closest: str, with_documents: bool) -> None:
    pipeline = _pipeline(SentenceSplitter(chunk_size=64, chunk_overlap=0), CountingEmbedding(embed_dim=4))
    documents = _docs() if with_documents else []
    expected = rf"run\(\) got an unexpected keyword argument '{typo}'; did you mean '{closest}'"
    with pytest.raises(TypeError, match=expected):
        pipeline.run(documents=documents, **{typo: 1})


@pytest.mark.parametrize("with_documents", [False, True])
async def test_arun_refuses_a_misspelt_keyword_too(with_documents: bool) -> None:
    embed = CountingEmbedding(embed_dim=4)
    pipeline = _pipeline(SentenceSplitter(chunk_size=64, chunk_overlap=0), embed)
    with pytest.raises(TypeError, match=r"arun\(\) got an unexpected keyword argument 'num_worker'.*'num_workers'"):
        await pipeline.arun(documents=_docs() if with_documents else [], num_worker=2)
    assert embed.stats["texts"] == 0


def test_nothing_is_transformed_or_stored_before_the_refusal() -> None:
    embed = CountingEmbedding(embed_dim=4)
    pipeline = _pipeline(SentenceSplitter(chunk_size=64, chunk_overlap=0), embed)
    with pytest.raises(TypeError):
        pipeline.run(documents=_docs(), show_progres=True)
    assert embed.stats["texts"] == 0
    assert pipeline.docstore is None or not pipeline.docstore.hashes_by_document_id()
    assert len(pipeline.run(documents=_docs())) == 1  # the same pipeline then runs normally
    assert embed.stats["texts"] == 1


def test_a_keyword_every_transformation_takes_reaches_them() -> None:
    anything = Anything()
    nodes = _pipeline(Tagger(), anything).run(documents=_docs(), tag="trees")
    assert [node.metadata["tag"] for node in nodes] == ["trees"]
    assert anything.seen == [{"tag": "trees"}]


async def test_arun_passes_a_valid_keyword_too() -> None:
    nodes = await _pipeline(Tagger()).arun(documents=_docs(), tag="async")
    assert [node.metadata["tag"] for node in nodes] == ["async"]


def test_a_transformation_keyword_misspelt_names_it() -> None:
    with pytest.raises(TypeError, match=r"'tga'; did you mean 'tag'"):
        _pipeline(Tagger()).run(documents=[], tga="x")


def test_a_keyword_one_transformation_refuses_names_that_transformation() -> None:
    pipeline = _pipeline(Tagger(), SentenceSplitter(chunk_size=64, chunk_overlap=0))
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'tag'.*SentenceSplitter does not take it"):
        pipeline.run(documents=[], tag="x")


def test_without_transformations_that_take_keywords_every_extra_keyword_is_refused() -> None:
    pipeline = _pipeline(CountingEmbedding(embed_dim=4))  # embedding models get no extra keywords
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'progres'; did you mean 'progress'"):
        pipeline.run(nodes=[TextNode(text="x", id_="n")], progres=None)


def test_a_transformation_taking_any_keyword_does_not_hide_a_stricter_one() -> None:
    anything = Anything()
    with pytest.raises(TypeError, match="SentenceSplitter does not take it"):
        _pipeline(anything, SentenceSplitter()).run(documents=_docs(), chunk_size=10)
    assert anything.seen == []
    _pipeline(anything).run(documents=_docs(), chunk_size=10)
    assert anything.seen == [{"chunk_size": 10}]


@pytest.mark.parametrize("name", ["cache_collection", "in_place", "store_doc_text"])
def test_llamaindex_run_keywords_are_run_parameters_not_passed_on(name: str) -> None:
    anything = Anything()
    value: object = "wood" if name == "cache_collection" else True
    _pipeline(anything).run(documents=_docs(), **{name: value})
    assert anything.seen == [{}]  # the run took it; no transformation was handed it


def test_transformation_keywords_reads_declarations_and_signatures() -> None:
    def plain(nodes: list[BaseNode], *, lang: str = "en") -> list[BaseNode]:
        return nodes

    assert transformation_keywords(SentenceSplitter()) == frozenset({"show_progress"})
    assert transformation_keywords(Tagger()) == frozenset({"tag"})
    assert transformation_keywords(plain) == frozenset({"lang"})
    assert transformation_keywords(Anything()) is None
