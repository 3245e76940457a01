"""``PineconeVectorStore``: dovetail's vector-store contract on a Pinecone index (pinecone SDK 10.x)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from typing import TypeVar
from urllib.parse import urlsplit

from dovetail.core.concurrency import gather_bounded
from dovetail.core.concurrency import run_in_thread
from dovetail.core.concurrency import submit_in_context
from dovetail.core.config import describe_errors
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.retry import RetryPolicy
from dovetail.core.retry import aretry_call
from dovetail.core.retry import retry_call
from dovetail.core.schema import BaseNode
from dovetail.core.vector_stores import BasePydanticVectorStore
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryResult
from dovetail.vector_stores.pinecone import _client
from dovetail.vector_stores.pinecone import _ops
from dovetail.vector_stores.pinecone import _settings
from dovetail.vector_stores.pinecone._errors import map_error
from pydantic import Field
from pydantic import ModelWrapValidatorHandler
from pydantic import PrivateAttr
from pydantic import SecretStr
from pydantic import ValidationError
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic import model_validator

__all__ = ["PineconeVectorStore"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


class PineconeVectorStore(BasePydanticVectorStore):
    """Vector store on a Pinecone index, sync and asyncio, with batched concurrent upserts.

    Nodes are stored with their text (``text_key``), filterable metadata and the serialized node, so queries
    return full nodes. The SDK's own retries are switched off; every call goes through dovetail's retry
    policy (``max_retries``, exponential backoff, ``Retry-After``). Nothing is contacted until the first call.

    Args:
        index_name: the index; its host is looked up once on the control plane.
        host: the index host (``https://<index>-<project>.svc.<env>.pinecone.io``); skips the lookup.
        api_key: explicit key; else ``[providers.pinecone] api_key`` in dovetail.toml; else ``PINECONE_API_KEY``.
        namespace: namespace of every call (``namespace=`` on a call overrides it).
        text_key: metadata key holding the node text.
        batch_size: vectors per upsert request (1-1000); requests are also kept under 2 MB.
        max_concurrency: upsert requests in flight at once.
        timeout: seconds per HTTP attempt.
        max_retries: retries after a failed attempt (0-10).
        dimension: the index dimension; looked up once with ``describe_index_stats`` when not given.
        control_plane_host: control-plane URL (default: the SDK's, or ``PINECONE_CONTROLLER_HOST``).

    Example:
        ```python
        store = PineconeVectorStore(index_name="docs", namespace="en")
        store.add(nodes)  # nodes carry embeddings
        result = store.query(VectorStoreQuery(query_embedding=vector, similarity_top_k=3))
        ```
    """

    stores_text: bool = True
    flat_metadata: bool = True

    index_name: str | None = None
    host: str | None = None
    api_key: SecretStr | None = Field(default=None, repr=False)
    namespace: str = ""
    text_key: str = Field(default="text", min_length=1)
    batch_size: int = Field(default=100, ge=1, le=1000)
    max_concurrency: int = Field(default=4, ge=1, le=64)
    timeout: float = Field(default=30.0, gt=0, le=600)
    max_retries: int = Field(default=3, ge=0, le=10)
    dimension: int | None = Field(default=None, ge=1)
    control_plane_host: str | None = None
    retry_policy: RetryPolicy | None = Field(default=None, exclude=True, repr=False)

    _index: Any = PrivateAttr(default=None)
    _aindex: Any = PrivateAttr(default=None)
    _aindex_loop: Any = PrivateAttr(default=None)
    _resolved_host: str | None = PrivateAttr(default=None)
    _sdk_retries_off: bool = PrivateAttr(default=True)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _known_key: str | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _settings_error(cls, data: Any, handler: ModelWrapValidatorHandler[PineconeVectorStore]) -> Any:
        # Report bad settings as a dovetail ConfigurationError (it is not a ValueError, so pydantic lets it out).
        try:
            return handler(data)
        except ValidationError as exc:
            msg = f"invalid PineconeVectorStore settings: {describe_errors(exc, secret_fields={'api_key'})}"
        raise ConfigurationError(msg)  # outside the except: the ValidationError holds the raw input (the key)

    @field_validator("host", "control_plane_host")
    @classmethod
    def _check_host(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Checked when the store is built, not at the first request: a bad host otherwise surfaces deep in the SDK.
        if value is None:
            return None
        parts = urlsplit(value if "://" in value else f"https://{value}")
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
            msg = f"{info.field_name} must be an http(s) URL or a host name such as 'https://my-index-abc.svc.pinecone.io'"
            raise ValueError(msg)
        return value

    # ---- clients (created lazily, never in __init__) ----------------------------------------------------------

    @property
    def client(self) -> Any:
        """The pinecone data-plane ``Index`` (created on first access; no request is sent)."""
        return self._sync_index()

    def _policy(self) -> RetryPolicy:
        if not self._sdk_retries_off:
            return RetryPolicy(max_retries=0)
        return self.retry_policy if self.retry_policy is not None else RetryPolicy(max_retries=self.max_retries)

    def _key(self) -> str:
        key = _settings.resolve_api_key(self.api_key).get_secret_value()
        self._known_key = key
        return key

    def _host_for_index(self) -> str:
        if self._resolved_host is None:
            host, name = _settings.resolve_location(self.host, self.index_name)
            if host is None:
                control = _client.build_control_client(
                    self._key(), timeout=self.timeout, control_host=self.control_plane_host
                )
                try:
                    model = self._retry(lambda: control.indexes.describe(name), "describe_index")
                finally:
                    control.close()
                if not model.host:
                    msg = f"Pinecone index {name!r} has no host yet (still initializing); retry when it is Ready"
                    raise ConfigurationError(msg)
                host = str(model.host)
            self._resolved_host = host
        return self._resolved_host

    def _sync_index(self) -> Any:
        with self._lock:
            if self._index is None:
                host = self._host_for_index()
                self._index, self._sdk_retries_off = _client.build_index(
                    host=host, api_key=self._key(), timeout=self.timeout
                )
            return self._index

    async def _async_index(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._aindex is None or self._aindex_loop is not loop:
            # Host lookup and key resolution may read dovetail.toml or call the control plane: off the loop.
            host, key = await run_in_thread(lambda: (self._host_for_index(), self._key()))
            self._aindex, off = _client.build_async_index(host=host, api_key=key, timeout=self.timeout)
            self._sdk_retries_off = self._sdk_retries_off and off
            self._aindex_loop = loop
        return self._aindex

    def close(self) -> None:
        """Close the sync HTTP connection pool (the store reopens it on next use)."""
        with self._lock:
            index, self._index = self._index, None
        if index is not None:
            index.close()

    async def aclose(self) -> None:
        """Close the asyncio HTTP connection pool and the sync one."""
        index, self._aindex, self._aindex_loop = self._aindex, None, None
        if index is not None:
            await index.close()
        self.close()

    # ---- one retry layer ---------------------------------------------------------------------------------------

    def _map(self, operation: str) -> Callable[[Exception], BaseException]:
        return lambda exc: map_error(exc, operation, (self.api_key, self._known_key))

    def _retry(self, fn: Callable[[], T], operation: str) -> T:
        return retry_call(fn, self._policy(), operation=f"pinecone.{operation}", map_error=self._map(operation))

    async def _aretry(self, fn: Callable[[], Any], operation: str) -> Any:
        return await aretry_call(fn, self._policy(), operation=f"pinecone.{operation}", map_error=self._map(operation))

    def _ns(self, kwargs: dict[str, Any]) -> str:
        namespace = kwargs.get("namespace", self.namespace)
        if not isinstance(namespace, str):
            msg = f"namespace must be a string, got {type(namespace).__name__}"
            raise InvalidInputError(msg)
        return namespace

    def _dimension(self, index: Any) -> int | None:
        if self.dimension is None:
            stats = self._retry(lambda: index.describe_index_stats(), "describe_index_stats")
            self.dimension = getattr(stats, "dimension", None) or None
        return self.dimension

    async def _adimension(self, index: Any) -> int | None:
        if self.dimension is None:
            stats = await self._aretry(lambda: index.describe_index_stats(), "describe_index_stats")
            self.dimension = getattr(stats, "dimension", None) or None
        return self.dimension

    # ---- add ---------------------------------------------------------------------------------------------------

    def add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
        """Upsert ``nodes`` (by node id) in batches, ``max_concurrency`` requests at a time.

        Every node is validated before the first request; a failed batch (after retries) raises, and batches
        already written stay written (upserts are idempotent, so calling ``add`` again is safe).
        """
        namespace = self._ns(add_kwargs)
        if isinstance(nodes, Sequence) and not isinstance(nodes, (str, bytes)) and len(nodes) == 0:
            return []
        index = self._sync_index()
        plan = _ops.plan_add(
            nodes,
            text_key=self.text_key,
            dimension=self._dimension(index),
            batch_size=add_kwargs.get("batch_size", self.batch_size),
        )

        def send(batch: list[dict[str, Any]]) -> None:
            self._retry(lambda: index.upsert(vectors=batch, namespace=namespace, show_progress=False), "upsert")

        if len(plan.requests) == 1 or self.max_concurrency == 1:
            for batch in plan.requests:
                send(batch)
        else:
            workers = min(self.max_concurrency, len(plan.requests))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dovetail-pinecone") as pool:
                futures = [submit_in_context(pool, send, batch) for batch in plan.requests]
                errors = [exc for f in futures if (exc := f.exception()) is not None]
            if errors:
                logger.error("pinecone.upsert: %d of %d batches failed", len(errors), len(plan.requests))
                raise errors[0]
        logger.debug("pinecone.upsert: %d nodes in %d requests", len(plan.ids), len(plan.requests))
        return plan.ids

    async def async_add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
        """Async :meth:`add` on the SDK's asyncio client (bounded fan-out of upsert requests)."""
        namespace = self._ns(add_kwargs)
        if isinstance(nodes, Sequence) and not isinstance(nodes, (str, bytes)) and len(nodes) == 0:
            return []
        index = await self._async_index()
        plan = _ops.plan_add(
            nodes,
            text_key=self.text_key,
            dimension=await self._adimension(index),
            batch_size=add_kwargs.get("batch_size", self.batch_size),
        )

        def sender(batch: list[dict[str, Any]]) -> Callable[[], Any]:
            async def send() -> BaseException | None:
                # Return the error instead of raising, so every batch settles before add() reports (as sync).
                try:
                    await self._aretry(
                        lambda: index.upsert(vectors=batch, namespace=namespace, show_progress=False), "upsert"
                    )
                except Exception as exc:
                    return exc
                return None

            return send

        outcomes = await gather_bounded([sender(batch) for batch in plan.requests], self.max_concurrency)
        errors = [exc for exc in outcomes if exc is not None]
        if errors:
            logger.error("pinecone.upsert: %d of %d batches failed", len(errors), len(plan.requests))
            raise errors[0]
        return plan.ids

    # ---- query -------------------------------------------------------------------------------------------------

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """The ``similarity_top_k`` closest nodes (Pinecone scores: higher is closer for cosine/dotproduct)."""
        index = self._sync_index()
        args = _ops.query_kwargs(query, self._dimension(index), self._ns(kwargs))
        response = self._retry(lambda: index.query(**args), "query")
        return _ops.query_result(response, text_key=self.text_key)

    async def aquery(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """Async :meth:`query`."""
        index = await self._async_index()
        args = _ops.query_kwargs(query, await self._adimension(index), self._ns(kwargs))
        response = await self._aretry(lambda: index.query(**args), "query")
        return _ops.query_result(response, text_key=self.text_key)

    # ---- delete / clear ----------------------------------------------------------------------------------------

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Delete every node of source document ``ref_doc_id`` (metadata ``ref_doc_id``); unknown ids: no-op."""
        flt = {"ref_doc_id": {"$eq": _ops.check_ref_doc_id(ref_doc_id)}}
        namespace, index = self._ns(delete_kwargs), self._sync_index()
        self._ignore_missing(lambda: self._retry(lambda: index.delete(filter=flt, namespace=namespace), "delete"))

    async def adelete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Async :meth:`delete`."""
        flt = {"ref_doc_id": {"$eq": _ops.check_ref_doc_id(ref_doc_id)}}
        namespace, index = self._ns(delete_kwargs), await self._async_index()
        with contextlib.suppress(NotFoundError):
            await self._aretry(lambda: index.delete(filter=flt, namespace=namespace), "delete")

    @staticmethod
    def _ignore_missing(fn: Callable[[], Any]) -> None:
        # Pinecone answers 404 for a namespace that holds nothing; deleting from it is a no-op.
        with contextlib.suppress(NotFoundError):
            fn()

    def clear(self, **kwargs: Any) -> None:
        """Delete every node in the namespace."""
        namespace, index = self._ns(kwargs), self._sync_index()
        self._ignore_missing(lambda: self._retry(lambda: index.delete(delete_all=True, namespace=namespace), "clear"))

    async def aclear(self, **kwargs: Any) -> None:
        """Async :meth:`clear`."""
        namespace, index = self._ns(kwargs), await self._async_index()
        with contextlib.suppress(NotFoundError):
            await self._aretry(lambda: index.delete(delete_all=True, namespace=namespace), "clear")

    # ---- ids by filter, delete_nodes, get_nodes: see _reads.py -------------------------------------------------

    def delete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **delete_kwargs: Any
    ) -> None:
        """Delete nodes by id and/or filters (both: nodes matching both; neither: nothing)."""
        from dovetail.vector_stores.pinecone._reads import delete_nodes

        delete_nodes(self, node_ids, filters, self._ns(delete_kwargs))

    async def adelete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **delete_kwargs: Any
    ) -> None:
        """Async :meth:`delete_nodes`."""
        from dovetail.vector_stores.pinecone._reads import adelete_nodes

        await adelete_nodes(self, node_ids, filters, self._ns(delete_kwargs))

    def get_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **kwargs: Any
    ) -> list[BaseNode]:
        """Nodes by id and/or filters, with their embeddings (neither: every node of the namespace)."""
        from dovetail.vector_stores.pinecone._reads import get_nodes

        return get_nodes(self, node_ids, filters, self._ns(kwargs))

    async def aget_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **kwargs: Any
    ) -> list[BaseNode]:
        """Async :meth:`get_nodes`."""
        from dovetail.vector_stores.pinecone._reads import aget_nodes

        return await aget_nodes(self, node_ids, filters, self._ns(kwargs))
