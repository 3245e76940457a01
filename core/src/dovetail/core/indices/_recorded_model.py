"""Rebuilding the embedding model an index recorded — without calling a paid remote API unasked.

An index records the ``"provider:model"`` spec that embedded it, so later queries embed alike. An index can come
from elsewhere (downloaded, shared), and its record alone must not make dovetail send the user's questions to a
remote provider billed to the user's key. A recorded spec of a local provider (the ONNX embedder, the mock) is
used as is; a remote one only with the user's explicit consent: ``embed_model=`` / ``Settings.embed_model`` /
``dovetail query --embed SPEC``, ``[defaults] embed_model = SPEC`` in ``dovetail.toml``, or
``allow_remote=True``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._exceptions import ConfigurationError

if TYPE_CHECKING:
    from dovetail.core.embeddings import BaseEmbedding

__all__ = ["LOCAL_EMBED_PROVIDERS", "is_local_spec", "resolve_recorded_embed_model"]

LOCAL_EMBED_PROVIDERS = frozenset({"default", "local", "mock", "onnx"})
"""Providers that embed on this machine; every other provider is treated as remote (and possibly billed)."""


def is_local_spec(spec: str) -> bool:
    """Whether ``spec`` names a provider that embeds locally."""
    return spec.strip().partition(":")[0].strip().lower() in LOCAL_EMBED_PROVIDERS


def _configured_default() -> str | None:
    from dovetail.core.config import load_config

    value = load_config().defaults().embed_model
    return value.strip() if isinstance(value, str) else None


def resolve_recorded_embed_model(spec: str, *, allow_remote: bool = False) -> BaseEmbedding:
    """The embedding model of a recorded ``spec``, refusing a remote provider the user did not choose.

    Raises:
        ConfigurationError: ``spec`` names a remote provider and neither ``allow_remote`` nor the config's
            ``[defaults] embed_model`` confirms it (the message says how to), or the provider is not installed.
    """
    from dovetail.core.settings import resolve_embed_model

    if not (allow_remote or is_local_spec(spec) or _configured_default() == spec.strip()):
        msg = (
            f"this index was embedded with {spec!r}, a remote provider: using it sends every query (and every "
            f"ingested text) to that provider, billed to your key. Confirm with `--embed {spec}` "
            f"(or embed_model={spec!r} / Settings.embed_model in Python), or set [defaults] "
            f'embed_model = "{spec}" in dovetail.toml'
        )
        raise ConfigurationError(msg)
    try:
        return resolve_embed_model(spec)
    except ConfigurationError as exc:
        msg = f"this index was embedded with {spec!r}, which cannot be loaded here: {exc}"
        raise ConfigurationError(msg) from exc
