"""Packaging contract: exact public API, entry point, lazy SDK import, SDK singleton handling."""

from __future__ import annotations

import logging
from typing import Any

import dovetail.callbacks.langfuse as package
import pytest
from dovetail.callbacks.langfuse import LangfuseCallbackHandler
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.testing import public_names
from dovetail.core.testing.package_contract import assert_imports_without
from dovetail.core.testing.package_contract import assert_namespace_leaf
from dovetail.core.testing.package_contract import entry_point_target


def test_public_api_is_exact() -> None:
    assert sorted(package.__all__) == public_names(package)
    assert "LangfuseCallbackHandler" in package.__all__


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)


def test_entry_point_loads_the_handler() -> None:
    assert entry_point_target("dovetail.callbacks", "langfuse") is LangfuseCallbackHandler


def test_importing_does_not_import_the_sdk() -> None:
    assert_imports_without("dovetail.callbacks.langfuse", ["langfuse", "opentelemetry"])


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
