"""index.as_chat_engine and ChatMemoryBuffer as LlamaIndex documents them."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.callbacks import BaseCallbackHandler
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.chat_engine import AgentChatResponse
from dovetail.core.chat_engine import CondensePlusContextChatEngine
from dovetail.core.chat_engine import ContextChatEngine
from dovetail.core.chat_engine import SimpleChatEngine
from dovetail.core.chat_engine import StreamingAgentChatResponse
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import MessageRole
from dovetail.core.memory import ChatMemoryBuffer
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import Document
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.tokenizers import get_tokenizer

from ._llm import RecordingLLM

FACTS = {
    "oak": "Oak is a hard wood used for floors.",
    "teak": "Teak is an oily wood that resists water.",
    "pine": "Pine is a soft cheap wood.",
}


def index() -> VectorStoreIndex:
    documents = [Document(id_=k, text=v, metadata={"wood": k}) for k, v in FACTS.items()]
    return VectorStoreIndex.from_documents(
        documents,
        embed_model=MockEmbedding(embed_dim=8),
        transformations=[SentenceSplitter(chunk_size=64, chunk_overlap=0)],
    )


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


def assistant(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.ASSISTANT, content=text)


def test_memory_buffer_returns_latest_messages_within_token_limit() -> None:
    tokens = get_tokenizer()
    messages = [user("first question " * 5), assistant("first answer " * 5), user("second question"), assistant("ok")]
    costs = [len(tokens(f"{m.role.value}: {m.content}")) for m in messages]
    memory = ChatMemoryBuffer.from_defaults(token_limit=sum(costs[1:]), chat_history=messages)
    assert memory.get() == messages[2:]  # the budget reaches the first answer, which may not lead
    assert memory.get_all() == messages
    wide = ChatMemoryBuffer.from_defaults(token_limit=sum(costs), chat_history=messages)
    assert wide.get() == messages
    assert wide.get(initial_token_count=costs[0]) == messages[2:]
    with pytest.raises(InvalidInputError):
        wide.get(initial_token_count=sum(costs) + 1)
    wide.reset()
    assert wide.get_all() == []
    assert ChatMemoryBuffer.from_defaults(llm=RecordingLLM(context_window=1000)).token_limit == 750
    with pytest.raises(InvalidInputError):
        ChatMemoryBuffer(token_limit=0)


def test_simple_mode_keeps_history_and_resets() -> None:
    llm = RecordingLLM()
    engine = index().as_chat_engine(chat_mode="simple", llm=llm, system_prompt="Be brief.")
    assert isinstance(engine, SimpleChatEngine)
    first = engine.chat("Hello there")
    assert isinstance(first, AgentChatResponse)
    assert str(first) == "answer 1"
    assert first.source_nodes == []
    engine.chat("What did I say?")
    assert "Be brief." in llm.prompts[1]
    assert "Hello there" in llm.prompts[1]
    assert "answer 1" in llm.prompts[1]
    assert [m.content for m in engine.chat_history] == ["Hello there", "answer 1", "What did I say?", "answer 2"]
    engine.reset()
    assert engine.chat_history == []


def test_context_mode_puts_retrieved_nodes_in_system_message() -> None:
    llm = RecordingLLM()
    engine = index().as_chat_engine(chat_mode="context", llm=llm, similarity_top_k=3)
    assert isinstance(engine, ContextChatEngine)
    response = engine.chat("Which wood resists water?")
    assert len(response.source_nodes) == 3
    assert "Teak is an oily wood" in llm.prompts[0]
    assert response.sources[0].tool_name == "retriever"


class OnlyTeak:
    def postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        return [n for n in nodes if n.node.metadata["wood"] == "teak"]


async def test_condense_plus_context_rewrites_follow_ups_sync_and_async() -> None:
    llm = RecordingLLM()
    engine = index().as_chat_engine(
        chat_mode="condense_plus_context", llm=llm, similarity_top_k=3, node_postprocessors=[OnlyTeak()]
    )
    assert isinstance(engine, CondensePlusContextChatEngine)
    first = engine.chat("Tell me about teak")
    assert [n.node.metadata["wood"] for n in first.source_nodes] == ["teak"]
    assert engine.last_condensed_question == "Tell me about teak"  # first turn: no rewrite call
    assert len(llm.prompts) == 1
    second = await engine.achat("Is it waterproof?")
    assert len(llm.prompts) == 3  # one rewrite + one answer
    assert "Tell me about teak" in llm.prompts[1]
    assert "Is it waterproof?" in llm.prompts[1]
    assert engine.last_condensed_question == "answer 2"
    assert str(second) == "answer 3"
    assert len(engine.chat_history) == 4


def test_stream_chat_enters_memory_once_consumed() -> None:
    llm = RecordingLLM()
    engine = index().as_chat_engine(chat_mode="context", llm=llm)
    streamed = engine.stream_chat("What is oak?")
    assert isinstance(streamed, StreamingAgentChatResponse)
    assert engine.chat_history == []
    assert list(streamed.response_gen) == ["answer", " 1"]
    assert streamed.response == "answer 1"
    assert [m.content for m in engine.chat_history] == ["What is oak?", "answer 1"]


async def test_astream_chat() -> None:
    engine = index().as_chat_engine(chat_mode="condense_plus_context", llm=RecordingLLM())
    streamed = await engine.astream_chat("What is pine?")
    assert [piece async for piece in streamed.async_response_gen()] == ["answer", " 1"]
    assert [m.role for m in engine.chat_history] == [MessageRole.USER, MessageRole.ASSISTANT]


def test_chat_history_argument_and_errors() -> None:
    llm = RecordingLLM()
    engine = index().as_chat_engine(chat_mode="simple", llm=llm)
    engine.chat("And then?", chat_history=[user("Once upon a time"), assistant("there was oak")])
    assert "there was oak" in llm.prompts[0]
    with pytest.raises(TypeError, match="similarity_top_k"):
        index().as_chat_engine(chat_mode="context", llm=llm, similarity_topk=2)
    with pytest.raises(InvalidInputError, match="condense_plus_context"):
        index().as_chat_engine(chat_mode="react", llm=llm)
    with pytest.raises(ConfigurationError, match=r"Settings\.llm"):
        index().as_chat_engine(chat_mode="simple")


class Traces(BaseCallbackHandler):
    def __init__(self) -> None:
        super().__init__([], [])
        self.traces: list[str] = []
        self.events: list[CBEventType] = []

    def on_event_start(
        self, event_type: CBEventType, payload: Any = None, event_id: str = "", parent_id: str = "", **kwargs: Any
    ) -> str:
        self.events.append(event_type)
        return event_id

    def on_event_end(self, event_type: CBEventType, payload: Any = None, event_id: str = "", **kwargs: Any) -> None:
        return None

    def start_trace(self, trace_id: str | None = None) -> None:
        self.traces.append(str(trace_id))

    def end_trace(self, trace_id: str | None = None, trace_map: Any = None) -> None:
        return None


def test_each_turn_is_one_chat_trace_with_retrieve_and_llm_events() -> None:
    handler = Traces()
    manager = CallbackManager([handler])
    llm = RecordingLLM(callback_manager=manager)
    engine = index().as_chat_engine(chat_mode="context", llm=llm, callback_manager=manager)
    engine.chat("What is teak?")
    assert handler.traces == ["chat"]
    assert CBEventType.RETRIEVE in handler.events
    assert CBEventType.LLM in handler.events
