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

from typing import TYPE_CHECKING
from typing import Any as _Any

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.callbacks.global_handlers import set_global_handler
    from dovetail.core.embeddings import MockEmbedding
    from dovetail.core.indices import SimpleKeywordTableIndex
    from dovetail.core.indices import SimpleKeywordTableIndex as GPTSimpleKeywordTableIndex
    from dovetail.core.indices import SummaryIndex
    from dovetail.core.indices import SummaryIndex as GPTListIndex
    from dovetail.core.indices import SummaryIndex as ListIndex
    from dovetail.core.indices import VectorStoreIndex
    from dovetail.core.indices import VectorStoreIndex as GPTVectorStoreIndex
    from dovetail.core.indices import load_index_from_storage
    from dovetail.core.indices import load_indices_from_storage
    from dovetail.core.ingestion import IngestionPipeline
    from dovetail.core.prompts import BasePromptTemplate
    from dovetail.core.prompts import ChatPromptTemplate
    from dovetail.core.prompts import PromptTemplate
    from dovetail.core.prompts import PromptTemplate as Prompt
    from dovetail.core.readers import SimpleDirectoryReader
    from dovetail.core.response_synthesizers import Response
    from dovetail.core.response_synthesizers import get_response_synthesizer
    from dovetail.core.schema import Document
    from dovetail.core.schema import QueryBundle
    from dovetail.core.schema import TextNode
    from dovetail.core.settings import Settings
    from dovetail.core.storage import StorageContext
    from dovetail.core.tokenizers import get_tokenizer
    from dovetail.core.tokenizers import set_global_tokenizer

# LlamaIndex's top-level names (``llama_index.core.__all__``) for everything dovetail has, plus ``TextNode`` and
# ``IngestionPipeline``. Each is imported on first access, so ``import dovetail.core`` stays cheap.
_LAZY: dict[str, str] = {
    "BasePromptTemplate": "dovetail.core.prompts",
    "ChatPromptTemplate": "dovetail.core.prompts",
    "Document": "dovetail.core.schema",
    "IngestionPipeline": "dovetail.core.ingestion",
    "MockEmbedding": "dovetail.core.embeddings",
    "PromptTemplate": "dovetail.core.prompts",
    "QueryBundle": "dovetail.core.schema",
    "Response": "dovetail.core.response_synthesizers",
    "Settings": "dovetail.core.settings",
    "SimpleDirectoryReader": "dovetail.core.readers",
    "SimpleKeywordTableIndex": "dovetail.core.indices",
    "StorageContext": "dovetail.core.storage",
    "SummaryIndex": "dovetail.core.indices",
    "TextNode": "dovetail.core.schema",
    "VectorStoreIndex": "dovetail.core.indices",
    "get_response_synthesizer": "dovetail.core.response_synthesizers",
    "get_tokenizer": "dovetail.core.tokenizers",
    "load_index_from_storage": "dovetail.core.indices",
    "load_indices_from_storage": "dovetail.core.indices",
    "set_global_handler": "dovetail.core.callbacks.global_handlers",
    "set_global_tokenizer": "dovetail.core.tokenizers",
}
# LlamaIndex's older names for the same objects.
_ALIASES: dict[str, tuple[str, str]] = {
    "Prompt": ("dovetail.core.prompts", "PromptTemplate"),
    "GPTVectorStoreIndex": ("dovetail.core.indices", "VectorStoreIndex"),
    "ListIndex": ("dovetail.core.indices", "SummaryIndex"),
    "GPTListIndex": ("dovetail.core.indices", "SummaryIndex"),
    "GPTSimpleKeywordTableIndex": ("dovetail.core.indices", "SimpleKeywordTableIndex"),
}
# LlamaIndex's top-level names dovetail does not have, with what to use instead. Asking for one raises ImportError
# (so ``from dovetail.core import X`` shows the advice) instead of a bare "has no attribute".
_NOT_HERE: dict[str, str] = {
    "ServiceContext": "removed from LlamaIndex too; set models and options on Settings (dovetail.core.Settings)",
    "set_global_service_context": "removed from LlamaIndex too; set models and options on Settings",
    "ComposableGraph": "composable graphs are not part of dovetail; query each index and combine the answers",
    "TreeIndex": "tree indices are not part of dovetail; use VectorStoreIndex or SummaryIndex",
    "GPTTreeIndex": "tree indices are not part of dovetail; use VectorStoreIndex or SummaryIndex",
    "KeywordTableIndex": "the LLM-extracted keyword table is not part of dovetail; use SimpleKeywordTableIndex",
    "GPTKeywordTableIndex": "the LLM-extracted keyword table is not part of dovetail; use SimpleKeywordTableIndex",
    "RAKEKeywordTableIndex": "the RAKE keyword table is not part of dovetail; use SimpleKeywordTableIndex",
    "GPTRAKEKeywordTableIndex": "the RAKE keyword table is not part of dovetail; use SimpleKeywordTableIndex",
    "DocumentSummaryIndex": "document-summary indices are not part of dovetail; use VectorStoreIndex",
    "GPTDocumentSummaryIndex": "document-summary indices are not part of dovetail; use VectorStoreIndex",
    "KnowledgeGraphIndex": "knowledge-graph indices are not part of dovetail",
    "GPTKnowledgeGraphIndex": "knowledge-graph indices are not part of dovetail",
    "PropertyGraphIndex": "property-graph indices are not part of dovetail",
    "load_graph_from_storage": "composable graphs are not part of dovetail; use load_index_from_storage",
    "SQLDatabase": "SQL indices are not part of dovetail",
    "SQLDocumentContextBuilder": "SQL indices are not part of dovetail",
    "SQLContextBuilder": "SQL indices are not part of dovetail",
    "download_loader": "deprecated in LlamaIndex too; pip install the reader package dovetail-readers-<name>",
    "PromptHelper": "set Settings.context_window and Settings.num_output; synthesizers fit chunks to them",
    "SelectorPromptTemplate": "conditional prompts are not part of dovetail; pass the PromptTemplate for your model",
    "IndexStructType": "index structs are not typed by an enum in dovetail; use the index classes",
}

__all__ = [
    "BasePromptTemplate",
    "ChatPromptTemplate",
    "Document",
    "GPTListIndex",
    "GPTSimpleKeywordTableIndex",
    "GPTVectorStoreIndex",
    "IngestionPipeline",
    "ListIndex",
    "MockEmbedding",
    "Prompt",
    "PromptTemplate",
    "QueryBundle",
    "Response",
    "Settings",
    "SimpleDirectoryReader",
    "SimpleKeywordTableIndex",
    "StorageContext",
    "SummaryIndex",
    "TextNode",
    "VectorStoreIndex",
    "__version__",
    "get_response_synthesizer",
    "get_tokenizer",
    "load_index_from_storage",
    "load_indices_from_storage",
    "set_global_handler",
    "set_global_tokenizer",
]

_lazy_getattr, __dir__ = lazy_exports(__name__, globals(), _LAZY, _ALIASES)


def __getattr__(name: str) -> _Any:
    # ``__version__`` comes from the installed distribution's metadata (one source: core/pyproject.toml), read on
    # first access so that ``import dovetail.core`` stays free of importlib.metadata.
    if name == "__version__":
        from importlib.metadata import version

        value = version("dovetail-core")
        globals()[name] = value
        return value
    if name in _NOT_HERE:
        msg = f"dovetail.core has no {name}: {_NOT_HERE[name]} (see docs/MIGRATING.md, 'Not supported')"
        raise ImportError(msg, name=name)
    return _lazy_getattr(name)
