"""Build pinecone SDK clients with the SDK's own retries off, so dovetail's retry layer is the only one.

pinecone 10.x retries 408/429/5xx and connection errors inside its httpx transport. ``Pinecone(retry_config=)``
reaches the control plane only: the REST data-plane ``Index``/``AsyncIndex`` are always built with the default
``RetryConfig()`` (3 retries) and take no retry option. So after building a data-plane client we replace its
HTTP client with one whose config carries ``RetryConfig(max_retries=0)``. That touches two private attributes
(``_config``, ``_http``); :func:`disable_sdk_retries` checks they still look as expected and reports failure
instead of guessing, and the store then turns its own retries off rather than retrying on top of the SDK's.
The tests count attempts on the server to prove one failed request is sent exactly once.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

__all__ = ["build_async_index", "build_control_client", "build_index", "disable_sdk_retries"]

logger = logging.getLogger(__name__)


def _no_retries() -> Any:
    from pinecone import RetryConfig

    return RetryConfig(max_retries=0)


def build_control_client(api_key: str, *, timeout: float, control_host: str | None) -> Any:
    """A control-plane ``Pinecone`` client with SDK retries off (no network I/O)."""
    from pinecone import Pinecone

    return Pinecone(api_key=api_key, host=control_host, timeout=timeout, retry_config=_no_retries())


def disable_sdk_retries(index: Any) -> bool:
    """Swap ``index``'s HTTP client for one that never retries; ``False`` when the SDK's layout is unknown."""
    try:
        from pinecone._internal.config import PineconeConfig
        from pinecone._internal.constants import DATA_PLANE_API_VERSION
        from pinecone._internal.http_client import AsyncHTTPClient
        from pinecone._internal.http_client import HTTPClient
    except ImportError:
        return False
    config = getattr(index, "_config", None)
    http = getattr(index, "_http", None)
    if not isinstance(config, PineconeConfig) or type(http) not in (HTTPClient, AsyncHTTPClient):
        return False
    new_config = dataclasses.replace(config, retry_config=_no_retries())
    if isinstance(http, HTTPClient):
        http.close()
        index._http = HTTPClient(new_config, DATA_PLANE_API_VERSION)
    else:
        # The async HTTP client opens its connection pool lazily, so nothing needs closing yet.
        index._http = AsyncHTTPClient(new_config, DATA_PLANE_API_VERSION)
    index._config = new_config
    return True


def _build(kind: str, host: str, api_key: str, timeout: float, retries: str) -> tuple[Any, bool]:
    import pinecone

    index = getattr(pinecone, kind)(host=host, api_key=api_key, timeout=timeout, source_tag="dovetail")
    off = disable_sdk_retries(index)
    if not off:
        logger.warning("pinecone: could not turn the SDK's %s retries off; dovetail will not retry", retries)
    return index, off


def build_index(*, host: str, api_key: str, timeout: float) -> tuple[Any, bool]:
    """A sync data-plane ``Index`` for ``host`` and whether its SDK retries are off (no network I/O)."""
    return _build("Index", host, api_key, timeout, "data-plane")


def build_async_index(*, host: str, api_key: str, timeout: float) -> tuple[Any, bool]:
    """An asyncio data-plane ``AsyncIndex`` for ``host`` and whether its SDK retries are off (no I/O)."""
    return _build("AsyncIndex", host, api_key, timeout, "async")
