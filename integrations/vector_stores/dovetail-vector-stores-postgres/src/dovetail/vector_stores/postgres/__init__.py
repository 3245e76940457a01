"""dovetail vector stores integration for Postgres."""

from dovetail.vector_stores.postgres.base import PostgresVectorStore

__all__ = ["PostgresVectorStore"]
