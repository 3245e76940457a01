"""Pure conversion rules: paths, text and metadata conversion, projection, URI masking (no server)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from bson import Decimal128
from bson import ObjectId
from dovetail.core.errors import InvalidInputError
from dovetail.readers.mongodb._convert import MISSING
from dovetail.readers.mongodb._convert import build_document
from dovetail.readers.mongodb._convert import build_projection
from dovetail.readers.mongodb._convert import get_path
from dovetail.readers.mongodb._convert import mask_uri
from dovetail.readers.mongodb._convert import to_metadata_value
from dovetail.readers.mongodb._convert import to_text
from dovetail.readers.mongodb._convert import uri_options

NESTED = {"a": {"b": {"c": 1}}, "items": [{"name": "x"}, {"name": "y"}, {"other": 1}], "tags": ["p", "q"]}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a.b.c", 1),
        ("a.b", {"c": 1}),
        ("a.x", MISSING),
        ("a.b.c.d", MISSING),
        ("items.0.name", "x"),
        ("items.5.name", MISSING),
        ("items.name", ["x", "y"]),
        ("items.nope", MISSING),
        ("tags.1", "q"),
        ("missing", MISSING),
    ],
)
def test_get_path(path: str, expected: Any) -> None:
    assert get_path(NESTED, path) == expected if expected is not MISSING else get_path(NESTED, path) is MISSING


OID = ObjectId("65a1b2c3d4e5f60718293a4b")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        (3, "3"),
        (2.5, "2.5"),
        (True, "True"),
        (dt.datetime(2024, 5, 1, 12, 30), "2024-05-01T12:30:00"),
        (b"caf\xc3\xa9", "café"),
        (b"\xff", "\ufffd"),
        (["a", None, 2], "a\n2"),
        ({"k": [1, "v"]}, '{"k":[1,"v"]}'),
        (OID, "65a1b2c3d4e5f60718293a4b"),
        (Decimal128("1.10"), "1.10"),
    ],
)
def test_to_text(value: Any, expected: str) -> None:
    assert to_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (7, 7),
        (1.5, 1.5),
        (False, False),
        ("s", "s"),
        (dt.date(2021, 2, 3), "2021-02-03"),
        (["x", 1], '["x",1]'),
        ({"n": dt.datetime(2020, 1, 1)}, '{"n":"2020-01-01T00:00:00"}'),
        (OID, "65a1b2c3d4e5f60718293a4b"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
    ],
)
def test_to_metadata_value(value: Any, expected: Any) -> None:
    assert to_metadata_value(value) == expected


@pytest.mark.parametrize(
    ("uri", "masked"),
    [
        ("mongodb://user:s3cret@host:27017/db?authSource=admin", "mongodb://user:***@host:27017/db?authSource=admin"),
        ("mongodb+srv://u:p%40ss@cluster.example/", "mongodb+srv://u:***@cluster.example/"),
        ("mongodb://user@host", "mongodb://user@host"),
        ("mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017"),
    ],
)
def test_mask_uri(uri: str, masked: str) -> None:
    assert mask_uri(uri) == masked


def test_uri_options_are_case_blind() -> None:
    assert uri_options("mongodb://h/?serverSelectionTimeoutMS=10&retryReads=true") == {
        "serverselectiontimeoutms": "10",
        "retryreads": "true",
    }
    assert uri_options("mongodb://h") == {}


def test_default_projection_asks_only_for_needed_fields_without_collisions() -> None:
    assert build_projection(["body", "author.name"], ["author", "n"], None) == {"author": 1, "body": 1, "n": 1}
    assert build_projection(["a.b", "a.c"], [], None) == {"a.b": 1, "a.c": 1}
    assert build_projection(["x"], [], {"x": 1, "_id": 0}) == {"x": 1, "_id": 0}


RAW = {"_id": OID, "title": "T", "body": "B", "year": 2020, "author": {"name": "Ann"}}


def _build(raw: dict[str, Any], fields: list[str], on_missing: Any = "skip", **kw: Any) -> Any:
    return build_document(
        raw,
        field_names=fields,
        separator=kw.pop("separator", " | "),
        metadata_names=kw.pop("meta", []),
        on_missing=on_missing,
        **kw,
    )


def test_build_document_joins_fields_and_copies_metadata() -> None:
    doc = _build(RAW, ["title", "body", "author.name"], meta=["year", "author.name", "nope"])
    assert doc.id_ == "65a1b2c3d4e5f60718293a4b"
    assert doc.text == "T | B | Ann"
    assert doc.metadata == {"year": 2020, "author.name": "Ann"}


@pytest.mark.parametrize("missing_value", [{}, {"body": None}])
def test_missing_field_policies(missing_value: dict[str, Any]) -> None:
    raw = {"_id": 1, "title": "T", **missing_value}
    assert _build(raw, ["title", "body"], "skip") is None
    assert _build(raw, ["title", "body"], "empty").text == "T"
    with pytest.raises(InvalidInputError, match=r"_id='1' has no text field 'body'"):
        _build(raw, ["title", "body"], "error")


def test_empty_string_is_present_not_missing() -> None:
    assert _build({"_id": 1, "body": ""}, ["body"], "skip").text == ""


def test_field_extractor_must_return_str() -> None:
    doc = _build(RAW, ["year"], field_extractors={"year": lambda v: f"year {v}"})
    assert doc.text == "year 2020"
    with pytest.raises(InvalidInputError, match="must return str"):
        _build(RAW, ["year"], field_extractors={"year": lambda v: v})


def test_ids_for_non_objectid_keys() -> None:
    assert _build({"_id": 42, "t": "x"}, ["t"]).id_ == "42"
    assert _build({"_id": "abc", "t": "x"}, ["t"]).id_ == "abc"
    assert _build({"_id": {"k": 1}, "t": "x"}, ["t"]).id_ == '{"k":1}'
    generated = _build({"t": "x"}, ["t"]).id_
    assert uuid.UUID(generated)
