"""Filter values pydantic refuses raise InvalidInputError (a typed dovetail error), not a ValidationError."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters


@pytest.mark.parametrize(
    "build",
    [
        lambda: MetadataFilter(key="tags", value=[None], operator="in"),
        lambda: MetadataFilter(key="tags", value={"nested": 1}),
        lambda: MetadataFilter(key=3, value=1),
        lambda: MetadataFilters.from_dicts([{"key": "k", "value": [[1]], "operator": "in"}]),
        lambda: MetadataFilters(filters="not a list"),
    ],
    ids=["list with None", "dict value", "int key", "nested list", "filters not a list"],
)
def test_invalid_filter_values_raise_invalid_input(build: Any) -> None:
    with pytest.raises(InvalidInputError, match="invalid metadata filter"):
        build()
