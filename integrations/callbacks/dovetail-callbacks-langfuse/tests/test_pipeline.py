"""A real dovetail pipeline traced into a loopback OTLP receiver through the real Langfuse SDK."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.callbacks.langfuse import LangfuseCallbackHandler
from dovetail.core import VectorStoreIndex
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.callbacks import TokenCountingHandler
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.llms import MockLLM
from dovetail.core.schema import Document

pytestmark = pytest.mark.integration

TYPE = "langfuse.observation.type"
EVENT_ID = "langfuse.observation.metadata.dovetail.event_id"


@pytest.fixture
def handler(receiver: Any, keys: tuple[str, str]) -> Iterator[LangfuseCallbackHandler]:
    public, secret = keys
    handler = LangfuseCallbackHandler(
        public_key=public,
        secret_key=secret,
        host=receiver.url,
        user_id="user-7",
        session_id="session-3",
        tags=["docs", "test"],
        metadata={"app": "kb"},
        compression="gzip",
    )
    yield handler
    handler.shutdown()


def _io(value: str) -> Any:
    """Langfuse sends string inputs/outputs as they are and everything else as JSON."""
    return json.loads(value) if value[:1] in ("[", "{") else value


def _meta(value: str) -> Any:
    """Metadata strings: JSON-encoded by SDK 5, sent as they are by SDK 4."""
    return json.loads(value) if value.startswith('"') else value


def _by_name(spans: list[Any], name: str) -> list[Any]:
    return [span for span in spans if span.name == name]


def _run_query(handler: LangfuseCallbackHandler) -> tuple[Any, TokenCountingHandler, MockLLM]:
    counter = TokenCountingHandler()
    manager = CallbackManager([handler, counter])
    llm = MockLLM(max_tokens=8, callback_manager=manager)
    index = VectorStoreIndex.from_documents(
        [Document(text="Dovetail joints are strong."), Document(text="Mortise and tenon joints are old.")],
        embed_model=MockEmbedding(embed_dim=8, callback_manager=manager),
        callback_manager=manager,
    )
    counter.reset_counts()
    response = index.as_query_engine(llm=llm, similarity_top_k=1).query("What is strong?")
    return response, counter, llm


def test_query_pipeline_span_tree(handler: LangfuseCallbackHandler, receiver: Any, keys: tuple[str, str]) -> None:
    response, counter, llm = _run_query(handler)
    assert handler.flush()
    spans = receiver.wait_for(lambda s: bool(_by_name(receiver.for_key(keys[0]), "llm")))
    spans = receiver.for_key(keys[0])

    [llm_span] = _by_name(spans, "llm")
    trace_spans = [s for s in spans if s.trace_id == llm_span.trace_id]
    names = sorted(s.name for s in trace_spans)
    assert names == ["embedding", "llm", "query", "query", "retrieve", "synthesize"]
    [root] = [s for s in trace_spans if s.parent_id == ""]
    assert root.name == "query"
    assert handler.last_trace_id == root.trace_id
    assert handler.current_trace_id() is None  # the trace is over
    assert _meta(root.attributes["langfuse.observation.metadata.dovetail.trace_id"]) == "query"
    by_id = {s.span_id: s for s in trace_spans}

    def parent(span: Any) -> Any:
        return by_id[span.parent_id]

    [query_event] = [s for s in trace_spans if s.name == "query" and s is not root]
    [retrieve] = _by_name(trace_spans, "retrieve")
    [embedding] = _by_name(trace_spans, "embedding")
    [synthesize] = _by_name(trace_spans, "synthesize")
    assert parent(query_event) is root
    assert parent(retrieve) is query_event
    assert parent(synthesize) is query_event
    assert parent(embedding) is retrieve
    assert parent(llm_span) is synthesize

    # Observation types: LLM events are generations, the rest spans.
    assert llm_span.attributes[TYPE] == "generation"
    assert {s.attributes[TYPE] for s in trace_spans if s is not llm_span} == {"span"}

    # Generation details: model, input prompt, output text, usage, latency.
    attrs = llm_span.attributes
    assert attrs["langfuse.observation.model.name"] == llm.metadata.model_name
    prompt = _io(attrs["langfuse.observation.input"])
    assert "What is strong?" in prompt
    assert "Dovetail joints are strong." in prompt
    assert _io(attrs["langfuse.observation.output"]) == response.response
    usage = json.loads(attrs["langfuse.observation.usage_details"])
    [counted] = counter.llm_token_counts
    assert usage == {
        "input": counted.prompt_token_count,
        "output": counted.completion_token_count,
        "total": counted.total_token_count,
    }
    assert usage["output"] > 0
    assert json.loads(attrs["langfuse.observation.model.parameters"]).get("max_tokens") == 8
    assert llm_span.end_ns > llm_span.start_ns
    assert root.start_ns <= query_event.start_ns <= llm_span.start_ns <= llm_span.end_ns <= root.end_ns

    # Spans carry their inputs/outputs; the trace root gets the query and the answer.
    assert _io(retrieve.attributes["langfuse.observation.input"]) == "What is strong?"
    [node] = _io(retrieve.attributes["langfuse.observation.output"])
    assert node["text"] == "Dovetail joints are strong."
    assert _io(embedding.attributes["langfuse.observation.output"]) == {"embeddings": 1, "dimensions": 8}
    assert _io(root.attributes["langfuse.observation.input"]) == "What is strong?"
    assert _io(root.attributes["langfuse.observation.output"]) == response.response

    # Trace-level attributes reach every observation of the trace.
    for span in trace_spans:
        assert span.attributes["user.id"] == "user-7"
        assert span.attributes["session.id"] == "session-3"
        assert span.attributes["langfuse.trace.tags"] == ["docs", "test"]
        assert _meta(span.attributes["langfuse.trace.metadata.app"]) == "kb"


def test_no_key_is_ever_exported(handler: LangfuseCallbackHandler, receiver: Any, keys: tuple[str, str]) -> None:
    _run_query(handler)
    assert handler.flush()
    receiver.wait_for(lambda s: bool(_by_name(receiver.for_key(keys[0]), "llm")))
    public, secret = keys
    spans = receiver.for_key(public)
    assert spans
    for span in spans:
        rendered = json.dumps([span.attributes, span.resource, span.scope], default=str)
        assert public not in rendered, f"public key exported in {span.name}"
        assert secret not in rendered, f"secret key exported in {span.name}"
    with receiver.lock:
        bodies = [
            body
            for body, h in zip(receiver.raw_bodies, receiver.headers, strict=True)
            if h["x-langfuse-public-key"] == public
        ]
    assert bodies
    assert all(public.encode() not in body and secret.encode() not in body for body in bodies)
    # The keys travel only as credentials.
    with receiver.lock:
        headers = [h for h in receiver.headers if h.get("x-langfuse-public-key") == public]
    assert headers[0]["authorization"].startswith("Basic ")
    assert headers[0]["content-encoding"] == "gzip"


def test_errors_mark_the_observation(handler: LangfuseCallbackHandler, receiver: Any, keys: tuple[str, str]) -> None:
    manager = CallbackManager([handler])

    def failing_query() -> None:
        with (
            manager.as_trace("query"),
            manager.event(CBEventType.QUERY, {EventPayload.QUERY_STR: "q"}),
            manager.event(CBEventType.LLM, {EventPayload.PROMPT: "p", EventPayload.MODEL_NAME: "m-1"}),
        ):
            raise RuntimeError("provider exploded")

    with pytest.raises(RuntimeError, match="provider exploded"):
        failing_query()
    handler.flush()
    spans = receiver.wait_for(lambda s: len(receiver.for_key(keys[0])) >= 3)
    spans = receiver.for_key(keys[0])
    [llm] = _by_name(spans, "llm")
    assert llm.attributes["langfuse.observation.level"] == "ERROR"
    assert llm.attributes["langfuse.observation.status_message"] == "RuntimeError: provider exploded"
    assert llm.status_code == 2  # OpenTelemetry STATUS_CODE_ERROR
    [root] = [s for s in spans if s.parent_id == ""]
    assert root.attributes["langfuse.observation.level"] == "ERROR"


def test_parents_follow_parent_id_across_threads_and_tasks(
    handler: LangfuseCallbackHandler, receiver: Any, keys: tuple[str, str]
) -> None:
    manager = CallbackManager([handler])
    retrieve_ids: dict[int, str] = {}
    embed_ids: dict[int, str] = {}

    async def one(i: int) -> None:
        with manager.event(CBEventType.RETRIEVE, {EventPayload.QUERY_STR: f"q{i}"}) as retrieve:
            retrieve_ids[i] = retrieve.event_id
            await asyncio.sleep(0.01 * (5 - i))  # interleave starts and ends across tasks
            with manager.event(CBEventType.EMBEDDING) as embed:
                embed_ids[i] = embed.event_id
                await asyncio.sleep(0.001 * i)
                embed.on_end({EventPayload.CHUNKS: [f"q{i}"], EventPayload.EMBEDDINGS: [[0.0] * 4]})

    async def run() -> None:
        await asyncio.gather(*(one(i) for i in range(5)))

    with manager.as_trace("query"):
        inside = handler.current_trace_id()
        asyncio.run(run())
        # Events started in a plain thread with an explicit parent_id still nest under that parent.
        parent = manager.on_event_start(CBEventType.SYNTHESIZE, {EventPayload.QUERY_STR: "s"})
        child_ids: list[str] = []

        def worker() -> None:
            child_ids.append(manager.on_event_start(CBEventType.LLM, {EventPayload.PROMPT: "x"}, parent_id=parent))

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        manager.on_event_end(CBEventType.SYNTHESIZE, {}, event_id=parent)  # parent ends before its child
        manager.on_event_end(CBEventType.LLM, {EventPayload.COMPLETION: "y"}, event_id=child_ids[0])
    handler.flush()
    spans = receiver.wait_for(lambda s: len(receiver.for_key(keys[0])) >= 13)
    spans = receiver.for_key(keys[0])
    by_event = {_meta(s.attributes[EVENT_ID]): s for s in spans if EVENT_ID in s.attributes}
    for i in range(5):
        assert by_event[embed_ids[i]].parent_id == by_event[retrieve_ids[i]].span_id
    assert by_event[child_ids[0]].parent_id == by_event[parent].span_id
    assert {s.trace_id for s in spans} == {inside}


def test_llm_call_outside_a_trace_is_its_own_trace(
    handler: LangfuseCallbackHandler, receiver: Any, keys: tuple[str, str]
) -> None:
    llm = MockLLM(max_tokens=4, callback_manager=CallbackManager([handler]))
    llm.complete("hello there")
    llm.complete("second call")
    handler.flush()
    receiver.wait_for(lambda s: len(receiver.for_key(keys[0])) >= 2)
    generations = receiver.for_key(keys[0])
    assert [g.parent_id for g in generations] == ["", ""]
    assert generations[0].trace_id != generations[1].trace_id
    assert {_io(g.attributes["langfuse.observation.input"]) for g in generations} == {
        "hello there",
        "second call",
    }


def test_capture_content_off_keeps_only_structure(receiver: Any, keys: tuple[str, str]) -> None:
    handler = LangfuseCallbackHandler(*keys, host=receiver.url, capture_content=False)
    try:
        _run_query(handler)
        handler.flush()
        receiver.wait_for(lambda s: bool(_by_name(receiver.for_key(keys[0]), "llm")))
        spans = receiver.for_key(keys[0])
        assert not [s for s in spans if "langfuse.observation.input" in s.attributes]
        assert not [s for s in spans if "langfuse.observation.output" in s.attributes]
        [llm] = _by_name(spans, "llm")
        assert "langfuse.observation.usage_details" in llm.attributes
        assert llm.attributes["langfuse.observation.model.name"]
    finally:
        handler.shutdown()


async def test_async_pipeline(handler: LangfuseCallbackHandler, receiver: Any, keys: tuple[str, str]) -> None:
    manager = CallbackManager([handler])
    llm = MockLLM(max_tokens=4, callback_manager=manager)
    with manager.as_trace("chat"):
        await asyncio.gather(llm.acomplete("one"), llm.acomplete("two"))
    handler.flush()
    receiver.wait_for(lambda s: len(receiver.for_key(keys[0])) >= 3)
    spans = receiver.for_key(keys[0])
    [root] = [s for s in spans if s.name == "chat"]
    generations = _by_name(spans, "llm")
    assert len(generations) == 2
    assert all(g.parent_id == root.span_id for g in generations)


def test_events_that_never_end_are_bounded(
    handler: LangfuseCallbackHandler, receiver: Any, keys: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dovetail.callbacks.langfuse import base

    monkeypatch.setattr(base, "MAX_OPEN_EVENTS", 3)
    for i in range(5):
        handler.on_event_start(CBEventType.RETRIEVE, {EventPayload.QUERY_STR: f"q{i}"}, event_id=f"e{i}")
    assert len(handler._open) == 3
    handler.flush()
    spans = receiver.wait_for(lambda s: len(receiver.for_key(keys[0])) >= 2)
    spans = receiver.for_key(keys[0])
    assert sorted(_meta(s.attributes[EVENT_ID]) for s in spans) == ["e0", "e1"]
    assert {s.attributes["langfuse.observation.level"] for s in spans} == {"WARNING"}
