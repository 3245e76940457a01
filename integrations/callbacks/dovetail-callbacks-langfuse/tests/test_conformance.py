"""The callback-handler conformance kit, exporting to the loopback receiver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.callbacks.langfuse import LangfuseCallbackHandler
from dovetail.core.testing import CallbackHandlerConformance

pytestmark = pytest.mark.integration


class TestLangfuseConformance(CallbackHandlerConformance):
    @pytest.fixture
    def handler(self, receiver: Any, keys: tuple[str, str]) -> Iterator[LangfuseCallbackHandler]:
        handler = LangfuseCallbackHandler(*keys, host=receiver.url, user_id="kit")
        yield handler
        handler.shutdown()
