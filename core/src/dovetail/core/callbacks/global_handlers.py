"""LlamaIndex's ``set_global_handler``: one handler on ``Settings.callback_manager`` by name.

``set_global_handler("simple")`` prints every LLM call; any other name is a callback provider installed as a
package (``set_global_handler("langfuse", public_key=..., secret_key=...)`` with ``dovetail-callbacks-langfuse``),
built with the keyword arguments given.

Example:
    ```python
    from dovetail.core import set_global_handler

    handler = set_global_handler("langfuse")  # keys from LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY
    ...
    handler.flush()
    ```
"""

from __future__ import annotations

from typing import Any

from dovetail.core.callbacks._base import BaseCallbackHandler

__all__ = ["create_global_handler", "get_global_handler", "set_global_handler"]

_installed: list[BaseCallbackHandler] = []


def create_global_handler(eval_mode: str, **eval_params: Any) -> BaseCallbackHandler:
    """The handler ``eval_mode`` names, built with ``eval_params``.

    Raises:
        ConfigurationError: no callback provider of that name is installed (the message names the package).
        TypeError: ``eval_params`` has a keyword the handler does not take (the closest is named).
    """
    from dovetail.core.registry import load_provider_class

    mode = eval_mode.strip().lower() if isinstance(eval_mode, str) else eval_mode
    if mode == "simple":
        from dovetail.core.callbacks._simple_llm import SimpleLLMHandler

        return SimpleLLMHandler(**eval_params)
    handler_cls = load_provider_class("callbacks", mode)
    handler = handler_cls(**eval_params)
    if not isinstance(handler, BaseCallbackHandler):
        msg = f"callbacks provider {mode!r} built a {type(handler).__name__}, not a BaseCallbackHandler"
        raise TypeError(msg)
    return handler


def set_global_handler(eval_mode: str, **eval_params: Any) -> BaseCallbackHandler:
    """Put the handler ``eval_mode`` names on ``Settings.callback_manager``, replacing the one set before.

    Returns the handler (LlamaIndex keeps it in ``llama_index.core.global_handler``; use the return value or
    :func:`get_global_handler`, e.g. to ``flush()`` it). Objects built with their own ``callback_manager`` keep it.

    Raises:
        ConfigurationError: no callback provider of that name is installed.
    """
    from dovetail.core.settings import Settings

    handler = create_global_handler(eval_mode, **eval_params)
    manager = Settings.callback_manager
    while _installed:
        manager.remove_handler(_installed.pop())
    manager.add_handler(handler)
    _installed.append(handler)
    return handler


def get_global_handler() -> BaseCallbackHandler | None:
    """The handler :func:`set_global_handler` set last, or ``None``."""
    return _installed[-1] if _installed else None
