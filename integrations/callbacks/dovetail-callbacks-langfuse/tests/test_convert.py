"""Pure payload → observation field mapping (no SDK, no server)."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.callbacks.langfuse._convert import end_fields
from dovetail.callbacks.langfuse._convert import jsonable
from dovetail.callbacks.langfuse._convert import start_fields
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import MessageRole
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import TextNode


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (3, 3),
        (float("nan"), "nan"),
        ("x" * 120, "x" * 100 + "... [20 more chars]"),
        (CBEventType.LLM, "llm"),
        (ValueError("bad"), "ValueError: bad"),
        ([0.5] * 384, "<vector dim=384>"),
        ([[0.5] * 20, [0.1] * 20], ["<vector dim=20>", "<vector dim=20>"]),
        ({"k": (1, 2)}, {"k": [1, 2]}),
        (list(range(60)), [*range(50), "... 10 more items"]),
        (ChatMessage(role=MessageRole.USER, content="hi"), {"role": "user", "content": "hi"}),
        (CompletionResponse(text="done"), "done"),
        (
            NodeWithScore(node=TextNode(id_="n1", text="body"), score=0.25),
            {"id": "n1", "score": 0.25, "text": "body"},
        ),
    ],
)
def test_jsonable(value: Any, expected: Any) -> None:
    assert jsonable(value, max_chars=100) == expected


def test_jsonable_survives_odd_objects() -> None:
    class Weird:
        def __str__(self) -> str:
            return "weird"

    assert jsonable({"o": Weird(), 1: object()}, 100)["o"] == "weird"


def test_llm_chat_start_and_end() -> None:
    messages = [ChatMessage(role=MessageRole.SYSTEM, content="be brief"), ChatMessage(role="user", content="hi")]
    start = start_fields(
        CBEventType.LLM,
        {
            EventPayload.MESSAGES: messages,
            EventPayload.MODEL_NAME: "gpt-x",
            EventPayload.SERIALIZED: {"temperature": 0.2, "api_key": "sk-no", "max_tokens": 9, "stop": ["\n"]},
            EventPayload.ADDITIONAL_KWARGS: {"top_p": 0.9, "headers": {"Authorization": "Bearer no"}},
        },
        1000,
    )
    assert start.input == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    assert start.model == "gpt-x"
    assert start.model_parameters == {"temperature": 0.2, "max_tokens": 9, "stop": ["\n"], "top_p": 0.9}
    response = ChatResponse(
        message=ChatMessage(role=MessageRole.ASSISTANT, content="hello"),
        additional_kwargs={"prompt_tokens": 7, "completion_tokens": 2},
    )
    end = end_fields(CBEventType.LLM, {EventPayload.RESPONSE: response}, 1000)
    assert end.output == {"role": "assistant", "content": "hello"}
    assert end.usage == {"input": 7, "output": 2, "total": 9}
    assert end.level is None


def test_usage_payload_wins_and_model_from_serialized() -> None:
    start = start_fields(CBEventType.LLM, {EventPayload.PROMPT: "p", EventPayload.SERIALIZED: {"model": "m"}}, 100)
    assert (start.input, start.model) == ("p", "m")
    end = end_fields(
        CBEventType.LLM,
        {
            EventPayload.COMPLETION: CompletionResponse(text="c", additional_kwargs={"prompt_tokens": 1}),
            EventPayload.USAGE: {"prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 10},
        },
        100,
    )
    assert end.usage == {"input": 4, "output": 5, "total": 10}


def test_exception_sets_error_level() -> None:
    end = end_fields(CBEventType.RETRIEVE, {EventPayload.EXCEPTION: TimeoutError("slow")}, 100)
    assert (end.level, end.status_message, end.output) == ("ERROR", "TimeoutError: slow", None)


def test_embedding_never_sends_vectors() -> None:
    end = end_fields(
        CBEventType.EMBEDDING, {EventPayload.CHUNKS: ["a", "b"], EventPayload.EMBEDDINGS: [[0.1] * 3] * 2}, 100
    )
    assert end.input == ["a", "b"]
    assert end.output == {"embeddings": 2, "dimensions": 3}


@pytest.mark.parametrize(
    ("event_type", "payload", "expected"),
    [
        (CBEventType.RETRIEVE, {EventPayload.QUERY_STR: "q"}, "q"),
        (CBEventType.QUERY, {"query_str": "plain key"}, "plain key"),
        (
            CBEventType.TEMPLATING,
            {EventPayload.TEMPLATE: "t {x}", EventPayload.TEMPLATE_VARS: {"x": 1}},
            {"template": "t {x}", "template_vars": {"x": 1}},
        ),
        (CBEventType.NODE_PARSING, {EventPayload.DOCUMENTS: ["d1"], EventPayload.SERIALIZED: {"x": 1}}, ["d1"]),
        (CBEventType.SYNTHESIZE, {EventPayload.SERIALIZED: {"only": "bookkeeping"}}, None),
    ],
)
def test_span_inputs(event_type: CBEventType, payload: dict[Any, Any], expected: Any) -> None:
    assert start_fields(event_type, payload, 100).input == expected


def test_empty_payloads() -> None:
    assert start_fields(CBEventType.LLM, None, 100).input is None
    assert end_fields(CBEventType.LLM, {}, 100).output is None
