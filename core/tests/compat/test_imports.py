"""LlamaIndex's import paths work with only the package prefix changed, and stay lazy."""

from __future__ import annotations

import ast
import importlib
import itertools
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import dovetail.core
import pytest
from dovetail.core.testing import public_names
from dovetail.core.testing.package_contract import assert_imports_without

# LlamaIndex's documented top-level names that dovetail has (from llama_index.core's ``__all__``), plus TextNode.
TOP_LEVEL = (
    "BasePromptTemplate ChatPromptTemplate Document IngestionPipeline MockEmbedding PromptTemplate QueryBundle "
    "Response Settings SimpleDirectoryReader SimpleKeywordTableIndex StorageContext SummaryIndex TextNode "
    "VectorStoreIndex get_response_synthesizer get_tokenizer load_index_from_storage set_global_tokenizer"
)


def _public_home(value: object) -> ModuleType:
    """The public package of the module that defines ``value`` (``dovetail.core.indices._base`` -> ``indices``)."""
    module = getattr(value, "__module__", None)
    if not isinstance(module, str):
        module = type(value).__module__
    parts = itertools.takewhile(lambda part: not part.startswith("_"), module.split("."))
    return importlib.import_module(".".join(parts))


# LlamaIndex module path (with the dovetail prefix) -> names users import from it.
MODULE_PATHS = {
    "dovetail.core.schema": ["Document", "TextNode", "NodeWithScore", "QueryBundle", "MetadataMode"],
    "dovetail.core.vector_stores.types": ["VectorStoreQuery", "MetadataFilters", "ExactMatchFilter"],
    "dovetail.core.base.llms.types": ["ChatMessage", "MessageRole", "ChatResponse", "CompletionResponse"],
    "dovetail.core.base.embeddings.base": ["BaseEmbedding", "SimilarityMode", "similarity"],
    "dovetail.core.base.response.schema": ["Response", "StreamingResponse"],
    "dovetail.core.base.base_retriever": ["BaseRetriever"],
    "dovetail.core.base.base_query_engine": ["BaseQueryEngine"],
    "dovetail.core.llms": ["LLM", "CustomLLM", "ChatMessage", "LLMMetadata", "MockLLM"],
    "dovetail.core.llms.llm": ["LLM"],
    "dovetail.core.llms.custom": ["CustomLLM"],
    "dovetail.core.llms.mock": ["MockLLM"],
    "dovetail.core.llms.function_calling": ["FunctionCallingLLM"],
    "dovetail.core.llms.callbacks": ["llm_completion_callback", "llm_chat_callback"],
    "dovetail.core.callbacks": ["CallbackManager", "TokenCountingHandler"],
    "dovetail.core.callbacks.schema": ["CBEventType", "EventPayload"],
    "dovetail.core.callbacks.base": ["CallbackManager"],
    "dovetail.core.callbacks.base_handler": ["BaseCallbackHandler"],
    "dovetail.core.callbacks.token_counting": ["TokenCountingHandler"],
    "dovetail.core.node_parser": [
        "SentenceSplitter",
        "TokenTextSplitter",
        "MarkdownNodeParser",
        "HierarchicalNodeParser",
        "get_leaf_nodes",
    ],
    "dovetail.core.prompts": ["PromptTemplate", "ChatPromptTemplate"],
    "dovetail.core.prompts.base": ["PromptTemplate"],
    "dovetail.core.tools": ["FunctionTool", "ToolMetadata"],
    "dovetail.core.tools.types": ["ToolMetadata", "ToolOutput", "BaseTool"],
    "dovetail.core.tools.function_tool": ["FunctionTool"],
    "dovetail.core.embeddings": ["MockEmbedding", "BaseEmbedding"],
    "dovetail.core.embeddings.mock_embed_model": ["MockEmbedding"],
    "dovetail.core.embeddings.utils": ["resolve_embed_model"],
    "dovetail.core.storage.storage_context": ["StorageContext"],
    "dovetail.core.readers.base": ["BaseReader", "ReaderConfig"],
    "dovetail.core.utils": ["get_tokenizer", "set_global_tokenizer"],
    "dovetail.core.types": ["BaseOutputParser"],
    "dovetail.core.bridge.pydantic": ["BaseModel", "Field", "PrivateAttr"],
    "dovetail.core.indices": ["VectorStoreIndex", "SummaryIndex", "SimpleKeywordTableIndex", "load_index_from_storage"],
    "dovetail.core.retrievers": ["BaseRetriever", "VectorIndexRetriever", "KeywordTableSimpleRetriever"],
    "dovetail.core.query_engine": ["RetrieverQueryEngine"],
    "dovetail.core.response_synthesizers": ["ResponseMode", "get_response_synthesizer", "TreeSummarize"],
    "dovetail.core.chat_engine": ["SimpleChatEngine", "ContextChatEngine", "CondensePlusContextChatEngine"],
    "dovetail.core.memory": ["ChatMemoryBuffer"],
}


def test_top_level_has_llamaindex_names() -> None:
    assert set(TOP_LEVEL.split()) <= set(dovetail.core.__all__)


LEGACY_ALIASES = {"Prompt", "GPTVectorStoreIndex", "ListIndex", "GPTListIndex", "GPTSimpleKeywordTableIndex"}


@pytest.mark.parametrize("name", sorted(set(dovetail.core.__all__) - LEGACY_ALIASES - {"__version__"}))
def test_top_level_name_is_the_canonical_object(name: str) -> None:
    value = getattr(dovetail.core, name)
    assert getattr(_public_home(value), name) is value


def test_prompt_is_the_old_name_of_prompt_template() -> None:
    from dovetail.core import Prompt
    from dovetail.core import PromptTemplate

    assert Prompt is PromptTemplate


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from dovetail.core import *", namespace)
    assert set(dovetail.core.__all__) <= set(namespace)


def test_unknown_top_level_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = dovetail.core.NoSuchThing


@pytest.mark.parametrize("module", sorted(MODULE_PATHS))
def test_llamaindex_module_path_reexports_the_same_objects(module: str) -> None:
    mod = importlib.import_module(module)
    for name in MODULE_PATHS[module]:
        value = getattr(mod, name)
        assert name in mod.__all__
        home = importlib.import_module(value.__module__) if hasattr(value, "__module__") else mod
        assert getattr(home, getattr(value, "__name__", name), value) is value
    for name in mod.__all__:  # every advertised name resolves
        getattr(mod, name)


def test_shim_names_are_identical_to_the_package_names() -> None:
    from dovetail.core.base.llms import types
    from dovetail.core.llms import ChatMessage
    from dovetail.core.vector_stores import MetadataFilters
    from dovetail.core.vector_stores import types as vs_types

    assert types.ChatMessage is ChatMessage
    assert vs_types.MetadataFilters is MetadataFilters


def test_import_stays_lazy_with_the_new_exports() -> None:
    assert_imports_without("dovetail.core", ["numpy", "pydantic", "httpx", "openai", "dovetail.core.schema"])


FIRST_IMPORTS = [
    "tools",
    "llms",
    "prompts",
    "schema",
    "embeddings",
    "output_parsers",
    "query_engine",
    "retrievers",
    "callbacks",
    "vector_stores.types",
    "base.llms.types",
    "tools.function_tool",
]


@pytest.mark.parametrize("module", FIRST_IMPORTS)
def test_each_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    # Import cycles only show when a module is the first one imported.
    code = f"import dovetail.core.{module} as m; [getattr(m, n) for n in getattr(m, '__all__', [])]"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)


def _star_reexport_modules() -> dict[str, str]:
    """Every module that re-exports one module's names: its name -> the module its ``TYPE_CHECKING`` block stars."""
    root = Path(dovetail.core.__file__).parent
    found = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                stars = [n for n in node.body if isinstance(n, ast.ImportFrom) and n.names[0].name == "*"]
                if stars:
                    relative = path.relative_to(root.parent.parent).with_suffix("")
                    found[".".join(relative.parts)] = str(stars[0].module)
    return found


STAR_REEXPORTS = _star_reexport_modules()


def test_the_star_reexport_modules_are_found() -> None:
    assert STAR_REEXPORTS["dovetail.core.base.llms.types"] == "dovetail.core.llms"
    assert len(STAR_REEXPORTS) >= 25


@pytest.mark.parametrize("module", sorted(STAR_REEXPORTS))
def test_type_checkers_see_every_reexported_name(module: str) -> None:
    # A type checker reads these names from the module's ``TYPE_CHECKING`` star import, which brings in only the
    # source's ``__all__``; a name missing there would type as ``Any`` through the module's ``__getattr__``.
    shim = importlib.import_module(module)
    source = importlib.import_module(STAR_REEXPORTS[module])
    assert set(shim.__all__) <= set(source.__all__)
    for name in shim.__all__:
        assert getattr(shim, name) is getattr(source, name)
    # Nothing but the names and the two helpers is defined there, so none of them is imported early.
    assert set(public_names(shim)) - {"TYPE_CHECKING", "lazy_exports"} == set(shim.__all__)
