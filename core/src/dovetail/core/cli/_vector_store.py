"""``--vector-store URI``: keep an index's vectors in a server-side store instead of the index directory.

The URI's scheme names the provider (``postgresql://`` → ``dovetail-vector-stores-postgres``); the provider's
class builds itself with ``from_uri`` and renders ``public_uri()`` (no password), which the index records so
later ``ingest`` and ``query`` runs reopen the same store. Secrets stay out of the index directory: the store
resolves its password from dovetail.toml or the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.cli._errors import CLIError

if TYPE_CHECKING:
    from dovetail.core.storage import SimpleIndexStore

__all__ = ["VECTOR_STORE_KEY", "open_vector_store", "recorded_vector_store"]

VECTOR_STORE_KEY = "vector_store"
_SCHEMES = {"postgresql": "postgres"}


def open_vector_store(uri: str) -> Any:
    """The vector store a ``scheme://...`` URI names.

    Raises:
        CLIError: not a URI, the provider is not installed, or it cannot be opened from a URI.
    """
    from dovetail.core._exceptions import ConfigurationError
    from dovetail.core.registry import load_provider_class

    scheme, separator, _ = uri.partition("://")
    if not separator or not scheme:
        msg = f"--vector-store takes a URI such as postgresql://user@host:5432/db?table=docs, got {uri[:40]!r}"
        raise CLIError(msg)
    provider = scheme.lower().split("+")[0]
    provider = _SCHEMES.get(provider, provider)
    try:
        cls = load_provider_class("vector_stores", provider)
    except ConfigurationError as exc:
        raise CLIError(str(exc)) from None
    if not callable(getattr(cls, "from_uri", None)) or not callable(getattr(cls, "public_uri", None)):
        msg = f"the {provider!r} vector store cannot be opened from a URI; use the Python API"
        raise CLIError(msg)
    return cls.from_uri(uri)


def recorded_vector_store(index_dir: Path, index_store: SimpleIndexStore | None = None) -> str | None:
    """The vector-store URI recorded in the index at ``index_dir`` (``None``: vectors live in the directory).

    ``index_store``: the directory's index store when the caller has read it already (it is not read again).
    """
    from dovetail.core.storage import SimpleIndexStore
    from dovetail.core.storage._index_store import DEFAULT_INDEX_STORE_FILE

    if index_store is None:
        if not (index_dir / DEFAULT_INDEX_STORE_FILE).is_file():
            return None
        index_store = SimpleIndexStore.from_persist_dir(index_dir)
    struct = index_store.get_index_struct()
    recorded = struct.extra.get(VECTOR_STORE_KEY) if struct is not None else None
    return recorded if isinstance(recorded, str) else None
