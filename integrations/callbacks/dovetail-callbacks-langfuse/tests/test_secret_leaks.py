"""Secret-leak suite: a unique secret key, DEBUG logging, every error path; it appears nowhere, spans included.

The receiver answers 401/429/500 with a body echoing the key; exported spans, log records (the OpenTelemetry
SDK's too), errors and the handler's ``repr`` are checked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import TypedDict

import pytest
from dovetail.callbacks.langfuse import LangfuseCallbackHandler
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.errors import DovetailError
from dovetail.core.testing.leaks import LeakProbe
from dovetail.core.testing.leaks import unique_secret
from dovetail.core.testing.loopback import free_port

pytestmark = pytest.mark.integration


class _Timeouts(TypedDict):
    """Short export and flush timeouts, so the failing paths give up fast."""

    export_timeout: float
    flush_timeout: float


PATHS = ("accepted", "401", "429", "500", "dead-host", "credentials-in-host", "bad-setting", "bad-config-file")


def _trace(handler: LangfuseCallbackHandler, secret: str) -> None:
    manager = CallbackManager([handler])
    payload: dict[str, Any] = {EventPayload.PROMPT: "p", EventPayload.SERIALIZED: {"api_key": secret, "model": "m"}}
    with manager.as_trace("query"), manager.event(CBEventType.LLM, payload) as event:
        event.on_end({EventPayload.COMPLETION: "c", EventPayload.ADDITIONAL_KWARGS: {"secret_key": secret}})
    handler.flush()


def _scenario(path: str, receiver: Any, public: str, secret: str, tmp: Path) -> Callable[[], Any]:
    """What to run; it returns the handler to probe, or raises the error of a bad configuration."""
    fast: _Timeouts = {"export_timeout": 0.5, "flush_timeout": 2.0}
    if path in ("401", "429", "500"):
        receiver.fail_with = int(path)
        receiver.fail_body = f'{{"message": "invalid key {secret}", "Authorization": "Basic {secret}"}}'.encode()
    if path in ("accepted", "401", "429", "500"):
        return lambda: LangfuseCallbackHandler(public, secret, host=receiver.url, **fast)
    if path == "dead-host":
        return lambda: LangfuseCallbackHandler(public, secret, host=f"http://127.0.0.1:{free_port()}", **fast)
    if path == "credentials-in-host":
        host = f"http://proxy:{secret}@127.0.0.1:{free_port()}"
        return lambda: LangfuseCallbackHandler(public, "sk-other", host=host, **fast)
    if path == "bad-setting":
        return lambda: LangfuseCallbackHandler(public, secret, host=f"ftp://u:{secret}@h", **fast)
    assert path == "bad-config-file"
    (tmp / "dovetail.toml").write_text(f'[providers.langfuse]\nsecret_key = ["{secret}"]\n')
    return lambda: LangfuseCallbackHandler(public, None, host=receiver.url, **fast)


@pytest.mark.parametrize("path", PATHS)
def test_the_secret_leaks_nowhere(
    path: str,
    receiver: Any,
    keys: tuple[str, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = unique_secret("sk-lf-leak-")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DOVETAIL_CONFIG", raising=False)
    monkeypatch.delenv("LANGFUSE_SECRET_KEY", raising=False)
    probe = LeakProbe(secret)
    caplog.set_level(logging.DEBUG)
    build = _scenario(path, receiver, keys[0], secret, tmp_path)
    if path.startswith("bad-"):
        with pytest.raises(DovetailError) as info:
            build()
        probe.error(info.value)
    else:
        handler = build()
        try:
            probe.obj(handler)
            _trace(handler, secret)
        finally:
            handler.shutdown()
        spans = receiver.for_key(keys[0])
        assert bool(spans) == (path == "accepted"), "spans arrive only where the receiver accepts them"
        probe.text("exported spans", *(repr(span) for span in spans))
        probe.text("export requests", *(body.decode("latin-1") for body in receiver.raw_bodies))
    probe.logs(caplog.records).assert_clean()
