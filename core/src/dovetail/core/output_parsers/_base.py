"""Output parsers: turn model text into structured values, and tell the model the format to use."""

from __future__ import annotations

import json
from abc import ABC
from abc import abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import Generic
from typing import TypeVar

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import OutputParserError
from dovetail.core.output_parsers._json import iter_json_objects
from pydantic import BaseModel
from pydantic import ValidationError

if TYPE_CHECKING:
    from dovetail.core.llms import ChatMessage

__all__ = ["BaseOutputParser", "PydanticOutputParser"]

M = TypeVar("M", bound=BaseModel)
_MAX_SHOWN = 200

_FORMAT_INSTRUCTIONS = (
    "Answer with one JSON object and nothing else. It must validate against this JSON schema:\n"
    "```json\n{schema}\n```\n"
    "Use exactly the field names of the schema; do not wrap the object in other keys."
)


def _shown(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else f"{text[:_MAX_SHOWN]}... ({len(text)} chars)"


class BaseOutputParser(ABC):
    """Parses model output; ``format`` adds the instructions that make the output parseable."""

    @abstractmethod
    def parse(self, output: str) -> Any:
        """Turn model text into a value; raise ``OutputParserError`` (with ``raw_output``) when it does not fit."""

    def format(self, query: str) -> str:
        """The query with format instructions appended (identity by default)."""
        return query

    def format_messages(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """Copies of ``messages`` with the format instructions added to the system message when the first
        message is one, else to the last message (the messages given are not changed)."""
        from dovetail.core.llms import MessageRole

        out = [message.model_copy(deep=True) for message in messages]
        if out:
            target = out[0] if out[0].role == MessageRole.SYSTEM else out[-1]
            target.content = self.format(target.content or "")
        return out


class PydanticOutputParser(BaseOutputParser, Generic[M]):
    """Parses model output into a pydantic model.

    The JSON object is found robustly: inside a fenced ```json block, with prose before or after it, with
    nested objects and with braces inside strings. Failures raise ``OutputParserError`` whose ``raw_output``
    is the model's text and whose message says what went wrong (no JSON, invalid JSON, or which fields failed
    validation).

    Args:
        output_cls: the pydantic model to produce.
        excluded_schema_keys_from_format: schema keys left out of the format instructions.

    Example:
        ```python
        class Album(BaseModel):
            name: str
            year: int

        parser = PydanticOutputParser(Album)
        parser.parse('Sure! ```json\\n{"name": "Blue", "year": 1971}\\n```')  # Album(name='Blue', year=1971)
        ```
    """

    def __init__(self, output_cls: type[M], excluded_schema_keys_from_format: list[str] | None = None) -> None:
        if not (isinstance(output_cls, type) and issubclass(output_cls, BaseModel)):
            msg = f"PydanticOutputParser needs a pydantic BaseModel subclass, got {output_cls!r}"
            raise InvalidInputError(msg)
        self._output_cls = output_cls
        self._excluded = list(excluded_schema_keys_from_format or [])

    @property
    def output_cls(self) -> type[M]:
        """The model produced by :meth:`parse`."""
        return self._output_cls

    def get_format_string(self, escape_json: bool = True) -> str:
        """The format instructions; with ``escape_json`` braces are doubled for use inside a prompt template."""
        schema = self._output_cls.model_json_schema()
        for key in self._excluded:
            schema.pop(key, None)
        text = _FORMAT_INSTRUCTIONS.format(schema=json.dumps(schema))
        return text.replace("{", "{{").replace("}", "}}") if escape_json else text

    def format(self, query: str) -> str:
        """``query`` followed by the JSON-schema format instructions."""
        return f"{query}\n\n{self.get_format_string(escape_json=False)}"

    def parse(self, output: str) -> M:
        """Find the JSON object in ``output`` and validate it into ``output_cls``."""
        if not isinstance(output, str):
            msg = f"PydanticOutputParser.parse takes model text (str), got {type(output).__name__}"
            raise OutputParserError(msg, raw_output=str(output))
        name = self._output_cls.__name__
        error: str | None = None
        first_failure: ValidationError | None = None
        for item in iter_json_objects(output):
            if isinstance(item, str):
                error = error or item
                continue
            try:
                return self._output_cls.model_validate(item)
            except ValidationError as exc:
                first_failure = first_failure or exc
        if first_failure is None:
            if error is None:
                msg = f"no JSON object found in the model output for {name}: {_shown(output)!r}"
            else:
                msg = f"invalid JSON in the model output for {name} ({error}): {_shown(output)!r}"
            raise OutputParserError(msg, raw_output=output)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in first_failure.errors()
        )
        msg = f"model output does not validate as {name}: {problems}"
        if error is not None:
            msg = f"invalid JSON in the model output for {name} ({error}); no complete object validates: {problems}"
        raise OutputParserError(msg, raw_output=output) from first_failure
