"""Tool metadata, tool outputs and the tool calls an LLM selects."""

from __future__ import annotations

import json
from abc import ABC
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any
from typing import ClassVar

from dovetail.core._blocks import ContentBlock
from dovetail.core._blocks import TextBlock
from dovetail.core._blocks import content_to_blocks
from dovetail.core._blocks import is_content_block
from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import KeywordCheckedModel
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import model_validator

__all__ = ["AsyncBaseTool", "BaseTool", "ToolMetadata", "ToolOutput", "ToolSelection", "blocks_of"]

_DEFAULT_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {"input": {"title": "input", "type": "string"}},
    "required": ["input"],
}


def _strip_titles(schema: dict[str, Any]) -> dict[str, Any]:
    """Keep only what a provider needs from a pydantic JSON schema (drop the model title)."""
    return {key: value for key, value in schema.items() if key != "title"}


@dataclass
class ToolMetadata:
    """Name, description and argument schema of a tool.

    Args:
        description: what the tool does; the model reads it to decide when to call the tool.
        name: the tool name the model calls it by (letters, digits, ``_`` and ``-``).
        fn_schema: pydantic model of the arguments; ``None`` means one string argument ``input``.
        return_direct: agents return the tool output as the answer without another model turn.
    """

    description: str
    name: str | None = None
    fn_schema: type[BaseModel] | None = None
    return_direct: bool = False

    def get_parameters_dict(self) -> dict[str, Any]:
        """JSON schema of the arguments (an object schema)."""
        if self.fn_schema is None:
            return dict(_DEFAULT_PARAMETERS)
        return _strip_titles(self.fn_schema.model_json_schema())

    @property
    def fn_schema_str(self) -> str:
        """The argument schema as JSON text."""
        return json.dumps(self.get_parameters_dict())

    def get_name(self) -> str:
        """The tool name; raises ``InvalidInputError`` when the tool has none."""
        if not self.name:
            msg = "tool has no name; pass name=... to ToolMetadata or FunctionTool.from_defaults"
            raise InvalidInputError(msg)
        return self.name

    def to_openai_tool(self) -> dict[str, Any]:
        """The tool in the OpenAI ``tools`` format (also used by many compatible APIs)."""
        return {
            "type": "function",
            "function": {
                "name": self.get_name(),
                "description": self.description,
                "parameters": self.get_parameters_dict(),
            },
        }


class ToolSelection(KeywordCheckedModel):
    """A tool call chosen by the model: which tool, with which arguments."""

    tool_id: str = Field(description="id the provider gave this call (echo it back with the result)")
    tool_name: str = Field(description="name of the tool to call")
    tool_kwargs: dict[str, Any] = Field(default_factory=dict, description="arguments for the tool")


def blocks_of(result: Any) -> list[Any]:
    """Content blocks for a tool's return value: blocks as they are, anything else as its text (``str``).

    A returned ``Document`` or node thus reaches the model as ``Node ID: ...\nText: ...``, not as a field dump.
    """
    if is_content_block(result):
        return [result]
    if isinstance(result, (list, tuple)) and result and all(is_content_block(item) for item in result):
        return list(result)
    return [TextBlock(text=str(result))]


def _text_blocks(content: Any) -> list[Any]:
    """A tool output's blocks for its ``content``: one text block with its text."""
    return [TextBlock(text=str(content))]


class ToolOutput(KeywordCheckedModel):
    """Result of calling a tool: content blocks (text, images, ...) plus the raw input and output.

    ``content`` is the text of the blocks; ``ToolOutput(content="...", tool_name=...)`` builds one text block.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    _extra_keywords: ClassVar[frozenset[str]] = frozenset({"content"})

    blocks: list[ContentBlock] = Field(default_factory=list)
    tool_name: str
    raw_input: dict[str, Any] = Field(default_factory=dict)
    raw_output: Any = None
    is_error: bool = False

    @model_validator(mode="before")
    @classmethod
    def _content_to_blocks(cls, data: Any) -> Any:
        return content_to_blocks(data, "ToolOutput", _text_blocks)

    @property
    def content(self) -> str:
        """The text of the output (text blocks joined with newlines)."""
        return "\n".join(block.text for block in self.blocks if isinstance(block, TextBlock))

    @content.setter
    def content(self, value: str) -> None:
        self.blocks = [TextBlock(text=value), *(b for b in self.blocks if not isinstance(b, TextBlock))]

    def __str__(self) -> str:
        return self.content


class BaseTool(ABC):
    """A tool an LLM can call."""

    @property
    @abstractmethod
    def metadata(self) -> ToolMetadata:
        """Name, description and argument schema."""

    @abstractmethod
    def __call__(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Call the tool."""


class AsyncBaseTool(BaseTool):
    """A tool with a native async call."""

    @abstractmethod
    def call(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Call the tool synchronously."""

    @abstractmethod
    async def acall(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Call the tool without blocking the event loop."""

    def __call__(self, *args: Any, **kwargs: Any) -> ToolOutput:
        return self.call(*args, **kwargs)
