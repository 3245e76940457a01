"""LlamaIndex users catch parse failures and missing paths as ``ValueError``; dovetail's tree stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from dovetail.core.errors import DovetailError
from dovetail.core.errors import NotFoundError
from dovetail.core.errors import OutputParserError
from dovetail.core.output_parsers import PydanticOutputParser
from pydantic import BaseModel


class Answer(BaseModel):
    name: str


def test_error_classes_are_value_errors_and_dovetail_errors() -> None:
    for cls in (OutputParserError, NotFoundError):
        assert issubclass(cls, ValueError)
        assert issubclass(cls, DovetailError)


def test_a_parse_failure_is_caught_as_value_error() -> None:
    with pytest.raises(ValueError) as info:
        PydanticOutputParser(Answer).parse("not json at all")
    assert isinstance(info.value, OutputParserError)


def test_a_missing_reader_path_is_caught_as_value_error(tmp_path: Path) -> None:
    from dovetail.core import SimpleDirectoryReader

    with pytest.raises(ValueError) as info:
        SimpleDirectoryReader(str(tmp_path / "missing")).load_data()
    assert isinstance(info.value, NotFoundError)
