"""A dead, failing or hanging Langfuse never breaks or slows the application; flush/shutdown are bounded."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from dovetail.callbacks.langfuse import LangfuseCallbackHandler
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload

pytestmark = pytest.mark.integration

QUERIES = 100
# Added to a flush/shutdown bound for scheduling delays on a loaded machine; the exports these tests bound would
# take far longer (``export_timeout`` of 20 s against a host that never answers).
SLACK = 2.0


def _queries(manager: CallbackManager, n: int = QUERIES) -> float:
    """Run ``n`` query-shaped traces (4 observations each); mean seconds per query."""
    started = time.perf_counter()
    for _ in range(n):
        with manager.as_trace("query"), manager.event(CBEventType.QUERY, {EventPayload.QUERY_STR: "q"}) as query:
            with manager.event(CBEventType.RETRIEVE, {EventPayload.QUERY_STR: "q"}) as retrieve:
                retrieve.on_end({EventPayload.NODES: []})
            with manager.event(CBEventType.LLM, {EventPayload.PROMPT: "p" * 500, EventPayload.MODEL_NAME: "m"}) as llm:
                llm.on_end({EventPayload.COMPLETION: "c" * 200, EventPayload.USAGE: {"prompt_tokens": 9}})
            query.on_end({EventPayload.RESPONSE: "r"})
    return (time.perf_counter() - started) / n


def _otel_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("opentelemetry") and r.levelno >= 30]


def test_dead_host_costs_little_and_flush_is_bounded(
    dead_host: str, keys: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    handler = LangfuseCallbackHandler(*keys, host=dead_host, export_timeout=1.0, flush_timeout=3.0, flush_at=50)
    caplog.set_level(logging.DEBUG, logger="opentelemetry")
    caplog.set_level(logging.DEBUG, logger="dovetail.callbacks.langfuse")
    try:
        per_query = _queries(CallbackManager([handler]))
        # 4 observations per query through the SDK (about 1 ms); the bound only catches a query that waits on
        # the network, with room for a loaded 2-core CI machine.
        assert per_query < 0.1, f"{per_query * 1e3:.1f} ms per query with a dead Langfuse host"
        for _ in range(2):
            started = time.monotonic()
            handler.flush()
            assert time.monotonic() - started < 3.0 + SLACK
        started = time.monotonic()
        handler.shutdown()
        assert time.monotonic() - started < 3.0 + SLACK
    finally:
        handler.shutdown()
    warnings = [r for r in caplog.records if "could not export" in r.getMessage() and r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert dead_host in warnings[0].getMessage()
    assert _otel_warnings(caplog) == []
    assert keys[1] not in caplog.text


def test_server_errors_are_logged_once_and_never_raise(
    receiver: Any, keys: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    receiver.fail_with = 503
    handler = LangfuseCallbackHandler(*keys, host=receiver.url, export_timeout=0.5, flush_timeout=3.0)
    caplog.set_level(logging.DEBUG, logger="dovetail.callbacks.langfuse")
    try:
        _queries(CallbackManager([handler]), 5)
        handler.flush()
        _queries(CallbackManager([handler]), 5)
        handler.flush()
    finally:
        receiver.fail_with = None
        handler.shutdown()
    warnings = [r for r in caplog.records if "could not export" in r.getMessage()]
    assert len(warnings) == 1
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("failed recently" in m or "failed again" in m for m in debug)
    assert receiver.for_key(keys[0]) == []  # nothing accepted, yet the application never saw an error


def test_export_resumes_when_the_host_recovers(
    receiver: Any, keys: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dovetail.callbacks.langfuse import _export

    # The exporter's pause is read from a simulated clock that only this test moves: "still inside the pause"
    # and "after the pause" hold exactly, however slow the machine is.
    now = [1000.0]
    monkeypatch.setattr(_export, "time", SimpleNamespace(monotonic=lambda: now[0]))
    receiver.fail_with = 503
    handler = LangfuseCallbackHandler(*keys, host=receiver.url, export_timeout=0.5)
    try:
        _queries(CallbackManager([handler]), 2)
        handler.flush()
        receiver.fail_with = None
        _queries(CallbackManager([handler]), 2)
        handler.flush()  # still inside the pause: dropped without a request
        assert receiver.for_key(keys[0]) == []
        now[0] += _export.PAUSE_AFTER_FAILURE + 0.01
        _queries(CallbackManager([handler]), 1)
        handler.flush()
        spans = receiver.wait_for(lambda s: len(receiver.for_key(keys[0])) >= 4)
        assert len(receiver.for_key(keys[0])) == 4
    finally:
        receiver.fail_with = None
        handler.shutdown()
    assert spans


@pytest.fixture
def hanging_host() -> Iterator[str]:
    """Accepts TCP connections (kernel backlog) but never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def test_hanging_host_flush_returns_within_flush_timeout(hanging_host: str, keys: tuple[str, str]) -> None:
    handler = LangfuseCallbackHandler(*keys, host=hanging_host, export_timeout=20.0, flush_timeout=0.5)
    try:
        started = time.monotonic()
        _queries(CallbackManager([handler]), 20)
        assert time.monotonic() - started < 0.5 + SLACK  # no query waited for the hanging export
        started = time.monotonic()
        assert handler.flush() is False  # the export is still waiting for the host
        assert time.monotonic() - started < 0.5 + SLACK
    finally:
        started = time.monotonic()
        handler.shutdown()
        assert time.monotonic() - started < 0.5 + SLACK


EXIT_SCRIPT = """
import sys
from dovetail.callbacks.langfuse import LangfuseCallbackHandler
from dovetail.core.callbacks import CallbackManager, CBEventType, EventPayload
handler = LangfuseCallbackHandler(sys.argv[1], sys.argv[2], host=sys.argv[3], export_timeout=3.0, flush_timeout=1.0)
manager = CallbackManager([handler])
with manager.as_trace("query"), manager.event(CBEventType.QUERY, {EventPayload.QUERY_STR: "at exit"}):
    pass
# no flush, no shutdown: the exit hook must export what is queued, within flush_timeout
"""


@pytest.mark.parametrize("host_kind", ["receiver", "hanging"])
def test_interpreter_exit_flushes_within_the_bound(
    host_kind: str, receiver: Any, hanging_host: str, keys: tuple[str, str]
) -> None:
    import subprocess
    import sys

    host = receiver.url if host_kind == "receiver" else hanging_host
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, *keys, host], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if host_kind == "receiver":
        spans = receiver.wait_for(lambda s: len(receiver.for_key(keys[0])) >= 2)
        assert sorted(s.name for s in receiver.for_key(keys[0])) == ["query", "query"]
        assert spans
    else:
        # Interpreter start-up and imports take most of this; the exit hook itself waits at most 1 s, or, where the
        # interpreter cannot start a thread at exit (CPython 3.12.0-3.12.x), runs the export inline, bounded by
        # export_timeout (3 s), and reports it as failed.
        assert time.monotonic() - started < 20
        if _threads_start_at_exit():
            assert "did not finish within 1.0 s" in done.stderr
        else:
            assert "could not export 2 span(s)" in done.stderr


_PROBE_THREAD_AT_EXIT = """
import atexit, threading
def probe():
    try:
        threading.Thread(target=lambda: None).start()
    except RuntimeError:
        print("refused")
atexit.register(probe)
"""


def _threads_start_at_exit() -> bool:
    import subprocess
    import sys

    probe = subprocess.run([sys.executable, "-c", _PROBE_THREAD_AT_EXIT], capture_output=True, text=True, check=True)
    return "refused" not in probe.stdout
