"""Connection strings, URIs and masking (pure: no server)."""

from __future__ import annotations

import pytest
from dovetail.core.errors import ConfigurationError
from dovetail.vector_stores.postgres import PGVectorStore
from dovetail.vector_stores.postgres._settings import masked
from dovetail.vector_stores.postgres._uri import public_uri
from dovetail.vector_stores.postgres._uri import split_uri


def test_split_uri_separates_store_settings_from_libpq_parameters() -> None:
    libpq, kwargs = split_uri(
        "postgresql://app:pw@db:5433/rag?table=docs&schema=s&hybrid_search=true&hnsw_m=8&sslmode=require"
    )
    assert libpq == "postgresql://app:pw@db:5433/rag?sslmode=require"
    assert kwargs == {"table_name": "docs", "schema_name": "s", "hybrid_search": True, "hnsw_kwargs": {"hnsw_m": 8}}
    with pytest.raises(ConfigurationError, match="hnsw_m"):
        split_uri("postgresql://db/rag?hnsw_m=many")
    with pytest.raises(ConfigurationError, match="postgresql://"):
        split_uri("mysql://db/rag")


def test_public_uri_and_masking_drop_the_password() -> None:
    assert (
        public_uri("postgresql://app:s3cret@db:5432/rag?table=t&password=x") == "postgresql://app@db:5432/rag?table=t"
    )
    assert masked("postgresql://app:s3cret@db:5432/rag") == "postgresql://app:***@db:5432/rag"
    assert masked("host=db user=app password=s3cret dbname=rag") == "postgresql://app:***@db:5432/rag"
    store = PGVectorStore.from_uri("postgresql://app:s3cret@db:5432/rag?table=docs&hybrid_search=1")
    assert store.table_name == "docs"
    assert store.hybrid_search
    assert "s3cret" not in store.public_uri()
    assert "s3cret" not in repr(store)
    assert store.public_uri().startswith("postgresql://app@db:5432/rag?table=docs")


def test_explicit_parts_override_the_connection_string() -> None:
    store = PGVectorStore.from_params(
        connection_string="postgresql+psycopg2://app:pw@db:5432/rag", port="6543", user="other", table_name="t"
    )
    assert store.public_uri().startswith("postgresql://other@db:6543/rag")


def test_unparsable_connection_string_never_echoes_it() -> None:
    store = PGVectorStore(connection_string="postgresql://app:s3cret@db/rag?no_such_option=1", table_name="t")
    with pytest.raises(ConfigurationError) as raised:
        store.public_uri()
    assert "s3cret" not in str(raised.value)
