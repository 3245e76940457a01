"""Fuzz the MongoDB reader's pure conversions (load options, BSON document → Document): a Document, a skip, or
InvalidInputError — never another exception type (read-only use of the reader's translators)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from bson import Decimal128
from bson import ObjectId
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import Document
from dovetail.readers.mongodb._convert import build_document
from dovetail.readers.mongodb._convert import build_projection
from dovetail.readers.mongodb._options import validate_load_options
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

FIELDS = ["text", "title", "a", "b", "0", "1", "a.b", "a.0", "a.b.c", "tags", "_id", ""]
bson_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.binary(max_size=10),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.builds(ObjectId),
    st.decimals(min_value=-(10**9), max_value=10**9, places=3).map(lambda d: Decimal128(str(d))),
    st.sampled_from([Decimal128("NaN"), Decimal128("-Infinity"), Decimal128("1E+6000")]),
)
bson_values = st.recursive(
    bson_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(FIELDS[:10]), inner, max_size=3)
    ),
    max_leaves=12,
)
documents = st.dictionaries(st.sampled_from(FIELDS), bson_values, max_size=6)
anything = st.one_of(
    st.none(), st.integers(-3, 3), st.text(max_size=5), st.lists(st.text(max_size=5), max_size=3), st.booleans()
)


@given(
    raw=documents,
    field_names=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3),
    metadata_names=st.lists(st.sampled_from(FIELDS), max_size=3),
    separator=st.text(max_size=3),
    on_missing=st.sampled_from(["skip", "empty", "error"]),
)
def test_build_document_gives_a_document_a_skip_or_invalid_input(
    raw: dict[str, Any], field_names: list[str], metadata_names: list[str], separator: str, on_missing: Any
) -> None:
    try:
        doc = build_document(
            raw, field_names=field_names, separator=separator, metadata_names=metadata_names, on_missing=on_missing
        )
    except InvalidInputError:
        return
    if doc is None:
        assert on_missing == "skip"
        return
    assert isinstance(doc, Document)
    assert isinstance(doc.text, str)
    doc.to_dict()  # the metadata must serialise (it is persisted with the index)
    build_projection(field_names, metadata_names, None)


@given(
    db_name=anything,
    collection_name=anything,
    field_names=st.one_of(anything, st.lists(st.sampled_from(FIELDS), max_size=3)),
    separator=anything,
    query_dict=st.one_of(anything, st.dictionaries(st.text(max_size=4), anything, max_size=2)),
    metadata_names=anything,
    projection=st.one_of(anything, st.dictionaries(st.text(max_size=4), st.integers(0, 1), max_size=2)),
    max_docs=anything,
    batch_size=anything,
    on_missing=anything,
)
def test_load_options_are_accepted_or_refused_with_invalid_input(**options: Any) -> None:
    with contextlib.suppress(InvalidInputError):
        validate_load_options(field_extractors=None, **options)
