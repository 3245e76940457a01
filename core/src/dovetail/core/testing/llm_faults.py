"""Fault checks every provider LLM's tests run against its loopback server: one retry layer (dovetail's),
``Retry-After`` honoured, typed errors once retries run out.

The servers answer a prompt with ``"echo: <prompt>"`` (:mod:`dovetail.core.testing.fakes`); ``make_llm`` is the
package's fixture factory (keyword arguments override its defaults).

Example:
    ```python
    @pytest.mark.parametrize("status", [500, 503])
    def test_5xx_retried_then_typed(make_llm, server, status):
        check_5xx_retried_then_typed(make_llm, server, "/v1/chat", status, provider="acme")
    ```
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from dovetail.core.errors import ProviderError
from dovetail.core.testing.loopback import LoopbackHTTPServer

__all__ = ["check_5xx_retried_then_typed", "check_retry_after_honoured"]

MakeLLM = Callable[..., Any]


def check_retry_after_honoured(make_llm: MakeLLM, server: LoopbackHTTPServer, path: str, *, wait: float = 0.3) -> None:
    """Two 429 answers with ``Retry-After: wait`` on ``path``: the third attempt answers, and each attempt
    came at least ``wait`` (less 20 ms of timer slack) after the one before."""
    server.add_fault(status=429, headers={"Retry-After": str(wait)}, path=path, times=2)
    assert make_llm().complete("hi").text == "echo: hi"
    attempts = server.requests_to(path)
    assert len(attempts) == 3
    gaps = [b.at - a.at for a, b in itertools.pairwise(attempts)]
    assert all(gap >= wait - 0.02 for gap in gaps), gaps


def check_5xx_retried_then_typed(
    make_llm: MakeLLM, server: LoopbackHTTPServer, path: str, status: int, *, provider: str
) -> ProviderError:
    """One ``status`` answer on ``path`` is retried and the call answers; when every attempt fails, the call
    raises :class:`ProviderError` with the status and ``provider`` after ``max_retries=1`` (two attempts: the
    SDK's own retries are off). Returns that error for further checks."""
    server.add_fault(status=status, path=path, times=1)
    assert make_llm().complete("hi").text == "echo: hi"
    server.add_fault(status=status, path=path, times=5)
    with pytest.raises(ProviderError) as info:
        make_llm(max_retries=1).complete("hi")
    assert (info.value.status, info.value.provider) == (status, provider)
    assert len(server.requests_to(path)) == 4
    return info.value
