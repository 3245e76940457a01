"""Query, result and metadata-filter types shared by every vector store (LlamaIndex-compatible shapes).

Nothing here imports numpy: integrations translate these pure types into their provider's filter language,
and :class:`~dovetail.core.vector_stores.SimpleVectorStore` evaluates them in-process.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from enum import Enum
from typing import Any
from typing import TypeVar

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._ids import id_list
from dovetail.core._kwargs import KeywordCheckedModel
from dovetail.core._kwargs import suggest_constructor_keywords
from dovetail.core.schema import BaseNode
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StrictBool
from pydantic import StrictFloat
from pydantic import StrictInt
from pydantic import StrictStr
from pydantic import ValidationError
from pydantic import field_validator

__all__ = [
    "ExactMatchFilter",
    "FilterCondition",
    "FilterOperator",
    "MetadataFilter",
    "MetadataFilters",
    "VectorStoreQuery",
    "VectorStoreQueryMode",
    "VectorStoreQueryResult",
]


E = TypeVar("E", bound=Enum)


def _parse_member(cls: type[E], value: Any, what: str) -> E:
    """The member of ``cls`` whose value or (case-insensitive) name is ``value``; else ``InvalidInputError``."""
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        try:
            return cls(value)
        except ValueError:
            member = cls.__members__.get(value.upper())
            if member is not None:
                return member
    valid = ", ".join(repr(member.value) for member in cls)
    msg = f"unknown filter {what} {value!r}; use one of {valid}"
    raise InvalidInputError(msg)


class FilterOperator(str, Enum):
    """Comparison applied by a :class:`MetadataFilter` to one metadata key.

    ``IN``/``NIN`` test the stored value against a list given in the filter; ``CONTAINS`` tests that a stored
    list holds the filter value; ``ANY``/``ALL`` test that a stored list holds any/all of the filter's values;
    ``TEXT_MATCH`` is a case-sensitive substring test on a stored string; ``IS_EMPTY`` matches a missing key,
    ``None``, ``""`` or an empty list.
    """

    EQ = "=="
    NE = "!="
    GT = ">"
    GTE = ">="
    LT = "<"
    LTE = "<="
    IN = "in"
    NIN = "nin"
    CONTAINS = "contains"
    TEXT_MATCH = "text_match"
    IS_EMPTY = "is_empty"
    ANY = "any"
    ALL = "all"

    @classmethod
    def parse(cls, value: FilterOperator | str) -> FilterOperator:
        """Turn ``value`` (an operator or its string: ``">="`` or ``"GTE"``) into a :class:`FilterOperator`.

        Raises:
            InvalidInputError: ``value`` is not an operator; the message lists the valid ones.
        """
        return _parse_member(cls, value, "operator")


class FilterCondition(str, Enum):
    """How the filters of a :class:`MetadataFilters` group combine. ``NOT`` matches when none of them match."""

    AND = "and"
    OR = "or"
    NOT = "not"

    @classmethod
    def parse(cls, value: FilterCondition | str) -> FilterCondition:
        """Turn ``value`` (``"and"``, ``"OR"``, ...) into a :class:`FilterCondition`.

        Raises:
            InvalidInputError: ``value`` is not a condition; the message lists the valid ones.
        """
        return _parse_member(cls, value, "condition")


class VectorStoreQueryMode(str, Enum):
    """Retrieval mode of a :class:`VectorStoreQuery`; stores reject modes they do not support."""

    DEFAULT = "default"
    SPARSE = "sparse"
    HYBRID = "hybrid"
    TEXT_SEARCH = "text_search"
    SEMANTIC_HYBRID = "semantic_hybrid"
    SVM = "svm"
    LOGISTIC_REGRESSION = "logistic_regression"
    LINEAR_REGRESSION = "linear_regression"
    MMR = "mmr"


FilterValue = (
    StrictBool
    | StrictInt
    | StrictFloat
    | StrictStr
    | list[StrictStr]
    | list[StrictInt]
    | list[StrictFloat]
    | list[StrictStr | StrictInt | StrictFloat | StrictBool]
    | None
)


class MetadataFilter(KeywordCheckedModel):
    """One comparison on one metadata key, e.g. ``MetadataFilter(key="year", value=2020, operator=">=")``.

    Args:
        key: the metadata key.
        value: the value to compare with (a list for ``in``/``nin``/``any``/``all``; ignored by ``is_empty``).
        operator: a :class:`FilterOperator` or its string; unknown strings raise
            :class:`~dovetail.core.errors.InvalidInputError` listing the valid ones.
    """

    model_config = ConfigDict(frozen=True)

    key: str
    value: FilterValue = None
    operator: FilterOperator = FilterOperator.EQ

    def __init__(self, **data: Any) -> None:
        # Parse the operator before pydantic so a bad one is an InvalidInputError, not a ValidationError.
        if "operator" in data:
            data["operator"] = FilterOperator.parse(data["operator"])
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _invalid(_FILTER, data, exc) from None

    @field_validator("operator", mode="before")
    @classmethod
    def _parse_operator(cls, value: Any) -> FilterOperator:
        return FilterOperator.parse(value)

    @classmethod
    def from_dict(cls, filter_dict: Mapping[str, Any]) -> MetadataFilter:
        """Build a filter from ``{"key": ..., "value": ..., "operator": ...}`` (operator default ``==``)."""
        return cls(**dict(filter_dict))


class MetadataFilters(KeywordCheckedModel):
    """A group of filters (or nested groups) joined by ``condition``.

    Example:
        ```python
        filters = MetadataFilters(
            filters=[
                MetadataFilter(key="lang", value="en"),
                MetadataFilters(
                    filters=[MetadataFilter(key="year", value=2020, operator=">="),
                             MetadataFilter(key="tags", value=["draft"], operator="any")],
                    condition="or",
                ),
            ]
        )
        ```
    """

    model_config = ConfigDict(frozen=True)

    filters: list[MetadataFilter | MetadataFilters] = Field(default_factory=list)
    condition: FilterCondition = FilterCondition.AND

    def __init__(self, **data: Any) -> None:
        if "condition" in data and data["condition"] is not None:
            data["condition"] = FilterCondition.parse(data["condition"])
        elif "condition" in data:
            data["condition"] = FilterCondition.AND
        if "filters" in data and data["filters"] is not None:
            items = data["filters"]
            if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
                msg = f"invalid metadata filter group: filters must be a list, got {type(items).__name__}"
                raise InvalidInputError(msg)
            data["filters"] = [_coerce_filter(item) for item in items]
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _invalid(_GROUP, data, exc) from None

    @field_validator("condition", mode="before")
    @classmethod
    def _parse_condition(cls, value: Any) -> FilterCondition:
        return FilterCondition.AND if value is None else FilterCondition.parse(value)

    @classmethod
    def from_dicts(
        cls,
        filter_dicts: Sequence[Mapping[str, Any]],
        condition: FilterCondition | str = FilterCondition.AND,
    ) -> MetadataFilters:
        """Build a group from dicts: ``{"key", "value", "operator"}`` or nested ``{"filters", "condition"}``.

        Raises:
            InvalidInputError: an entry has an unknown operator/condition or is not a dict.
        """
        return cls(filters=list(filter_dicts), condition=condition)

    def keys(self) -> set[str]:
        """Every metadata key used anywhere in this group, nested groups included."""
        found: set[str] = set()
        for item in self.filters:
            found |= item.keys() if isinstance(item, MetadataFilters) else {item.key}
        return found


_FILTER, _GROUP = "metadata filter", "metadata filter group"


def _invalid(what: str, data: dict[str, Any], exc: ValidationError) -> InvalidInputError:
    """A typed error for a filter pydantic refused (the first problem, with its field)."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    key = f" on {data['key']!r}" if isinstance(data.get("key"), str) else ""
    msg = (
        f"invalid {what}{key}: {where or 'value'}: {first.get('msg', 'invalid')}; values are a string, number, "
        "bool, a list of those, or None"
    )
    return InvalidInputError(msg)


class ExactMatchFilter(MetadataFilter):
    """LlamaIndex's older equality filter: ``ExactMatchFilter(key="kind", value="wood")`` is ``key == value``.

    Raises:
        InvalidInputError: an ``operator`` other than ``==`` was given (use :class:`MetadataFilter` for those).
    """

    def __init__(self, **data: Any) -> None:
        if FilterOperator.parse(data.get("operator", FilterOperator.EQ)) is not FilterOperator.EQ:
            msg = "ExactMatchFilter only compares with ==; use MetadataFilter(key=..., value=..., operator=...)"
            raise InvalidInputError(msg)
        super().__init__(**data)


def _coerce_filter(item: Any) -> MetadataFilter | MetadataFilters:
    if isinstance(item, (MetadataFilter, MetadataFilters)):
        return item
    if isinstance(item, Mapping):
        if "filters" in item:
            return MetadataFilters(**dict(item))
        if "key" in item:
            return MetadataFilter(**dict(item))
    msg = (
        f"cannot use {item!r} as a metadata filter; pass MetadataFilter/MetadataFilters or a dict with "
        "'key'/'value'/'operator' (or 'filters'/'condition' for a nested group)"
    )
    raise InvalidInputError(msg)


@suggest_constructor_keywords
@dataclass
class VectorStoreQuery:
    """A query to a vector store (same fields as LlamaIndex's ``VectorStoreQuery``).

    An unknown keyword is a ``TypeError`` naming the closest field (``similarity_topk`` → ``similarity_top_k``).

    Args:
        query_embedding: the query vector (required by embedding queries).
        similarity_top_k: how many results to return.
        doc_ids: restrict to nodes whose ``ref_doc_id`` is in this list.
        node_ids: restrict to these node ids.
        query_str: the query text (text/hybrid modes).
        output_fields: provider-specific fields to return.
        embedding_field: provider-specific name of the vector field.
        mode: a :class:`VectorStoreQueryMode`.
        alpha: hybrid weighting (1.0 = dense only).
        filters: :class:`MetadataFilters` applied before ranking.
        mmr_threshold: MMR trade-off.
        sparse_top_k: candidates from the sparse side of a hybrid query.
        hybrid_top_k: results of a hybrid query.
    """

    query_embedding: list[float] | None = None
    similarity_top_k: int = 1
    doc_ids: list[str] | None = None
    node_ids: list[str] | None = None
    query_str: str | None = None
    output_fields: list[str] | None = None
    embedding_field: str | None = None
    mode: VectorStoreQueryMode = VectorStoreQueryMode.DEFAULT
    alpha: float | None = None
    filters: MetadataFilters | None = None
    mmr_threshold: float | None = None
    sparse_top_k: int | None = None
    hybrid_top_k: int | None = None

    def __post_init__(self) -> None:
        # A bare string would be iterated character by character; reject it where the query is built.
        self.node_ids = id_list(self.node_ids, "node_ids")
        self.doc_ids = id_list(self.doc_ids, "doc_ids")


@dataclass
class VectorStoreQueryResult:
    """What a query returns: parallel lists of nodes, similarities (higher is closer) and ids, best first."""

    nodes: list[BaseNode] | None = None
    similarities: list[float] | None = None
    ids: list[str] | None = field(default=None)
