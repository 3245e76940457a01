"""Export plumbing: a private OpenTelemetry tracer provider whose exporter is bounded, quiet and key-free.

- The OTLP/HTTP exporter has a short timeout (``export_timeout`` seconds per batch, retries included) and runs in
  the batch span processor's background thread: the application never waits for Langfuse.
- After a failed export, batches are dropped without contacting the host for 5 s (doubling up to 60 s while it
  keeps failing, reset by a success), so a dead host costs neither time nor CPU.
- Failures are logged once (a warning naming the host), then at debug level; the OTLP exporter's own per-batch
  warnings are muted while *this* exporter runs (thread-scoped, other exporters in the process are untouched).
- The Langfuse SDK tags its instrumentation scope with the public key; the scope is rebuilt without attributes
  before export, so no key is ever sent as span, scope or resource attribute (only in the auth headers).
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.redact import strip_url_credentials

if TYPE_CHECKING:
    from dovetail.callbacks.langfuse._settings import Credentials
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.sdk.trace.export import SpanExportResult

__all__ = ["build_exporter", "build_tracer_provider", "run_bounded"]

logger = logging.getLogger("dovetail.callbacks.langfuse")

_OTLP_LOGGERS = (
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.common.http",
)
_exporting = threading.local()
PAUSE_AFTER_FAILURE = 5.0
MAX_PAUSE = 60.0


class _MuteWhileExporting(logging.Filter):
    """Drop OTLP exporter records emitted from inside :class:`_QuietExporter.export` (this thread only)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_exporting, "active", False)


_MUTE = _MuteWhileExporting()


def _install_mute() -> None:
    for name in _OTLP_LOGGERS:
        target = logging.getLogger(name)
        if _MUTE not in target.filters:
            target.addFilter(_MUTE)


def _strip_scope(span: ReadableSpan) -> ReadableSpan:
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope

    scope = span.instrumentation_scope
    if scope is None or not scope.attributes:
        return span
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=span.attributes,
        events=span.events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=InstrumentationScope(scope.name, scope.version, scope.schema_url),
    )


def build_exporter(credentials: Credentials, export_timeout: float, compression: str) -> SpanExporter:
    """The OTLP/HTTP exporter for Langfuse's ingestion endpoint, wrapped to be quiet and key-free."""
    from importlib.metadata import version

    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.sdk.trace.export import SpanExportResult

    public = credentials.public_key.get_secret_value()
    token = base64.b64encode(f"{public}:{credentials.secret_key.get_secret_value()}".encode()).decode("ascii")
    inner = OTLPSpanExporter(
        endpoint=f"{credentials.host}/api/public/otel/v1/traces",
        headers={
            "Authorization": f"Basic {token}",
            "x-langfuse-sdk-name": "python",
            "x-langfuse-sdk-version": version("langfuse"),
            "x-langfuse-public-key": public,
            "x-langfuse-ingestion-version": "4",
        },
        timeout=export_timeout,
        compression=Compression.Gzip if compression == "gzip" else Compression.NoCompression,
    )
    host = strip_url_credentials(credentials.host)  # for log lines: a host URL may carry user:password@

    class _QuietExporter(SpanExporter):
        def __init__(self) -> None:
            self._warned = False
            self._pause = 0.0
            self._paused_until = 0.0
            self.failed_batches = 0
            self.exported_spans = 0

        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            if time.monotonic() < self._paused_until:
                # Circuit open after a failure: drop at once instead of waiting on a host that just failed.
                self.failed_batches += 1
                logger.debug("langfuse: dropped %d span(s), %s failed recently", len(spans), host)
                return SpanExportResult.FAILURE
            _exporting.active = True
            try:
                result = inner.export([_strip_scope(span) for span in spans])
            except Exception as exc:  # the exporter should not raise; make sure of it
                logger.debug("langfuse: exporter raised %r", exc)
                result = SpanExportResult.FAILURE
            finally:
                _exporting.active = False
            if result is SpanExportResult.SUCCESS:
                self.exported_spans += len(spans)
                self._pause = 0.0
                return result
            self.failed_batches += 1
            self._pause = min(max(self._pause * 2, PAUSE_AFTER_FAILURE), MAX_PAUSE)
            self._paused_until = time.monotonic() + self._pause
            if not self._warned:
                self._warned = True
                logger.warning(
                    "langfuse: could not export %d span(s) to %s; tracing data is being dropped (the application "
                    "is not affected). Check the host and keys. Further failures are logged at DEBUG level.",
                    len(spans),
                    host,
                )
            else:
                logger.debug("langfuse: export of %d span(s) to %s failed again", len(spans), host)
            return result

        def shutdown(self) -> None:
            inner.shutdown()  # type: ignore[no-untyped-call]

        def force_flush(self, timeout_millis: int = 30_000) -> bool:
            return True

    _install_mute()
    return _QuietExporter()


def build_tracer_provider(environment: str | None, release: str | None) -> TracerProvider:
    """A private tracer provider (never installed globally, so other OpenTelemetry users are unaffected)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    attributes: dict[str, Any] = {"service.name": "dovetail"}
    if environment:
        attributes["langfuse.environment"] = environment
    if release:
        attributes["langfuse.release"] = release
    return TracerProvider(resource=Resource.create(attributes))


def run_bounded(fn: Callable[[], Any], timeout: float, what: str) -> bool:
    """Run ``fn`` in a daemon thread and wait at most ``timeout`` seconds; ``False`` when it did not finish."""
    done = threading.Event()

    def target() -> None:
        try:
            fn()
        except Exception:
            logger.debug("langfuse: %s failed", what, exc_info=True)
        finally:
            done.set()

    try:
        threading.Thread(target=target, name=f"dovetail-langfuse-{what}", daemon=True).start()
    except RuntimeError:  # no new threads this late in interpreter shutdown: run inline (still time-bounded)
        target()
        return True
    if done.wait(timeout):
        return True
    logger.warning("langfuse: %s did not finish within %.1f s; continuing without waiting", what, timeout)
    return False
