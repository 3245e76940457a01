"""Packaging contract: exact public API, entry point, lazy SDK import, SDK singleton handling."""

from __future__ import annotations

import logging
import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

import dovetail.callbacks.langfuse as package
import pytest
from dovetail.callbacks.langfuse import LangfuseCallbackHandler
from dovetail.core.callbacks import CallbackManager, CBEventType
from dovetail.core.testing import public_names


def test_public_api_is_exact() -> None:
    assert sorted(package.__all__) == public_names(package)
    assert "LangfuseCallbackHandler" in package.__all__


def test_entry_point_loads_the_handler() -> None:
    [entry] = [ep for ep in entry_points(group="dovetail.callbacks") if ep.name == "langfuse"]
    assert entry.load() is LangfuseCallbackHandler


def test_importing_does_not_import_the_sdk() -> None:
    code = "import sys, dovetail.callbacks.langfuse; print('langfuse' in sys.modules, 'opentelemetry' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


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
