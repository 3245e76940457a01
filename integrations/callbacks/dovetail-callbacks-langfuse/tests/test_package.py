"""Packaging contract: exact public API, entry point, lazy SDK import (the exports kit), namespace layout, SDK
singleton handling."""

from __future__ import annotations

import logging
from typing import Any

import dovetail.callbacks.langfuse as package
import pytest
from dovetail.callbacks.langfuse import LangfuseCallbackHandler
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.testing import ExportsConformance
from dovetail.core.testing.package_contract import assert_namespace_leaf


class TestExports(ExportsConformance):
    package = "dovetail.callbacks.langfuse"
    entry_points = {"langfuse": "LangfuseCallbackHandler"}
    not_imported = ("langfuse", "opentelemetry")


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)


@pytest.mark.integration
def test_same_public_key_twice_and_after_shutdown(
    receiver: Any, keys: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    first = LangfuseCallbackHandler(*keys, host=receiver.url)
    with caplog.at_level(logging.WARNING, logger="dovetail.callbacks.langfuse"):
        second = LangfuseCallbackHandler(*keys, host=receiver.url)
    assert "already exists in this process" in caplog.text
    second.shutdown()  # does not stop the pipeline it shares
    CallbackManager([first]).on_event_end(CBEventType.LLM, {}, event_id="none")
    manager = CallbackManager([first])
    with manager.event(CBEventType.RETRIEVE):
        pass
    first.flush()
    receiver.wait_for(lambda s: len(receiver.for_key(keys[0])) >= 1)
    first.shutdown()
    # A new handler with the same key after shutdown gets a working pipeline again.
    third = LangfuseCallbackHandler(*keys, host=receiver.url)
    try:
        with CallbackManager([third]).event(CBEventType.SYNTHESIZE):
            pass
        third.flush()
        receiver.wait_for(lambda s: any(x.name == "synthesize" for x in receiver.for_key(keys[0])))
    finally:
        third.shutdown()
