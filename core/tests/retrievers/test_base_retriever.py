"""BaseRetriever: public API, events, recursive IndexNode traversal, cycles and de-duplication."""

from __future__ import annotations

import threading
from typing import Any

import dovetail.core.retrievers as retrievers_module
import pytest
from dovetail.core.callbacks import BaseCallbackHandler
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.errors import InvalidInputError
from dovetail.core.retrievers import BaseRetriever
from dovetail.core.schema import Document
from dovetail.core.schema import IndexNode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import TextNode


class Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, CBEventType, str, dict[str, Any]]] = []
        self.traces: list[tuple[str, str | None]] = []
        self.parents: dict[str, str] = {}

    def on_event_start(self, event_type, payload=None, event_id="", parent_id="", **kwargs):  # type: ignore[no-untyped-def]
        self.events.append(("start", event_type, event_id, dict(payload or {})))
        self.parents[event_id] = parent_id
        return event_id

    def on_event_end(self, event_type, payload=None, event_id="", **kwargs):  # type: ignore[no-untyped-def]
        self.events.append(("end", event_type, event_id, dict(payload or {})))

    def start_trace(self, trace_id=None):  # type: ignore[no-untyped-def]
        self.traces.append(("start", trace_id))

    def end_trace(self, trace_id=None, trace_map=None):  # type: ignore[no-untyped-def]
        self.traces.append(("end", trace_id))


class ListRetriever(BaseRetriever):
    """Tutorial-style retriever: returns fixed results and records the queries it saw."""

    def __init__(self, results: list[NodeWithScore], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.results = results
        self.queries: list[str] = []
        self.threads: list[int] = []

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        self.queries.append(query_bundle.query_str)
        self.threads.append(threading.get_ident())
        return [NodeWithScore(node=r.node, score=r.score) for r in self.results]


class FakeQueryEngine:
    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.seen: list[str] = []

    def query(self, query: QueryBundle) -> str:
        self.seen.append(query.query_str)
        return self.answer


def nws(text: str, score: float | None, **kwargs: Any) -> NodeWithScore:
    return NodeWithScore(node=TextNode(text=text, **kwargs), score=score)


def test_index_retrievers_load_on_first_access() -> None:
    with pytest.raises(AttributeError):
        retrievers_module.NoSuchRetriever  # noqa: B018
    for name in ("VectorIndexRetriever", "KeywordTableSimpleRetriever", "SummaryIndexRetriever"):
        assert issubclass(getattr(retrievers_module, name), BaseRetriever)  # loaded lazily on first access


def test_retrieve_accepts_str_and_bundle_and_rejects_others() -> None:
    retriever = ListRetriever([nws("a", 1.0)])
    assert [r.text for r in retriever.retrieve("q")] == ["a"]
    assert [r.text for r in retriever.retrieve(QueryBundle(query_str="q2"))] == ["a"]
    assert retriever.queries == ["q", "q2"]
    with pytest.raises(InvalidInputError):
        retriever.retrieve(42)  # type: ignore[arg-type]


def test_retrieve_event_inside_a_query_trace() -> None:
    recorder = Recorder()
    retriever = ListRetriever([nws("a", 0.5)], callback_manager=CallbackManager([recorder]))
    results = retriever.retrieve("what")
    assert [(kind, etype) for kind, etype, _, _ in recorder.events] == [
        ("start", CBEventType.RETRIEVE),
        ("end", CBEventType.RETRIEVE),
    ]
    assert recorder.events[0][3][EventPayload.QUERY_STR] == "what"
    assert recorder.events[1][3][EventPayload.NODES] == results
    assert recorder.traces == [("start", "query"), ("end", "query")]


def test_joins_an_enclosing_trace_and_nests_under_the_query_event() -> None:
    recorder = Recorder()
    manager = CallbackManager([recorder])
    retriever = ListRetriever([nws("a", 0.5)], callback_manager=manager)
    with manager.as_trace("outer"), manager.event(CBEventType.QUERY) as query:
        retriever.retrieve("q")
    assert recorder.traces == [("start", "outer"), ("end", "outer")]
    retrieve_id = next(eid for kind, et, eid, _ in recorder.events if kind == "start" and et is CBEventType.RETRIEVE)
    assert recorder.parents[retrieve_id] == query.event_id


def test_dedup_by_hash_keeps_best_score_and_first_position() -> None:
    results = [nws("x", 0.2), nws("y", 0.9), nws("x", 0.7), nws("z", None), nws("z", 0.1)]
    results += [nws("w", -0.5), nws("w", 0.0), nws("w", -0.1)]
    out = ListRetriever(results).retrieve("q")
    assert [(r.text, r.score) for r in out] == [("x", 0.7), ("y", 0.9), ("z", 0.1), ("w", 0.0)]


def test_same_text_from_different_documents_is_kept() -> None:
    doc_a, doc_b = Document(text="A", id_="a"), Document(text="B", id_="b")
    a = nws("same", 0.5, relationships={NodeRelationship.SOURCE: doc_a.as_related_node_info()})
    b = nws("same", 0.4, relationships={NodeRelationship.SOURCE: doc_b.as_related_node_info()})
    assert len(ListRetriever([a, b]).retrieve("q")) == 2


def test_index_node_to_retriever_node_and_query_engine() -> None:
    leaf = ListRetriever([nws("from child", 0.8), nws("shared", 0.3)])
    engine = FakeQueryEngine("engine answer")
    target = TextNode(text="pointed node")
    top = ListRetriever(
        [
            NodeWithScore(node=IndexNode(text="to child", index_id="child"), score=0.9),
            NodeWithScore(node=IndexNode(text="to node", index_id="n", obj=target), score=0.6),
            NodeWithScore(node=IndexNode(text="to engine", index_id="engine"), score=0.5),
            NodeWithScore(node=IndexNode(text="dangling", index_id="missing"), score=0.1),
            nws("shared", 0.4),
        ],
        object_map={"child": leaf, "engine": engine},
    )
    out = top.retrieve("q")
    assert [(r.text, r.score) for r in out] == [
        ("from child", 0.8),
        ("shared", 0.4),
        ("pointed node", 0.6),
        ("engine answer", 0.5),
        ("dangling", 0.1),
    ]
    assert leaf.queries == ["q"]
    assert engine.seen == ["q"]


def test_nested_retrieve_events_are_children() -> None:
    recorder = Recorder()
    manager = CallbackManager([recorder])
    leaf = ListRetriever([nws("leaf", 1.0)], callback_manager=manager)
    top = ListRetriever(
        [NodeWithScore(node=IndexNode(text="i", index_id="leaf", obj=leaf), score=1.0)], callback_manager=manager
    )
    top.retrieve("q")
    starts = [eid for kind, et, eid, _ in recorder.events if kind == "start" and et is CBEventType.RETRIEVE]
    assert len(starts) == 2
    assert recorder.parents[starts[1]] == starts[0]


def test_cycles_are_not_followed() -> None:
    a = ListRetriever([])
    b = ListRetriever(
        [NodeWithScore(node=IndexNode(text="back to a", index_id="a", obj=a), score=0.5), nws("b leaf", 0.4)]
    )
    a.results = [NodeWithScore(node=IndexNode(text="to b", index_id="b", obj=b), score=0.9), nws("a leaf", 0.3)]
    out = a.retrieve("q")
    assert [r.text for r in out] == ["back to a", "b leaf", "a leaf"]
    assert a.queries == ["q"]
    assert b.queries == ["q"]


async def test_aretrieve_runs_sync_retrieve_off_the_loop_and_recurses() -> None:
    leaf = ListRetriever([nws("leaf", 0.7)])
    engine = FakeQueryEngine("answer")
    top = ListRetriever(
        [
            NodeWithScore(node=IndexNode(text="i", index_id="leaf"), score=1.0),
            NodeWithScore(node=IndexNode(text="e", index_id="engine"), score=0.2),
            nws("leaf", 0.1),
        ],
        object_map={"leaf": leaf, "engine": engine},
    )
    out = await top.aretrieve("q")
    assert [(r.text, r.score) for r in out] == [("leaf", 0.7), ("answer", 0.2)]
    assert threading.get_ident() not in top.threads + leaf.threads


async def test_native_async_retriever_and_async_query_engine() -> None:
    class AsyncRetriever(BaseRetriever):
        def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
            raise AssertionError("the sync path must not be used")

        async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
            return [NodeWithScore(node=IndexNode(text="e", index_id="engine"), score=0.3)]

    class AsyncEngine:
        async def aquery(self, query: QueryBundle) -> str:
            return f"async answer to {query.query_str}"

        def query(self, query: QueryBundle) -> str:
            raise AssertionError("the sync path must not be used")

    out = await AsyncRetriever(object_map={"engine": AsyncEngine()}).aretrieve("q")
    assert [(r.text, r.score) for r in out] == [("async answer to q", 0.3)]


def test_unimplemented_retriever_says_what_to_do() -> None:
    with pytest.raises(NotImplementedError, match="_retrieve"):
        BaseRetriever().retrieve("q")


def test_default_callback_manager_is_the_global_one() -> None:
    from dovetail.core.embeddings import MockEmbedding
    from dovetail.core.settings import Settings

    assert ListRetriever([]).callback_manager is Settings.callback_manager
    assert MockEmbedding(embed_dim=2).callback_manager is Settings.callback_manager
    own = CallbackManager()
    assert ListRetriever([], callback_manager=own).callback_manager is own
