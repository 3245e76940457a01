"""No keyword argument is accepted and ignored: the walker over dovetail.core's public API.

Every public class and function of every public ``dovetail.core`` module is checked:

- a pydantic model must check its constructor's keywords (``KeywordCheckedModel``) or forbid extras;
- a callable without ``**kwargs`` is refused an unknown keyword by Python itself (proved by calling it);
- a callable with ``**kwargs`` must either be listed in ``KEYWORDS_ARE_DATA`` (its keywords are template
  variables, tool arguments or a forwarded call's arguments, never options) or have a sample call in
  ``SAMPLE_CALLS`` that proves the unknown keyword raises ``TypeError`` naming it.

A new public callable that swallows ``**kwargs`` makes this test fail until it is checked or listed.
"""
# These tests call the API the way LlamaIndex users do (positional model fields, keyword dicts, wrong
# types on purpose) and check the runtime answer, which the type checker cannot see.
# mypy: disable-error-code="arg-type,misc,call-arg,assignment,comparison-overlap,attr-defined"

from __future__ import annotations

import enum
import functools
import importlib
import inspect
import pkgutil
import tempfile
import types
import typing
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dovetail.core
import pytest
from dovetail.core._kwargs import KeywordCheckedModel
from pydantic import BaseModel

BOGUS = "zz_not_an_option"

# Callables whose **kwargs are data by design, with the reason.
KEYWORDS_ARE_DATA: dict[str, str] = {
    "PromptTemplate": "keywords are partial values of template variables",
    "Prompt": "PromptTemplate's old name: keywords are template variables",
    "ChatPromptTemplate": "keywords are partial values of template variables",
    "run_in_thread": "keywords are the arguments of the function it runs",
    "registry.resolve": "keywords are the provider class's constructor arguments (which checks them)",
    "resolve_llm": "keywords are the provider class's constructor arguments (which checks them)",
    "resolve_embedding": "keywords are the provider class's constructor arguments (which checks them)",
    "set_global_handler": "keywords are the handler class's constructor arguments (which checks them)",
    "create_global_handler": "keywords are the handler class's constructor arguments (which checks them)",
    "validate_request": "keywords are the provider request options being validated",
    "run_transformations": "keywords are passed to every transformation",
    "arun_transformations": "keywords are passed to every transformation",
    "llm_completion_callback": "decorator factory; the decorated method's keywords are the provider's",
    "llm_chat_callback": "decorator factory; the decorated method's keywords are the provider's",
}

# Modules that are not dovetail API: the pydantic bridge re-exports pydantic; config sections are file schemas
# that already refuse unknown keys (extra="forbid") with a ValidationError naming them.
SKIPPED_MODULES = {"dovetail.core.bridge.pydantic", "dovetail.core.config"}


def _public_modules() -> Iterator[str]:
    yield "dovetail.core"
    for info in pkgutil.walk_packages(dovetail.core.__path__, "dovetail.core."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts) or parts[2] in ("testing", "cli"):
            continue
        if info.name not in SKIPPED_MODULES:
            yield info.name


def _public_objects() -> dict[str, Any]:
    found: dict[str, Any] = {}
    seen: set[int] = set()
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if isinstance(obj, types.GenericAlias):  # a type alias (Python 3.10 calls ``list[float]`` a class)
                continue
            if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if obj.__name__ != name:  # a legacy alias (``GPTVectorStoreIndex``): checked under its own name
                continue
            if inspect.isclass(obj) and (issubclass(obj, (enum.Enum, BaseException)) or _is_protocol(obj)):
                continue
            seen.add(id(obj))
            key = f"{module_name.rsplit('.', 1)[-1]}.{name}" if name in ("resolve",) else name
            found[key] = obj
    return found


def _is_protocol(cls: type) -> bool:
    return bool(getattr(cls, "_is_protocol", False)) or typing.Protocol in cls.__mro__


def _concrete(cls: type) -> type:
    if not inspect.isabstract(cls):
        return cls
    stubs = {name: (lambda *args, **kwargs: None) for name in cls.__abstractmethods__}
    return type(cls.__name__, (cls,), stubs)


def _takes_var_keyword(obj: Any) -> bool:
    if inspect.isclass(obj) and obj.__init__ is object.__init__:
        return False  # Python refuses every argument: "X() takes no arguments"
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        params = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(param.kind is param.VAR_KEYWORD for param in params)


def _assert_refused(call: Callable[[], Any], owner: str) -> None:
    with pytest.raises(TypeError) as info:
        call()
    text = str(info.value)
    assert BOGUS in text or "takes no arguments" in text, f"{owner}: TypeError for another reason: {text}"


PUBLIC = _public_objects()
MODELS = sorted(name for name, obj in PUBLIC.items() if inspect.isclass(obj) and issubclass(obj, BaseModel))
PLAIN = sorted(name for name in PUBLIC if name not in MODELS)


SAMPLED = {"MockEmbedding", "VectorStoreIndex", "load_index_from_storage", "VectorIndexRetriever"}


def _sample_calls(tmp_path: Path) -> dict[str, Callable[[], Any]]:
    """One call per public callable with **kwargs, passing valid required arguments and the unknown keyword."""
    from dovetail.core import Document
    from dovetail.core import StorageContext
    from dovetail.core import VectorStoreIndex
    from dovetail.core import load_index_from_storage
    from dovetail.core.chat_engine import chat_engine_for
    from dovetail.core.embeddings import MockEmbedding
    from dovetail.core.indices import load_indices_from_storage
    from dovetail.core.llms import MockLLM
    from dovetail.core.retrievers import VectorIndexRetriever

    bogus = {BOGUS: 1}
    index = VectorStoreIndex.from_documents([Document(text="oak", doc_id="d")], embed_model=MockEmbedding(embed_dim=4))
    index.storage_context.persist(str(tmp_path))
    return {
        "MockEmbedding": lambda: MockEmbedding(embed_dim=3, **bogus),
        "VectorStoreIndex": lambda: VectorStoreIndex(**bogus),
        "load_index_from_storage": lambda: load_index_from_storage(
            StorageContext.from_defaults(persist_dir=str(tmp_path)), embed_model=MockEmbedding(embed_dim=4), **bogus
        ),
        "load_indices_from_storage": lambda: load_indices_from_storage(
            StorageContext.from_defaults(persist_dir=str(tmp_path)), embed_model=MockEmbedding(embed_dim=4), **bogus
        ),
        "VectorIndexRetriever": lambda: VectorIndexRetriever(index, **bogus).retrieve("oak"),
        "chat_engine_for": lambda: chat_engine_for(index, "context", llm=MockLLM(), **bogus),
    }


@pytest.mark.parametrize("name", MODELS)
def test_pydantic_models_check_their_keywords(name: str, tmp_path: Path) -> None:
    cls = PUBLIC[name]
    checked = issubclass(cls, KeywordCheckedModel) or cls.model_config.get("extra") == "forbid"
    assert checked, f"{name} is a pydantic model that ignores unknown keywords; base it on KeywordCheckedModel"
    samples = _sample_calls(tmp_path) if name in SAMPLED else {}
    if name in samples:
        _assert_refused(samples[name], name)
    elif issubclass(cls, KeywordCheckedModel):
        _assert_refused(lambda: _concrete(cls)(**{BOGUS: 1}), name)


@pytest.mark.parametrize("name", PLAIN)
def test_plain_callables_refuse_unknown_keywords(name: str, tmp_path: Path) -> None:
    obj = PUBLIC[name]
    if name in KEYWORDS_ARE_DATA:
        assert KEYWORDS_ARE_DATA[name]
        return
    if _takes_var_keyword(obj):
        samples = _sample_calls(tmp_path)
        assert name in samples, f"{name} takes **kwargs: check them, or list it in KEYWORDS_ARE_DATA with a reason"
        _assert_refused(samples[name], name)
        return
    target = _concrete(obj) if inspect.isclass(obj) else obj
    _assert_refused(lambda: target(**{BOGUS: 1}), name)


def test_the_walker_sees_the_main_api() -> None:
    for name in ("Document", "TextNode", "VectorStoreIndex", "SentenceSplitter", "FunctionTool", "ChatMessage"):
        assert name in PUBLIC
    assert len(PUBLIC) > 120


def test_the_walker_can_fail() -> None:
    class Lenient(BaseModel):
        x: int = 0

    def swallow(**kwargs: Any) -> None:
        return None

    assert not issubclass(Lenient, KeywordCheckedModel)
    assert Lenient.model_config.get("extra") != "forbid"
    with pytest.raises(pytest.fail.Exception):
        _assert_refused(lambda: swallow(**{BOGUS: 1}), "swallow")
    assert _takes_var_keyword(swallow)


@functools.cache
def _reader_folder() -> Path:
    """One small folder for the reader's methods, removed when the test process exits."""
    folder = tempfile.TemporaryDirectory(prefix="dovetail-kw-")
    _KEEP.append(folder)
    (Path(folder.name) / "oak.txt").write_text("oak wood")
    return Path(folder.name)


_KEEP: list[tempfile.TemporaryDirectory[str]] = []


def _instances() -> dict[str, Any]:
    from dovetail.core import Document
    from dovetail.core import IngestionPipeline
    from dovetail.core import VectorStoreIndex
    from dovetail.core.embeddings import MockEmbedding
    from dovetail.core.llms import MockFunctionCallingLLM
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.node_parser import TokenTextSplitter
    from dovetail.core.readers import SimpleDirectoryReader
    from dovetail.core.response_synthesizers import get_response_synthesizer
    from dovetail.core.vector_stores import SimpleVectorStore

    embed = MockEmbedding(embed_dim=4)
    index = VectorStoreIndex.from_documents([Document(text="oak wood", doc_id="d")], embed_model=embed)
    return {
        "reader": SimpleDirectoryReader(input_dir=str(_reader_folder())),
        "synthesizer": get_response_synthesizer(),
        "index": index,
        "retriever": index.as_retriever(),
        "query_engine": index.as_query_engine(),
        "store": SimpleVectorStore(),
        "embed": embed,
        "llm": MockFunctionCallingLLM(),
        "sentence_splitter": SentenceSplitter(),
        "token_splitter": TokenTextSplitter(),
        "pipeline": IngestionPipeline(transformations=[SentenceSplitter()]),
    }


# Methods whose **kwargs are data by design.
METHODS_WITH_DATA_KEYWORDS: dict[str, str] = {
    "llm.predict": "keywords are the prompt template's variables",
    "llm.apredict": "keywords are the prompt template's variables",
    "llm.stream": "keywords are the prompt template's variables",
    "llm.astream": "keywords are the prompt template's variables",
    "llm.structured_predict": "keywords are the prompt template's variables",
    "llm.astructured_predict": "keywords are the prompt template's variables",
    "llm.stream_structured_predict": "keywords are the prompt template's variables",
    "llm.astream_structured_predict": "keywords are the prompt template's variables",
}


def _method_calls() -> dict[str, Callable[[Any], Any]]:
    """Calls of instance methods with **kwargs: valid required arguments plus the unknown keyword."""
    from dovetail.core import Document
    from dovetail.core.llms import ChatMessage
    from dovetail.core.llms import MockLLM
    from dovetail.core.schema import NodeWithScore
    from dovetail.core.schema import TextNode
    from dovetail.core.vector_stores import VectorStoreQuery

    bogus = {BOGUS: 1}
    node = TextNode(text="x", embedding=[1.0, 0.0, 0.0, 0.0])
    return {
        "reader.load_data": lambda r: r.load_data(**bogus),
        "reader.lazy_load_data": lambda r: r.lazy_load_data(**bogus),
        "reader.aload_data": lambda r: _run(r.aload_data(**bogus)),
        "reader.alazy_load_data": lambda r: _run(_drain_gen(r.alazy_load_data(**bogus))),
        "reader.list_resources": lambda r: r.list_resources(**bogus),
        "reader.get_resource_info": lambda r: r.get_resource_info(r.list_resources()[0], **bogus),
        "reader.load_resource": lambda r: r.load_resource(r.list_resources()[0], **bogus),
        "reader.aload_resource": lambda r: _run(r.aload_resource(r.list_resources()[0], **bogus)),
        "reader.read_file_content": lambda r: r.read_file_content(r.list_resources()[0], **bogus),
        "synthesizer.synthesize": lambda s: s.synthesize("q", [NodeWithScore(node=node)], **bogus),
        "synthesizer.asynthesize": lambda s: _run(s.asynthesize("q", [NodeWithScore(node=node)], **bogus)),
        "pipeline.run": lambda p: p.run(**bogus),
        "pipeline.arun": lambda p: _run(p.arun(**bogus)),
        "index.insert": lambda i: i.insert(Document(text="t"), **bogus),
        "index.insert_nodes": lambda i: i.insert_nodes([node], **bogus),
        "index.delete_ref_doc": lambda i: i.delete_ref_doc("d", **bogus),
        "index.delete_nodes": lambda i: i.delete_nodes(["n"], **bogus),
        "index.refresh_ref_docs": lambda i: i.refresh_ref_docs([], **bogus),
        "index.refresh": lambda i: i.refresh([], **bogus),
        "index.as_retriever": lambda i: i.as_retriever(**bogus),
        "index.as_query_engine": lambda i: i.as_query_engine(**bogus),
        "index.as_chat_engine": lambda i: i.as_chat_engine(llm=MockLLM(), **bogus),
        "index.ainsert": lambda i: _run(i.ainsert(Document(text="t"), **bogus)),
        "index.ainsert_nodes": lambda i: _run(i.ainsert_nodes([node], **bogus)),
        "index.adelete_ref_doc": lambda i: _run(i.adelete_ref_doc("d", **bogus)),
        "index.adelete_nodes": lambda i: _run(i.adelete_nodes(["n"], **bogus)),
        "index.update_ref_doc": lambda i: i.update_ref_doc(Document(text="t", doc_id="d"), **bogus),
        "index.aupdate_ref_doc": lambda i: _run(i.aupdate_ref_doc(Document(text="t", doc_id="d"), **bogus)),
        "index.arefresh_ref_docs": lambda i: _run(i.arefresh_ref_docs([], **bogus)),
        "index.from_documents": lambda i: type(i).from_documents([], **bogus),
        "index.from_vector_store": lambda i: type(i).from_vector_store(i.vector_store, **bogus),
        "store.add": lambda s: s.add([node], **bogus),
        "store.async_add": lambda s: _run(s.async_add([node], **bogus)),
        "store.delete": lambda s: s.delete("d", **bogus),
        "store.adelete": lambda s: _run(s.adelete("d", **bogus)),
        "store.delete_nodes": lambda s: s.delete_nodes(["n"], **bogus),
        "store.adelete_nodes": lambda s: _run(s.adelete_nodes(["n"], **bogus)),
        "store.get_nodes": lambda s: s.get_nodes(["n"], **bogus),
        "store.aget_nodes": lambda s: _run(s.aget_nodes(["n"], **bogus)),
        "store.clear": lambda s: s.clear(**bogus),
        "store.aclear": lambda s: _run(s.aclear(**bogus)),
        "store.query": lambda s: s.query(VectorStoreQuery(query_embedding=[1.0, 0, 0, 0]), **bogus),
        "store.aquery": lambda s: _run(s.aquery(VectorStoreQuery(query_embedding=[1.0, 0, 0, 0]), **bogus)),
        "embed.get_text_embedding_batch": lambda e: e.get_text_embedding_batch(["a"], **bogus),
        "embed.aget_text_embedding_batch": lambda e: _run(e.aget_text_embedding_batch(["a"], **bogus)),
        "embed.__call__": lambda e: e([TextNode(text="a")], **bogus),
        "embed.acall": lambda e: _run(e.acall([TextNode(text="a")], **bogus)),
        "llm.complete": lambda m: m.complete("hi", **bogus),
        "llm.acomplete": lambda m: _run(m.acomplete("hi", **bogus)),
        "llm.stream_complete": lambda m: list(m.stream_complete("hi", **bogus)),
        "llm.astream_complete": lambda m: _run(_drain(m.astream_complete("hi", **bogus))),
        "llm.chat": lambda m: m.chat([ChatMessage("hi")], **bogus),
        "llm.achat": lambda m: _run(m.achat([ChatMessage("hi")], **bogus)),
        "llm.stream_chat": lambda m: list(m.stream_chat([ChatMessage("hi")], **bogus)),
        "llm.astream_chat": lambda m: _run(_drain(m.astream_chat([ChatMessage("hi")], **bogus))),
        "llm.chat_with_tools": lambda m: m.chat_with_tools([], user_msg="hi", **bogus),
        "llm.as_structured_llm": lambda m: m.as_structured_llm(TextNode, **bogus),
        "llm.achat_with_tools": lambda m: _run(m.achat_with_tools([], user_msg="hi", **bogus)),
        "llm.stream_chat_with_tools": lambda m: list(m.stream_chat_with_tools([], user_msg="hi", **bogus)),
        "llm.astream_chat_with_tools": lambda m: _run(_drain(m.astream_chat_with_tools([], user_msg="hi", **bogus))),
        "llm.predict_and_call": lambda m: m.predict_and_call([], user_msg="hi", **bogus),
        "llm.apredict_and_call": lambda m: _run(m.apredict_and_call([], user_msg="hi", **bogus)),
        "llm.get_tool_calls_from_response": lambda m: m.get_tool_calls_from_response(
            m.chat([ChatMessage("x")]), **bogus
        ),
    }


def _run(awaitable: Any) -> Any:
    import asyncio

    return asyncio.run(awaitable)


async def _drain(stream: Any) -> list[Any]:
    return [item async for item in await stream]


async def _drain_gen(stream: Any) -> list[Any]:
    return [item async for item in stream]


def _method_names() -> list[str]:
    names = []
    for label, instance in _instances().items():
        cls = type(instance)
        for attr in dir(cls):
            if (attr.startswith("_") and attr != "__call__") or any(attr in vars(k) for k in BaseModel.__mro__):
                continue  # private, or pydantic's own API
            if isinstance(inspect.getattr_static(cls, attr), property):
                continue
            member = getattr(cls, attr)
            if callable(member) and _takes_var_keyword(member):
                names.append(f"{label}.{attr}")
    return sorted(names)


METHOD_NAMES = _method_names()


@pytest.mark.parametrize("qualified", METHOD_NAMES)
def test_entry_methods_refuse_unknown_keywords(qualified: str) -> None:
    if qualified in METHODS_WITH_DATA_KEYWORDS:
        return
    calls = _method_calls()
    label = qualified.split(".", 1)[0]
    key = qualified
    if key not in calls and label in ("sentence_splitter", "token_splitter"):
        key = None  # node parsers: checked below through their shared base
    if key is None:
        _check_node_parser(_instances()[label], qualified)
        return
    assert key in calls, f"{qualified} takes **kwargs: check them, or list it in METHODS_WITH_DATA_KEYWORDS"
    instance = _instances()[label]
    _assert_refused(lambda: calls[key](instance), qualified)


def _check_node_parser(parser: Any, qualified: str) -> None:
    from dovetail.core import Document

    method = qualified.split(".", 1)[1]
    docs = [Document(text="a b c")]
    if method in ("get_nodes_from_documents", "__call__"):
        _assert_refused(lambda: getattr(parser, method)(docs, **{BOGUS: 1}), qualified)
    elif method in ("aget_nodes_from_documents", "acall"):
        _assert_refused(lambda: _run(getattr(parser, method)(docs, **{BOGUS: 1})), qualified)
    elif method == "from_defaults":
        _assert_refused(lambda: type(parser).from_defaults(**{BOGUS: 1}), qualified)
    else:
        pytest.fail(f"{qualified} takes **kwargs and is not checked")


def test_the_method_walker_covers_the_entry_points() -> None:
    for name in (
        "index.as_query_engine",
        "index.insert",
        "store.query",
        "llm.complete",
        "embed.__call__",
        "reader.load_data",
        "synthesizer.synthesize",
        "pipeline.run",
    ):
        assert name in METHOD_NAMES
