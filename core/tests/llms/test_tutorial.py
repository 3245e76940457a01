"""The seeds' tutorial as a test: a custom LLM built on CustomLLM through public import paths only."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import TokenCountingHandler
from dovetail.core.llms import LLM
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import CompletionResponseGen
from dovetail.core.llms import CustomLLM
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MessageRole
from dovetail.core.prompts import PromptTemplate
from dovetail.core.testing import KitTestOverriddenError
from dovetail.core.testing import LLMConformance
from pydantic import SecretStr

API_KEY = "sk-tutorial-do-not-leak-123"


class MyLlamaIndexLLM(CustomLLM):
    """Custom wrapper as in the tutorial: only metadata, complete and stream_complete, no decorators."""

    model: str
    api_key: SecretStr
    temperature: float = 0.7

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name=self.model, context_window=1024, num_output=64)

    def api_call(self, prompt: str) -> dict[str, Any]:
        words = prompt.split()
        return {"text": f"[{self.model}] " + " ".join(reversed(words)), "metadata": {"words": len(words)}}

    # LlamaIndex's custom-LLM tutorial signature (no ``formatted``): it must keep working, typed or not.
    def complete(self, prompt: str, **kwargs: Any) -> CompletionResponse:  # type: ignore[override]
        response = self.api_call(prompt)
        return CompletionResponse(text=response["text"], additional_kwargs=response.get("metadata", {}))

    def stream_complete(self, prompt: str, **kwargs: Any) -> CompletionResponseGen:  # type: ignore[override]
        text = ""
        for word in self.api_call(prompt)["text"].split(" "):
            delta = word if not text else f" {word}"
            text += delta
            yield CompletionResponse(text=text, delta=delta)


def make_llm(**kwargs: Any) -> MyLlamaIndexLLM:
    return MyLlamaIndexLLM(model="tutorial-1", api_key=SecretStr(API_KEY), **kwargs)


class TestTutorialLLMConformance(LLMConformance):
    @pytest.fixture
    def llm(self) -> LLM:
        return make_llm()


def test_tutorial_llm_gets_chat_from_completion() -> None:
    llm = make_llm()
    response = llm.chat([ChatMessage(role="system", content="be brief"), ChatMessage(content="hello world")])
    assert response.message.role == MessageRole.ASSISTANT
    # chat → "system: be brief\nuser: hello world\nassistant: " → reversed words.
    assert response.message.content == "[tutorial-1] assistant: world hello user: brief be system:"
    assert response.additional_kwargs == {"words": 7}


def test_tutorial_llm_streams_chat_and_predicts() -> None:
    llm = make_llm()
    chunks = list(llm.stream_chat([ChatMessage(content="a b")]))
    assert chunks[-1].message.content == "[tutorial-1] assistant: b a user:"
    assert "".join(c.delta or "" for c in chunks) == chunks[-1].message.content
    assert llm.predict(PromptTemplate("x {y}"), y="z") == "[tutorial-1] z x"


async def test_tutorial_llm_async_twins() -> None:
    llm = make_llm()
    assert (await llm.acomplete("one two")).text == "[tutorial-1] two one"
    stream = await llm.astream_complete("one two")
    assert [c.delta async for c in stream] == ["[tutorial-1]", " two", " one"]


def test_tutorial_llm_counts_tokens_through_the_one_event_system() -> None:
    counter = TokenCountingHandler()
    llm = make_llm(callback_manager=CallbackManager([counter]))
    llm.complete("one two three")
    llm.chat([ChatMessage(content="four")])
    assert len(counter.llm_token_counts) == 2, "chat through completion is one event, not two"
    assert counter.total_llm_token_count > 0


def test_secret_stays_out_of_repr_and_dumps() -> None:
    llm = make_llm()
    for text in (repr(llm), str(llm), llm.model_dump_json(), str(llm._serialized())):
        assert API_KEY not in text
    assert llm.api_key.get_secret_value() == API_KEY


def test_kit_tests_cannot_be_overridden() -> None:
    with pytest.raises(KitTestOverriddenError, match="test_complete_returns_text"):

        class Cheating(LLMConformance):
            def test_complete_returns_text(self, llm: LLM) -> None:
                return None


def test_secret_looking_config_and_call_kwargs_stay_out_of_events() -> None:
    from dovetail.core.callbacks import CBEventType
    from dovetail.core.callbacks import EventPayload
    from dovetail.core.testing.events import EventRecorder

    class WithHeaders(MyLlamaIndexLLM):
        default_headers: dict[str, str] = {
            "Authorization": f"Bearer {API_KEY}",
            "x-api-key": API_KEY,
            "X-Auth-Token": API_KEY,
            "X-Custom-Sig": API_KEY,
            "ua": "t",
        }
        endpoint: str = f"https://user:{API_KEY}@example.com/v1"
        password: str = API_KEY

    recorder = EventRecorder()
    llm = WithHeaders(model="m", api_key=SecretStr(API_KEY), callback_manager=CallbackManager([recorder]))
    llm.complete("hi", api_key=API_KEY, extra_headers={"X-Auth-Token": API_KEY}, temperature=0.2)
    (start,) = [event for event in recorder.events if event.phase == "start"]
    event_type, payload = start.event_type, start.payload
    assert event_type == CBEventType.LLM
    assert API_KEY not in repr(payload)
    assert "default_headers" not in payload[EventPayload.SERIALIZED], "headers never go into payloads"
    assert payload[EventPayload.SERIALIZED]["endpoint"] == "https://***@example.com/v1"
    assert payload[EventPayload.SERIALIZED]["model"] == "m"
    assert payload[EventPayload.ADDITIONAL_KWARGS] == {"temperature": 0.2}
