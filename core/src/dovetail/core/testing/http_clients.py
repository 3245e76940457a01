"""Checks of an LLM built on the user's own HTTP clients (``http_client=`` / ``async_http_client=``)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["check_user_http_clients_stay_open"]


async def check_user_http_clients_stay_open(make_llm: Callable[..., Any], http: ModuleType) -> None:
    """``make_llm(http_client=..., async_http_client=...)`` builds an LLM pointed at a loopback server that
    answers ``"echo: <prompt>"``: it answers through the user's clients, closing it leaves them open (they are
    the user's to close), and a later call still answers through them.

    Args:
        make_llm: builds the LLM; keyword arguments are its settings.
        http: the SDK's HTTP library (``httpx`` or its successor): its ``Client`` and ``AsyncClient`` are used.
    """
    with http.Client() as sync_client:
        async with http.AsyncClient() as async_client:
            llm = make_llm(http_client=sync_client, async_http_client=async_client)
            assert llm.complete("hi").text == "echo: hi"
            assert (await llm.acomplete("hi")).text == "echo: hi"
            await llm.aclose()
            assert not sync_client.is_closed, "closing the LLM closed the user's http_client"
            assert not async_client.is_closed, "closing the LLM closed the user's async_http_client"
            assert llm.complete("again").text == "echo: again"
            await llm.aclose()
