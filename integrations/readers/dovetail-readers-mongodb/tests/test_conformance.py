"""The reader conformance kit, run against the real server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.core.testing import ReaderConformance
from dovetail.readers.mongodb import SimpleMongoReader

pytestmark = pytest.mark.integration


class TestSimpleMongoReaderConformance(ReaderConformance):
    @pytest.fixture
    def reader(self, auth_uri: str) -> Iterator[SimpleMongoReader]:
        with SimpleMongoReader(uri=auth_uri) as reader:
            yield reader

    @pytest.fixture
    def load_kwargs(self) -> dict[str, Any]:
        return {
            "db_name": "library",
            "collection_name": "corpus",
            "field_names": ["title", "body"],
            "metadata_names": ["n", "author.name"],
            "query_dict": {"n": {"$lt": 300}},
        }
