"""``SimpleMongoReader``: stream MongoDB documents into dovetail ``Document`` s with pymongo, sync or async."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.config import resolve_secret
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import DovetailError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError
from dovetail.core.readers import BaseReader
from dovetail.core.retry import RetryPolicy
from dovetail.core.retry import next_retry_delay
from dovetail.core.schema import Document
from dovetail.readers.mongodb._convert import OnMissing
from dovetail.readers.mongodb._convert import build_document
from dovetail.readers.mongodb._convert import build_projection
from dovetail.readers.mongodb._convert import uri_options
from dovetail.readers.mongodb._errors import map_pymongo_error
from dovetail.readers.mongodb._options import LOAD_DEFAULTS
from dovetail.readers.mongodb._options import LoadOptions
from dovetail.readers.mongodb._options import log_summary
from dovetail.readers.mongodb._options import split_positional
from dovetail.readers.mongodb._options import validate_load_options
from dovetail.readers.mongodb._paging import START
from dovetail.readers.mongodb._paging import after
from dovetail.readers.mongodb._paging import excludes_id
from dovetail.readers.mongodb._paging import resume_args
from dovetail.readers.mongodb._uri import mask_connection_string
from pydantic import SecretStr

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient
    from pymongo import MongoClient

__all__ = ["SimpleMongoReader"]

logger = logging.getLogger(__name__)

DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5000
DEFAULT_SOCKET_TIMEOUT_MS = 30_000
ENV_URI = "MONGODB_URI"


class SimpleMongoReader(BaseReader):
    """Read documents from a MongoDB collection, one ``Document`` per MongoDB document.

    The constructor does no I/O: the client connects on the first load. Documents are streamed in ``_id`` order
    through a cursor (``batch_size`` at a time), never all held in memory, by ``lazy_load_data`` and
    ``alazy_load_data``; a read that breaks is retried and resumes after the last ``_id`` it got.
    ``load_data``/``aload_data`` collect those streams into a list. Async methods use pymongo's native
    ``AsyncMongoClient`` (no threads).

    Args:
        host: server host (used with ``port`` when ``uri`` is not given); default ``"localhost"``. With none of
            ``uri``/``host``/``port``, the URI comes from ``[providers.mongodb] uri`` in ``dovetail.toml``, else
            the ``MONGODB_URI`` environment variable, else ``mongodb://localhost:27017``.
        port: server port; default ``27017``.
        uri: a ``mongodb://`` or ``mongodb+srv://`` connection string. Its password never appears in ``repr``,
            logs or error messages. Wins over ``host``/``port``.
        server_selection_timeout_ms: how long to wait for a reachable server before failing with
            ``ProviderConnectionError`` (default 5000). A ``serverSelectionTimeoutMS`` in the URI wins.
        socket_timeout_ms: pymongo's ``socketTimeoutMS``: how long one read from the server may stall before
            the read fails with ``ProviderTimeoutError`` (and is retried) instead of hanging (default 30000;
            ``None`` leaves pymongo's default, no limit). A ``socketTimeoutMS`` in the URI wins.
        timeout_ms: pymongo's ``timeoutMS`` (client-side operation timeout; unset by default). pymongo then
            uses it for server selection as well, in place of ``server_selection_timeout_ms``.
        max_retries: retries of a broken read through dovetail's retry policy (0-10, default 3). Reads are
            idempotent; the read resumes after the last ``_id`` it got, so nothing is returned twice.
        retry_policy: a full :class:`dovetail.core.retry.RetryPolicy` (wins over ``max_retries``).
        client_kwargs: extra keyword arguments for ``MongoClient`` / ``AsyncMongoClient`` (TLS, auth, pool size,
            ``appname``...).
        client: a ``MongoClient`` you own (not closed by the reader); else the reader builds and owns one.
        async_client: an ``AsyncMongoClient`` you own; else each async load opens and closes its own (an async
            client is bound to the event loop that created it).

    Raises:
        ConfigurationError: the URI does not start with ``mongodb://`` or ``mongodb+srv://``, or a
            constructor argument has the wrong type.

    Example:
        ```python
        from dovetail.readers.mongodb import SimpleMongoReader

        reader = SimpleMongoReader(uri="mongodb://localhost:27017")
        for doc in reader.lazy_load_data(
            "library", "articles", field_names=["title", "body"], metadata_names=["author.name", "year"],
            query_dict={"year": {"$gte": 2020}},
        ):
            print(doc.id_, doc.metadata)
        ```
    """

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        uri: str | SecretStr | None = None,
        *,
        server_selection_timeout_ms: int = DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
        timeout_ms: int | None = None,
        socket_timeout_ms: int | None = DEFAULT_SOCKET_TIMEOUT_MS,
        max_retries: int = 3,
        retry_policy: RetryPolicy | None = None,
        client_kwargs: Mapping[str, Any] | None = None,
        client: MongoClient[Any] | None = None,
        async_client: AsyncMongoClient[Any] | None = None,
    ) -> None:
        if uri is None and host is None and port is None:
            # explicit > [providers.mongodb] uri in dovetail.toml > MONGODB_URI > localhost
            uri = resolve_secret(None, "mongodb", "uri", ENV_URI, required=False)
        if uri is None:
            if host is not None and (not isinstance(host, str) or not host):
                msg = f"host must be a non-empty string, got {host!r}"
                raise ConfigurationError(msg)
            if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
                msg = f"port must be an integer between 1 and 65535, got {port!r}"
                raise ConfigurationError(msg)
            uri = f"mongodb://{host or 'localhost'}:{port or 27017}"
        plain = uri.get_secret_value() if isinstance(uri, SecretStr) else uri
        if not isinstance(plain, str) or not plain.startswith(("mongodb://", "mongodb+srv://")):
            # Only the scheme is echoed: an unknown URI format may carry a password we cannot mask.
            if not isinstance(plain, str):
                shown = f"a {type(plain).__name__}"
            elif "://" in plain:
                shown = repr(f"{plain.partition('://')[0][:20]}://...")
            else:
                shown = "a value without '://'"
            msg = f"uri must start with 'mongodb://' or 'mongodb+srv://', got {shown}"
            raise ConfigurationError(msg)
        _check_ms("server_selection_timeout_ms", server_selection_timeout_ms, optional=False)
        _check_ms("timeout_ms", timeout_ms, optional=True)
        _check_ms("socket_timeout_ms", socket_timeout_ms, optional=True)
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or not 0 <= max_retries <= 10:
            msg = f"max_retries must be an integer from 0 to 10, got {max_retries!r}"
            raise ConfigurationError(msg)
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            msg = f"retry_policy must be a dovetail.core.retry.RetryPolicy, got {type(retry_policy).__name__}"
            raise ConfigurationError(msg)
        if client_kwargs is not None and not isinstance(client_kwargs, Mapping):
            msg = f"client_kwargs must be a dict, got {type(client_kwargs).__name__}"
            raise ConfigurationError(msg)
        self._uri = SecretStr(plain)
        masked = mask_connection_string(plain)
        self._display_uri = masked.display
        self._uri_options = uri_options(plain)
        self._secrets = masked.secrets
        self.server_selection_timeout_ms = server_selection_timeout_ms
        self.timeout_ms = timeout_ms
        self.socket_timeout_ms = socket_timeout_ms
        self.retry_policy = retry_policy if retry_policy is not None else RetryPolicy(max_retries=max_retries)
        self.client_kwargs: dict[str, Any] = dict(client_kwargs or {})
        self._client = client
        self._owns_client = client is None
        self._async_client = async_client
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SimpleMongoReader(uri={self._display_uri!r})"

    # -- clients -------------------------------------------------------------------------------------------------

    def _client_options(self) -> dict[str, Any]:
        # Defaults apply only where neither the URI nor client_kwargs set the option (keywords would override
        # the URI in pymongo). retryReads is off because dovetail keeps a single retry layer (dovetail.core.retry).
        options: dict[str, Any] = {}
        for name, value in (
            ("serverSelectionTimeoutMS", self.server_selection_timeout_ms),
            ("timeoutMS", self.timeout_ms),
            ("socketTimeoutMS", self.socket_timeout_ms),
            ("retryReads", False),
        ):
            if value is not None and name.lower() not in self._uri_options:
                options[name] = value
        options.update(self.client_kwargs)
        return options

    def _timeout_ms(self) -> int:
        value: Any = self.client_kwargs.get("serverSelectionTimeoutMS")
        if value is None:
            value = self._uri_options.get("serverselectiontimeoutms", self.server_selection_timeout_ms)
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return self.server_selection_timeout_ms

    def _sync_client(self, options: LoadOptions) -> MongoClient[Any]:
        with self._lock:
            if self._client is None:
                from pymongo import MongoClient

                error: DovetailError | None = None
                try:
                    client: MongoClient[Any] = MongoClient(self._uri.get_secret_value(), **self._client_options())
                except Exception as exc:
                    error = self._map(exc, options)
                if error is not None:
                    raise error  # unchained: pymongo's exception may quote the URI
                # The reader owns this client: close it when the reader is garbage-collected (no leaked sockets,
                # no ResourceWarning), or earlier through close() / the context manager.
                self._finalizer = weakref.finalize(self, client.close)
                self._client = client
            return self._client

    def _map(self, exc: BaseException, options: LoadOptions) -> DovetailError:
        if isinstance(exc, DovetailError):
            return exc
        return map_pymongo_error(
            exc,
            target=options.target,
            display_uri=self._display_uri,
            timeout_ms=self._timeout_ms(),
            secrets=self._secrets,
        )

    def close(self) -> None:
        """Close the sync client the reader opened (a client passed in by the caller is left open)."""
        if not self._owns_client:
            return
        with self._lock:
            self._client = None
            finalizer, self._finalizer = self._finalizer, None
        if finalizer is not None:
            finalizer()

    def __enter__(self) -> SimpleMongoReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- loading -------------------------------------------------------------------------------------------------

    def _options(self, db_name: Any, collection_name: Any, kwargs: dict[str, Any]) -> LoadOptions:
        unknown = set(kwargs) - LOAD_DEFAULTS.keys()
        if unknown:
            msg = f"unknown load argument(s) {sorted(unknown)}; accepted: {sorted(LOAD_DEFAULTS)}"
            raise InvalidInputError(msg)
        merged = {**LOAD_DEFAULTS, **kwargs}
        return validate_load_options(db_name=db_name, collection_name=collection_name, **merged)

    def _find_args(self, options: LoadOptions) -> dict[str, Any]:
        args: dict[str, Any] = {
            "filter": options.query_dict,
            "projection": build_projection(options.field_names, options.metadata_names, options.projection),
        }
        # With on_missing="skip" a skipped document must not use up the limit, so the limit is counted locally.
        if options.max_docs and options.on_missing != "skip":
            args["limit"] = options.max_docs
        if options.batch_size is not None:
            args["batch_size"] = options.batch_size
        return args

    def _convert(self, raw: Mapping[str, Any], options: LoadOptions) -> Document | None:
        return build_document(
            raw,
            field_names=options.field_names,
            separator=options.separator,
            metadata_names=options.metadata_names,
            on_missing=options.on_missing,
            field_extractors=options.field_extractors,
        )

    def lazy_load_data(
        self,
        db_name: str,
        collection_name: str,
        field_names: Sequence[str] = ("text",),
        separator: str = "\n",
        query_dict: Mapping[str, Any] | None = None,
        max_docs: int | None = None,
        metadata_names: Sequence[str] | None = None,
        field_extractors: Mapping[str, Callable[[Any], str]] | None = None,
        *,
        projection: Mapping[str, Any] | Sequence[str] | None = None,
        batch_size: int | None = None,
        on_missing: OnMissing = "skip",
    ) -> Iterator[Document]:
        """Stream documents from ``db_name.collection_name``.

        Arguments are validated when the generator is created, before any I/O.

        Args:
            db_name: database name.
            collection_name: collection name.
            field_names: fields (dotted paths allowed) whose text is joined, in order, into ``Document.text``.
            separator: what goes between the text of two fields (default ``"\\n"``).
            query_dict: a MongoDB filter, e.g. ``{"year": {"$gte": 2020}}``; default all documents.
            max_docs: at most this many documents are returned; ``None`` or ``0`` means no limit.
            metadata_names: fields (dotted paths allowed) copied into ``Document.metadata`` under the same name.
            field_extractors: per text field, a function turning the stored value into text.
            projection: what the server sends back; default only ``_id``, ``field_names`` and ``metadata_names``.
            batch_size: cursor batch size (documents per round trip); default pymongo's.
            on_missing: when a text field is missing or ``None``: ``"skip"`` the document (default; counted and
                logged), ``"error"`` (raise ``InvalidInputError``), or ``"empty"`` (leave that field out of the
                text and keep the document).

        Yields:
            One ``Document`` per MongoDB document; ``id_`` is the stringified ``_id``.

        Raises:
            InvalidInputError: a bad argument, a query the server rejects, or a missing field with
                ``on_missing="error"``.
            ProviderConnectionError: no server reachable within ``server_selection_timeout_ms``.
            AuthenticationError: the server refused the credentials.
        """
        options = self._options(
            db_name,
            collection_name,
            {
                "field_names": field_names,
                "separator": separator,
                "query_dict": query_dict,
                "max_docs": max_docs,
                "metadata_names": metadata_names,
                "field_extractors": field_extractors,
                "projection": projection,
                "batch_size": batch_size,
                "on_missing": on_missing,
            },
        )
        return self._iterate(options)

    def _iterate(self, options: LoadOptions) -> Iterator[Document]:
        client = self._sync_client(options)
        logger.debug("mongodb: reading %s from %s", options.target, self._display_uri)
        collection = client[options.db_name][options.collection_name]
        reading = _Reading(self, options)
        read = _Resumable(self._find_args(options), options, self.retry_policy)
        try:
            while (args := read.next_args()) is not None:
                failure: DovetailError | None = None
                try:
                    with collection.find(**args) as cursor:
                        for raw in cursor:
                            document = reading.document(read.seen(raw))
                            if document is not None:
                                yield document
                                if reading.counted():
                                    return
                    read.finished()
                except DovetailError:
                    raise  # from the conversion (on_missing="error"), not from the server
                except Exception as exc:
                    failure = self._map(exc, options)
                if failure is not None:
                    time.sleep(read.delay_after(failure))
        finally:
            reading.log()

    def load_data(self, *args: Any, **load_kwargs: Any) -> list[Document]:
        """Load all matching documents into a list (same arguments as :meth:`lazy_load_data`)."""
        return list(self.lazy_load_data(*args, **load_kwargs))

    def alazy_load_data(self, *args: Any, **load_kwargs: Any) -> AsyncIterator[Document]:
        """Async twin of :meth:`lazy_load_data` on pymongo's native ``AsyncMongoClient`` (same arguments)."""
        options = self._options(*split_positional(args, load_kwargs))
        return self._aiterate(options)

    async def _aiterate(self, options: LoadOptions) -> AsyncIterator[Document]:
        owned = self._async_client is None
        reading = _Reading(self, options)
        client: AsyncMongoClient[Any] | None = self._async_client
        read = _Resumable(self._find_args(options), options, self.retry_policy)
        try:
            if client is None:
                from pymongo import AsyncMongoClient

                failure: DovetailError | None = None
                try:
                    client = AsyncMongoClient(self._uri.get_secret_value(), **self._client_options())
                except Exception as exc:
                    failure = self._map(exc, options)
                if failure is not None or client is None:
                    raise failure or ProviderError("mongodb: no client", provider="mongodb")
            collection = client[options.db_name][options.collection_name]
            while (args := read.next_args()) is not None:
                failure = None
                try:
                    cursor = collection.find(**args)
                    try:
                        async for raw in cursor:
                            document = reading.document(read.seen(raw))
                            if document is not None:
                                yield document
                                if reading.counted():
                                    return
                    finally:
                        await cursor.close()
                    read.finished()
                except DovetailError:
                    raise
                except Exception as exc:
                    failure = self._map(exc, options)
                if failure is not None:
                    await asyncio.sleep(read.delay_after(failure))
        finally:
            if owned and client is not None:
                await client.close()
            reading.log()

    async def aload_data(self, *args: Any, **load_kwargs: Any) -> list[Document]:
        """Async twin of :meth:`load_data` (native async, same arguments as :meth:`lazy_load_data`)."""
        return [document async for document in self.alazy_load_data(*args, **load_kwargs)]


def _check_ms(name: str, value: Any, *, optional: bool) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        allowed = "a positive integer (milliseconds) or None" if optional else "a positive integer (milliseconds)"
        msg = f"{name} must be {allowed}, got {value!r}"
        raise ConfigurationError(msg)


class _Reading:
    """One read in progress: converts raw documents and counts those yielded and skipped (sync and async alike)."""

    def __init__(self, reader: SimpleMongoReader, options: LoadOptions) -> None:
        self._reader = reader
        self._options = options
        self.yielded = 0
        self.skipped = 0

    def document(self, raw: Mapping[str, Any]) -> Document | None:
        """The ``Document`` of ``raw``, or ``None`` (counted as skipped) when it has no text."""
        document = self._reader._convert(raw, self._options)
        if document is None:
            self.skipped += 1
        return document

    def counted(self) -> bool:
        """Count one yielded document; ``True`` once ``max_docs`` is reached."""
        self.yielded += 1
        return bool(self._options.max_docs) and self.yielded >= self._options.max_docs

    def log(self) -> None:
        """Log how many documents were read and skipped."""
        log_summary(self._options, self.yielded, self.skipped)


class _Resumable:
    """One read that resumes after a failure: the ``find`` arguments of the next cursor and the retry state."""

    def __init__(self, args: dict[str, Any], options: LoadOptions, policy: RetryPolicy) -> None:
        self._args = args
        self._options = options
        self._policy = policy
        self._resumable = not excludes_id(options.projection)
        self._last_id: Any = START
        self._returned = 0
        self._attempt = 0
        self._started = time.monotonic()
        self._done = False

    def next_args(self) -> dict[str, Any] | None:
        """Arguments of the next cursor, or ``None`` when the read is complete."""
        if self._done:
            return None
        limit = self._args.get("limit")
        remaining = limit - self._returned if isinstance(limit, int) and self._returned else None
        if not self._resumable:
            return dict(self._args)
        args = resume_args(self._args, self._last_id, remaining)
        if args is None:  # checked in retry_delay before a retry is planned
            msg = f"cannot resume reading {self._options.target} after _id {self._last_id!r}"
            raise ProviderError(msg, provider="mongodb")
        return args

    def seen(self, raw: Mapping[str, Any]) -> Mapping[str, Any]:
        """Record a document the server returned; return it."""
        self._returned += 1
        if self._resumable:
            self._last_id = raw.get("_id")
        return raw

    def finished(self) -> None:
        """The cursor ran out: the read is complete."""
        self._done = True

    def delay_after(self, error: DovetailError) -> float:
        """Seconds to wait before resuming after ``error``; raises ``error`` when the read cannot resume.

        Called outside the ``except`` block, so ``error`` is raised unchained (pymongo's exception may quote the
        URI).
        """
        resumable = not self._returned or (self._resumable and after({}, self._last_id) is not None)
        delay = (
            next_retry_delay(self._policy, self._attempt, error, operation="mongodb.find", started=self._started)
            if resumable
            else None
        )
        if delay is None:
            raise error
        self._attempt += 1
        return delay
