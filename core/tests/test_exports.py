"""Every public package of dovetail-core exports exactly what it defines: ``__all__`` equals ``public_names()``."""

from __future__ import annotations

import importlib
import pkgutil

import dovetail.core
import pytest
from dovetail.core.testing import public_names

# What a lazily exporting package imports to build its ``__getattr__``; not API, and not in ``__all__``.
LAZY_HELPERS = {"TYPE_CHECKING", "lazy_exports"}


# The command line is a program (``dovetail``), not an import API: its package holds the parser code itself.
NOT_IMPORT_API = {"dovetail.core.cli"}


def _public_packages() -> list[str]:
    names = ["dovetail.core"]
    for info in pkgutil.walk_packages(dovetail.core.__path__, "dovetail.core."):
        private = any(part.startswith("_") for part in info.name.split("."))
        if info.ispkg and not private and info.name not in NOT_IMPORT_API:
            names.append(info.name)
    return names


PACKAGES = [name for name in _public_packages() if hasattr(importlib.import_module(name), "__all__")]


def test_the_packages_are_found() -> None:
    assert {"dovetail.core", "dovetail.core.llms", "dovetail.core.vector_stores", "dovetail.core.node_parser"} <= set(
        PACKAGES
    )


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_exact(name: str) -> None:
    package = importlib.import_module(name)
    for export in package.__all__:
        getattr(package, export)  # a lazy name is defined once accessed
    assert len(set(package.__all__)) == len(package.__all__)
    exported = sorted(n for n in package.__all__ if not n.startswith("__"))  # ``__version__`` is a dunder
    assert exported == [n for n in public_names(package) if n not in LAZY_HELPERS]


# The import paths and names of the design contract (DESIGN.md §2); other names may be added, none removed.
CONTRACT = {
    "dovetail.core.schema": "BaseNode Document TextNode ImageNode IndexNode NodeWithScore QueryBundle MetadataMode "
    "NodeRelationship RelatedNodeInfo",
    "dovetail.core.llms": "LLM CustomLLM LLMMetadata ChatMessage MessageRole ChatResponse ChatResponseGen "
    "ChatResponseAsyncGen CompletionResponse CompletionResponseGen CompletionResponseAsyncGen llm_completion_callback "
    "llm_chat_callback MockLLM",
    "dovetail.core.embeddings": "BaseEmbedding MultiModalEmbedding Pooling SimilarityMode similarity MockEmbedding",
    "dovetail.core.vector_stores": "BasePydanticVectorStore SimpleVectorStore VectorStoreQuery VectorStoreQueryResult "
    "VectorStoreQueryMode MetadataFilters MetadataFilter FilterOperator FilterCondition",
    "dovetail.core.readers": "BaseReader SimpleDirectoryReader Document",
    "dovetail.core.callbacks": "CallbackManager BaseCallbackHandler CBEventType EventPayload TokenCountingHandler",
    "dovetail.core.retrievers": "BaseRetriever VectorIndexRetriever",
    "dovetail.core.output_parsers": "BaseOutputParser PydanticOutputParser",
    "dovetail.core.node_parser": "SentenceSplitter TokenTextSplitter",
    "dovetail.core": "Settings VectorStoreIndex StorageContext IngestionPipeline load_index_from_storage "
    "PromptTemplate",
}


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_the_contract_names_are_exported(name: str) -> None:
    package = importlib.import_module(name)
    assert set(CONTRACT[name].split()) <= set(package.__all__)
