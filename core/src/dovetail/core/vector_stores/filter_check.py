"""The value shape each filter operator needs, checked before a store evaluates or translates a filter.

Shared by the in-process store and the integrations that translate filters to their provider's language, so a
badly shaped filter fails with the same :class:`~dovetail.core.errors.InvalidInputError` everywhere.
"""

from __future__ import annotations

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.vector_stores._types import FilterOperator
from dovetail.core.vector_stores._types import MetadataFilter

__all__ = ["LIST_OPERATORS", "ORDER_OPERATORS", "check_filter_value"]

LIST_OPERATORS = frozenset({FilterOperator.IN, FilterOperator.NIN, FilterOperator.ANY, FilterOperator.ALL})
"""The operators whose value is a list."""

ORDER_OPERATORS = frozenset({FilterOperator.GT, FilterOperator.GTE, FilterOperator.LT, FilterOperator.LTE})
"""The range operators: their value is one number or string."""


def check_filter_value(item: MetadataFilter) -> None:
    """Check that ``item``'s value has the shape its operator needs.

    Raises:
        InvalidInputError: a list operator without a list value, a range operator with a list or ``None``, or
            ``text_match`` without a string.
    """
    op, value = item.operator, item.value
    if op in LIST_OPERATORS and not isinstance(value, list):
        msg = f"filter on {item.key!r}: operator {op.value!r} needs a list value, got {value!r}"
        raise InvalidInputError(msg)
    if op in ORDER_OPERATORS and (isinstance(value, list) or value is None):
        msg = f"filter on {item.key!r}: operator {op.value!r} needs a number or string, got {value!r}"
        raise InvalidInputError(msg)
    if op == FilterOperator.TEXT_MATCH and not isinstance(value, str):
        msg = f"filter on {item.key!r}: operator 'text_match' needs a string, got {value!r}"
        raise InvalidInputError(msg)
