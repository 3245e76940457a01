"""``Settings`` as LlamaIndex: the callback manager reaches models read later, ``embed_model = None`` disables."""

from __future__ import annotations

import pytest
from dovetail.core import Settings
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import TokenCountingHandler
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.llms import MockLLM
from dovetail.core.settings import resolve_embed_model


def test_callback_manager_set_after_llm_reaches_the_llm() -> None:
    Settings.llm = MockLLM()
    handler = TokenCountingHandler()
    Settings.callback_manager = CallbackManager([handler])
    llm = Settings.llm
    assert llm is not None
    llm.complete("count these words please")
    assert handler.llm_token_counts, "no LLM event reached the global handler"
    assert handler.total_llm_token_count > 0


def test_callback_manager_set_after_embed_model_reaches_the_embedder() -> None:
    Settings.embed_model = MockEmbedding(embed_dim=4)
    handler = TokenCountingHandler()
    Settings.callback_manager = CallbackManager([handler])
    Settings.embed_model.get_text_embedding_batch(["one text", "two texts"])
    assert handler.total_embedding_token_count > 0


def test_without_a_global_manager_the_llm_keeps_its_own() -> None:
    own = CallbackManager()
    Settings.llm = MockLLM(callback_manager=own)
    assert Settings.llm is not None
    assert Settings.llm.callback_manager is own


@pytest.mark.parametrize("factory", [MockLLM, lambda **kw: MockEmbedding(embed_dim=3, **kw)])
def test_callback_manager_none_is_accepted(factory: object) -> None:
    model = factory(callback_manager=None)  # type: ignore[operator]
    assert isinstance(model.callback_manager, CallbackManager)


def test_embed_model_none_disables_embeddings_with_a_mock() -> None:
    Settings.embed_model = None
    model = Settings.embed_model
    assert isinstance(model, MockEmbedding)
    assert len(model.get_query_embedding("anything")) == 1
    assert isinstance(resolve_embed_model(None), MockEmbedding)


def test_events_of_the_llm_carry_the_llm_type() -> None:
    seen: list[CBEventType] = []

    class Recorder(TokenCountingHandler):
        def on_event_start(self, event_type, payload=None, event_id="", parent_id="", **kwargs):  # type: ignore[no-untyped-def]
            seen.append(event_type)
            return super().on_event_start(event_type, payload, event_id, parent_id, **kwargs)

    Settings.llm = MockLLM()
    Settings.callback_manager = CallbackManager([Recorder()])
    assert Settings.llm is not None
    Settings.llm.complete("hello")
    assert CBEventType.LLM in seen
