"""Tools over a query engine or a retriever: an agent asks them a natural-language question.

Both take one string argument, ``input``, given positionally or by keyword (LlamaIndex's shape), and return a
:class:`~dovetail.core.tools.ToolOutput` whose ``raw_output`` is the response or the retrieved nodes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import reject_unknown_keywords
from dovetail.core.schema import MetadataMode
from dovetail.core.tools._types import AsyncBaseTool
from dovetail.core.tools._types import ToolMetadata
from dovetail.core.tools._types import ToolOutput
from pydantic import BaseModel

if TYPE_CHECKING:
    from dovetail.core.query_engine import BaseQueryEngine
    from dovetail.core.retrievers import BaseRetriever
    from dovetail.core.schema import NodeWithScore

__all__ = ["QueryEngineTool", "RetrieverTool"]

DEFAULT_QUERY_ENGINE_NAME = "query_engine_tool"
DEFAULT_QUERY_ENGINE_DESCRIPTION = (
    "Useful for running a natural language query against a knowledge base and getting back a natural language response."
)
DEFAULT_RETRIEVER_NAME = "retriever_tool"
DEFAULT_RETRIEVER_DESCRIPTION = (
    "Useful for running a natural language query against a knowledge base and retrieving a set of relevant documents."
)


def _query_text(tool: str, args: tuple[Any, ...], kwargs: dict[str, Any], resolve_input_errors: bool) -> str:
    """The question from ``tool(question)`` or ``tool(input=question)``."""
    if args and "input" in kwargs:
        msg = f"{tool}() got the question twice (positionally and as input=); pass it once"
        raise TypeError(msg)
    if len(args) > 1:
        msg = f"{tool}() takes one question, got {len(args)} positional arguments"
        raise TypeError(msg)
    if args:
        value = args[0]
    elif "input" in kwargs:
        value = kwargs.pop("input")
    elif kwargs and resolve_input_errors:
        # A model that invented argument names still asked something: use all of it as the question.
        return str(kwargs)
    else:
        msg = f"{tool}() needs the question: tool('...') or tool(input='...')"
        raise InvalidInputError(msg)
    if kwargs:
        reject_unknown_keywords(tool, kwargs, {"input"})
    return str(value)


class QueryInput(BaseModel):
    """The argument schema of query engine and retriever tools: one question."""

    input: str


def _metadata(
    name: str | None, description: str | None, default_name: str, default_description: str, **kw: Any
) -> ToolMetadata:
    return ToolMetadata(
        name=name or default_name, description=description or default_description, fn_schema=QueryInput, **kw
    )


class _QuestionTool(AsyncBaseTool):
    """What both tools share: their metadata, the question read from a call, and the output built for it."""

    def __init__(self, metadata: ToolMetadata, resolve_input_errors: bool) -> None:
        self._metadata = metadata
        self._resolve_input_errors = resolve_input_errors

    @property
    def metadata(self) -> ToolMetadata:
        """Name, description and the one-string argument schema."""
        return self._metadata

    def _question(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        return _query_text(self._metadata.get_name(), args, kwargs, self._resolve_input_errors)

    def _output(self, question: str, content: str, raw_output: Any) -> ToolOutput:
        return ToolOutput(
            content=content,
            tool_name=self._metadata.get_name(),
            raw_input={"input": question},
            raw_output=raw_output,
        )


class QueryEngineTool(_QuestionTool):
    """A tool that answers a question with a query engine.

    Args:
        query_engine: the engine (``index.as_query_engine()``).
        metadata: name and description the model sees.
        resolve_input_errors: when the model calls the tool with other argument names than ``input``, use
            them all as the question instead of failing.

    Example:
        ```python
        tool = QueryEngineTool.from_defaults(index.as_query_engine(), name="docs", description="Our manual.")
        tool("How do I reset the device?").content
        ```
    """

    def __init__(
        self, query_engine: BaseQueryEngine, metadata: ToolMetadata, resolve_input_errors: bool = True
    ) -> None:
        if not callable(getattr(query_engine, "query", None)):
            msg = f"QueryEngineTool needs a query engine (with .query), got {type(query_engine).__name__}"
            raise InvalidInputError(msg)
        super().__init__(metadata, resolve_input_errors)
        self._query_engine = query_engine

    @classmethod
    def from_defaults(
        cls,
        query_engine: BaseQueryEngine,
        name: str | None = None,
        description: str | None = None,
        return_direct: bool = False,
        resolve_input_errors: bool = True,
    ) -> QueryEngineTool:
        """A tool named ``query_engine_tool`` (or ``name``) with a generic description unless given."""
        metadata = _metadata(
            name, description, DEFAULT_QUERY_ENGINE_NAME, DEFAULT_QUERY_ENGINE_DESCRIPTION, return_direct=return_direct
        )
        return cls(query_engine, metadata, resolve_input_errors=resolve_input_errors)

    @property
    def query_engine(self) -> BaseQueryEngine:
        """The wrapped engine."""
        return self._query_engine

    def call(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Ask the engine; ``content`` is the answer text."""
        question = self._question(args, kwargs)
        response = self._query_engine.query(question)
        return self._output(question, str(response), response)

    async def acall(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Async :meth:`call`."""
        question = self._question(args, kwargs)
        response = await self._query_engine.aquery(question)
        return self._output(question, str(response), response)


def _nodes_text(nodes: list[NodeWithScore]) -> str:
    return "".join(result.node.get_content(MetadataMode.LLM) + "\n\n" for result in nodes)


class RetrieverTool(_QuestionTool):
    """A tool that retrieves the nodes relevant to a question; ``content`` is their text (with LLM metadata).

    Example:
        ```python
        tool = RetrieverTool.from_defaults(index.as_retriever(similarity_top_k=3), name="search_docs")
        tool(input="warranty period").raw_output  # list[NodeWithScore]
        ```
    """

    def __init__(self, retriever: BaseRetriever, metadata: ToolMetadata) -> None:
        if not callable(getattr(retriever, "retrieve", None)):
            msg = f"RetrieverTool needs a retriever (with .retrieve), got {type(retriever).__name__}"
            raise InvalidInputError(msg)
        super().__init__(metadata, resolve_input_errors=True)
        self._retriever = retriever

    @classmethod
    def from_defaults(
        cls,
        retriever: BaseRetriever,
        name: str | None = None,
        description: str | None = None,
        return_direct: bool = False,
    ) -> RetrieverTool:
        """A tool named ``retriever_tool`` (or ``name``) with a generic description unless given."""
        metadata = _metadata(
            name, description, DEFAULT_RETRIEVER_NAME, DEFAULT_RETRIEVER_DESCRIPTION, return_direct=return_direct
        )
        return cls(retriever, metadata)

    @property
    def retriever(self) -> BaseRetriever:
        """The wrapped retriever."""
        return self._retriever

    def call(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Retrieve for the question."""
        question = self._question(args, kwargs)
        nodes = self._retriever.retrieve(question)
        return self._output(question, _nodes_text(nodes), nodes)

    async def acall(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Async :meth:`call`."""
        question = self._question(args, kwargs)
        nodes = await self._retriever.aretrieve(question)
        return self._output(question, _nodes_text(nodes), nodes)
