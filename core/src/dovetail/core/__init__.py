"""dovetail-core: abstractions and fast in-process defaults for LLM applications.

Importing ``dovetail.core`` is cheap: the names below are loaded on first use, and numpy, HTTP clients and
provider SDKs are imported only when something needs them.

Example:
    ```python
    from dovetail.core import VectorStoreIndex
    from dovetail.core.readers import SimpleDirectoryReader

    index = VectorStoreIndex.from_documents(SimpleDirectoryReader("docs").load_data())
    print(index.as_query_engine().query("What is a dovetail joint?"))
    ```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.indices import VectorStoreIndex, load_index_from_storage
    from dovetail.core.ingestion import IngestionPipeline
    from dovetail.core.prompts import PromptTemplate
    from dovetail.core.settings import Settings
    from dovetail.core.storage import StorageContext

_LAZY: dict[str, str] = {
    "IngestionPipeline": "dovetail.core.ingestion",
    "PromptTemplate": "dovetail.core.prompts",
    "Settings": "dovetail.core.settings",
    "StorageContext": "dovetail.core.storage",
    "VectorStoreIndex": "dovetail.core.indices",
    "load_index_from_storage": "dovetail.core.indices",
}

__all__ = [
    "IngestionPipeline",
    "PromptTemplate",
    "Settings",
    "StorageContext",
    "VectorStoreIndex",
    "__version__",
    "load_index_from_storage",
]

_lazy_getattr, __dir__ = lazy_exports(__name__, globals(), _LAZY)


def __getattr__(name: str) -> Any:
    # ``__version__`` comes from the installed distribution's metadata (one source: core/pyproject.toml), read on
    # first access so that ``import dovetail.core`` stays free of importlib.metadata.
    if name == "__version__":
        from importlib.metadata import version

        value = version("dovetail-core")
        globals()[name] = value
        return value
    return _lazy_getattr(name)
