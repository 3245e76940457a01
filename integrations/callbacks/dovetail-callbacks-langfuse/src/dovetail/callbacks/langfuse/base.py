"""``LangfuseCallbackHandler``: dovetail's trace/event tree as Langfuse traces, spans and generations."""

from __future__ import annotations

import atexit
import logging
import math
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal

from dovetail.callbacks.langfuse._convert import end_fields
from dovetail.callbacks.langfuse._convert import end_kwargs
from dovetail.callbacks.langfuse._convert import start_fields
from dovetail.callbacks.langfuse._convert import start_kwargs
from dovetail.callbacks.langfuse._export import build_exporter
from dovetail.callbacks.langfuse._export import build_tracer_provider
from dovetail.callbacks.langfuse._export import run_bounded
from dovetail.callbacks.langfuse._settings import resolve_credentials
from dovetail.callbacks.langfuse._state import OpenEvent
from dovetail.callbacks.langfuse._state import TraceState
from dovetail.callbacks.langfuse._state import forget_sdk_client
from dovetail.callbacks.langfuse._state import positive_seconds
from dovetail.callbacks.langfuse._state import register_atexit
from dovetail.core.callbacks import CallbackEvent
from dovetail.core.callbacks import CallbackEventHandler
from dovetail.core.callbacks import CBEventType
from dovetail.core.errors import ConfigurationError
from dovetail.core.keywords import suggest_keywords
from dovetail.core.redact import strip_url_credentials
from pydantic import SecretStr

if TYPE_CHECKING:
    from langfuse import Langfuse

__all__ = ["LangfuseCallbackHandler"]

logger = logging.getLogger("dovetail.callbacks.langfuse")

MAX_OPEN_EVENTS = 10_000
"""Started-but-not-ended events kept at most; beyond it the oldest is closed with level WARNING."""


class LangfuseCallbackHandler(CallbackEventHandler):
    """Send dovetail traces to Langfuse: a trace per ``start_trace``/``end_trace``, LLM events as generations
    (model, input/output, token usage, latency) and every other event as a span, nested by ``parent_id``.

    Export runs in a background thread through a bounded queue (OpenTelemetry batch span processor, 2048 spans;
    ``OTEL_BSP_MAX_QUEUE_SIZE`` changes it) with a short per-batch timeout, so an unreachable Langfuse never
    slows or breaks the application: failures are logged once and the data is dropped. ``flush()`` and
    ``shutdown()`` return within ``flush_timeout`` seconds; ``shutdown()`` also runs at interpreter exit.

    Args:
        public_key: Langfuse public key; else ``[providers.langfuse] public_key`` in ``dovetail.toml``, else
            ``LANGFUSE_PUBLIC_KEY``.
        secret_key: Langfuse secret key; else config ``secret_key``, else ``LANGFUSE_SECRET_KEY``.
        host: Langfuse URL; else config ``host``, else ``LANGFUSE_HOST`` / ``LANGFUSE_BASE_URL``, else
            ``https://cloud.langfuse.com``.
        user_id: Langfuse user id set on every trace.
        session_id: Langfuse session id set on every trace.
        tags: tags set on every trace.
        metadata: trace metadata (values are sent as strings of at most 200 characters).
        environment: Langfuse environment (e.g. ``"production"``).
        release: release identifier of the application.
        capture_content: send inputs and outputs (prompts, responses, node texts); ``False`` keeps only names,
            timings, models, token usage and errors.
        max_field_chars: longest string sent per field; longer ones are cut.
        export_timeout: seconds one export attempt (with the exporter's retries) may take (default 2).
        flush_timeout: the most ``flush()``/``shutdown()`` wait, in seconds (default 5).
        flush_at: spans per export batch (Langfuse default 512).
        flush_interval: seconds between background exports (SDK default; ``LANGFUSE_FLUSH_INTERVAL``).
        compression: ``"gzip"`` (default) or ``"none"``.
        event_starts_to_ignore: event types whose start is not recorded.
        event_ends_to_ignore: event types whose end is not recorded.

    Raises:
        ConfigurationError: a key is missing (the message names ``LANGFUSE_PUBLIC_KEY``/``LANGFUSE_SECRET_KEY``)
            or a setting is invalid.

    Example:
        ```python
        from dovetail.callbacks.langfuse import LangfuseCallbackHandler
        from dovetail.core.callbacks import CallbackManager

        handler = LangfuseCallbackHandler(user_id="u-42", tags=["docs-bot"])
        manager = CallbackManager([handler])   # e.g. Settings.callback_manager = manager
        ...
        handler.flush()
        ```
    """

    @suggest_keywords
    def __init__(
        self,
        public_key: str | SecretStr | None = None,
        secret_key: str | SecretStr | None = None,
        host: str | None = None,
        *,
        user_id: str | None = None,
        session_id: str | None = None,
        tags: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        environment: str | None = None,
        release: str | None = None,
        capture_content: bool = True,
        max_field_chars: int = 20_000,
        export_timeout: float = 2.0,
        flush_timeout: float = 5.0,
        flush_at: int | None = None,
        flush_interval: float | None = None,
        compression: Literal["gzip", "none"] = "gzip",
        event_starts_to_ignore: Iterable[CBEventType] = (),
        event_ends_to_ignore: Iterable[CBEventType] = (),
    ) -> None:
        super().__init__(event_starts_to_ignore, event_ends_to_ignore)
        self.export_timeout = positive_seconds(export_timeout, "export_timeout")
        self.flush_timeout = positive_seconds(flush_timeout, "flush_timeout")
        if compression not in ("gzip", "none"):
            msg = f"compression must be 'gzip' or 'none', got {compression!r}"
            raise ConfigurationError(msg)
        if isinstance(max_field_chars, bool) or not isinstance(max_field_chars, int) or max_field_chars < 100:
            msg = f"max_field_chars must be an integer >= 100, got {max_field_chars!r}"
            raise ConfigurationError(msg)
        if tags is not None and (isinstance(tags, str) or not all(isinstance(t, str) for t in tags)):
            msg = "tags must be a list of strings"
            raise ConfigurationError(msg)
        credentials = resolve_credentials(public_key, secret_key, host)
        self._public_key: SecretStr = credentials.public_key
        self._secret_key: SecretStr = credentials.secret_key
        self.host = strip_url_credentials(credentials.host)  # shown in repr and logs; the exporter gets it whole
        self.capture_content = bool(capture_content)
        self.max_field_chars = max_field_chars
        trace_attributes: dict[str, Any] = {
            "user_id": user_id,
            "session_id": session_id,
            "tags": list(tags) if tags else None,
            "metadata": dict(metadata) if metadata else None,
        }
        self._trace_attributes = {k: v for k, v in trace_attributes.items() if v is not None}
        self._lock = threading.Lock()
        self._open: OrderedDict[str, OpenEvent] = OrderedDict()
        self._trace_var: ContextVar[TraceState | None] = ContextVar(f"dovetail_langfuse_{id(self)}", default=None)
        self._closed = False
        self._failures = 0
        self._last_trace_id: str | None = None
        self._client, self._provider, self._owns_pipeline = self._build_client(
            credentials, environment, release, flush_at, flush_interval, compression
        )
        self._atexit = register_atexit(self)

    def _build_client(
        self,
        credentials: Any,
        environment: str | None,
        release: str | None,
        flush_at: int | None,
        flush_interval: float | None,
        compression: str,
    ) -> tuple[Langfuse, Any, bool]:
        # The SDK is imported here, when the handler is built, so queries never pay the import.
        from langfuse import Langfuse

        provider = build_tracer_provider(environment, release)
        client = Langfuse(
            public_key=credentials.public_key.get_secret_value(),
            secret_key=credentials.secret_key.get_secret_value(),
            base_url=credentials.host,
            timeout=max(1, math.ceil(self.export_timeout)),
            flush_at=flush_at,
            flush_interval=flush_interval,
            environment=environment,
            release=release,
            tracer_provider=provider,
            span_exporter=build_exporter(credentials, self.export_timeout, compression),
        )
        resources = getattr(client, "_resources", None)
        active = getattr(resources, "tracer_provider", None)
        if active is not provider and active is not None:
            # The SDK keeps one client per public key and process; a second one reuses the first's pipeline.
            logger.warning(
                "langfuse: a Langfuse client for this public key already exists in this process; the handler "
                "shares its export pipeline (its host, timeout and queue settings apply)"
            )
            provider.shutdown()
            return client, active, False
        return client, provider, True

    def __repr__(self) -> str:
        return (
            f"LangfuseCallbackHandler(host={self.host!r}, public_key=SecretStr('**********'), "
            f"secret_key=SecretStr('**********'), capture_content={self.capture_content})"
        )

    # -- observations --------------------------------------------------------------------------------------------

    def _new_observation(self, parent: Any, **kwargs: Any) -> Any:
        from opentelemetry import context as otel_context

        from langfuse import propagate_attributes

        # An empty context: the parent is explicit (the dovetail parent_id), never whatever span happens to be
        # "current" in this thread or task, and the caller's own OpenTelemetry spans are left alone.
        token = otel_context.attach(otel_context.Context())
        try:
            if self._trace_attributes:
                with propagate_attributes(**self._trace_attributes):
                    return self._start(parent, kwargs)
            return self._start(parent, kwargs)
        finally:
            otel_context.detach(token)

    def _start(self, parent: Any, kwargs: dict[str, Any]) -> Any:
        if parent is None:
            return self._client.start_observation(**kwargs)
        return parent.start_observation(**kwargs)

    # -- CallbackEventHandler ------------------------------------------------------------------------------------

    def handle_start(self, event: CallbackEvent) -> str:
        """Open a span (a generation for LLM events) under the observation of ``event.parent_id``."""
        event_type, payload, parent_id = event.event_type, event.payload, event.parent_id
        event_id = event.event_id or uuid.uuid4().hex
        if self._closed:
            return event_id
        try:
            fields = start_fields(event_type, payload, self.max_field_chars)
            with self._lock:
                parent = self._open.get(parent_id) if parent_id else None
            trace = parent.trace if parent is not None else self._trace_var.get()
            parent_observation = parent.observation if parent is not None else (trace.root if trace else None)
            observation = self._new_observation(
                parent_observation, **start_kwargs(event_type, event_id, fields, payload, capture=self.capture_content)
            )
            top_level = parent is None and trace is not None
            with self._lock:
                self._open[event_id] = OpenEvent(observation, event_type, trace, top_level, fields.model)
                stale = self._open.popitem(last=False)[1] if len(self._open) > MAX_OPEN_EVENTS else None
            if stale is not None:  # an event that never ended: close it rather than hold it forever
                stale.observation.update(level="WARNING", status_message="event did not end")
                stale.observation.end()
            if top_level and trace is not None and not trace.has_input and fields.input is not None:
                trace.has_input = True
                if self.capture_content:
                    trace.root.update(input=fields.input)
        except Exception:
            self._log_failure("start", event_type)
        return event_id

    def handle_end(self, event: CallbackEvent) -> None:
        """Close the event's observation with its output, usage, and error level when it failed."""
        with self._lock:
            entry = self._open.pop(event.event_id, None)
        if entry is None:
            return
        try:
            fields = end_fields(event.event_type, event.payload, self.max_field_chars)
            entry.observation.update(
                **end_kwargs(entry.event_type, fields, capture=self.capture_content, has_model=bool(entry.model))
            )
            entry.observation.end()
            if entry.top_level and entry.trace is not None:
                root_update: dict[str, Any] = {}
                if self.capture_content and fields.output is not None:
                    root_update["output"] = fields.output
                if fields.level == "ERROR":
                    root_update.update(level="ERROR", status_message=fields.status_message)
                if root_update:
                    entry.trace.root.update(**root_update)
        except Exception:
            self._log_failure("end", event.event_type)

    def start_trace(self, trace_id: str | None = None) -> None:
        """Open the Langfuse trace (a root span named after ``trace_id``, e.g. ``"query"``)."""
        if self._closed:
            return
        try:
            current = self._trace_var.get()
            if current is not None:
                current.depth += 1
                return
            name = trace_id or "trace"
            root = self._new_observation(None, name=name, as_type="span", metadata={"dovetail.trace_id": name})
            trace = TraceState(name=name, root=root)
            trace.token = self._trace_var.set(trace)
            self._last_trace_id = getattr(root, "trace_id", None)
        except Exception:
            self._log_failure("start_trace", None)

    def end_trace(self, trace_id: str | None = None, trace_map: dict[str, list[str]] | None = None) -> None:
        """Close the trace's root span."""
        try:
            trace = self._trace_var.get()
            if trace is None:
                return
            trace.depth -= 1
            if trace.depth > 0:
                return
            try:
                if trace.token is not None:
                    self._trace_var.reset(trace.token)
                else:
                    self._trace_var.set(None)
            except ValueError:  # ended from another context than the one that started it
                self._trace_var.set(None)
            trace.root.end()
        except Exception:
            self._log_failure("end_trace", None)

    @property
    def last_trace_id(self) -> str | None:
        """Langfuse id (32 hex) of the trace most recently started by ``start_trace``, e.g. to attach scores."""
        return self._last_trace_id

    def current_trace_id(self) -> str | None:
        """Langfuse id of the trace open in this context (``None`` outside ``start_trace``/``end_trace``)."""
        trace = self._trace_var.get()
        return getattr(trace.root, "trace_id", None) if trace is not None else None

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Export what is queued; returns within ``timeout`` (default ``flush_timeout``) seconds.

        Returns:
            ``True`` when the export finished (successfully or not) in time.
        """
        if self._closed:
            return True
        return run_bounded(self._provider.force_flush, timeout or self.flush_timeout, "flush")

    def shutdown(self, timeout: float | None = None) -> bool:
        """Flush, then stop the background export; idempotent, bounded like :meth:`flush`."""
        if self._closed:
            return True
        self._closed = True
        atexit.unregister(self._atexit)
        return run_bounded(self._shutdown_pipeline, timeout or self.flush_timeout, "shutdown")

    def _shutdown_pipeline(self) -> None:
        with self._lock:
            leftovers = list(self._open.values())
            self._open.clear()
        for entry in leftovers:  # events that never ended: close them so they are exported, marked as such
            entry.observation.update(level="WARNING", status_message="event did not end before shutdown")
            entry.observation.end()
        if not self._owns_pipeline:
            self._provider.force_flush()
            return
        self._provider.shutdown()
        self._client.shutdown()
        forget_sdk_client(self._public_key.get_secret_value(), self._client)

    def _log_failure(self, where: str, event_type: CBEventType | None) -> None:
        self._failures += 1
        if self._failures == 1:
            logger.warning("langfuse: could not record %s of %s; tracing continues", where, event_type, exc_info=True)
        else:
            logger.debug("langfuse: could not record %s of %s", where, event_type, exc_info=True)
