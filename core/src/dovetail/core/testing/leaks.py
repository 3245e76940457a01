"""Secret-leak checks for integration test suites: set a unique secret, drive every error path, look everywhere.

:class:`LeakProbe` gathers every text a secret could end up in — exceptions with their whole chain (``__cause__``
and ``__context__``) and formatted tracebacks, reprs and serialised objects, captured log records, exported
spans, CLI output — and :meth:`LeakProbe.assert_clean` fails naming where the secret was found.
:func:`assert_error_path_is_clean` runs one whole error path of an integration (build the object, make the call
that must fail, close it) with DEBUG logging captured, and probes everything it produced.

Example:
    ```python
    def test_no_leak(caplog):
        key = unique_secret("sk-")
        probe = LeakProbe(key)
        with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as info:
            MyLLM(api_key=key, api_base=server_that_echoes_keys).complete("x")
        probe.error(info.value)
        probe.logs(caplog.records)
        probe.assert_clean()
    ```
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

import pytest
from dovetail.core.errors import DovetailError
from dovetail.core.testing.events import EventRecorder

__all__ = [
    "ErrorPath",
    "LeakProbe",
    "PayloadRecorder",
    "assert_error_path_is_clean",
    "assert_no_secret_leak",
    "secret_values",
    "unique_secret",
]

ErrorPath = tuple[Any, Callable[[Any], Any]]
"""An error path: the object to probe (``None`` when building it is the failing call) and the call that must fail,
given that object."""


def unique_secret(prefix: str = "secret-") -> str:
    """A secret that cannot occur by chance in any output (``prefix`` + 32 hex digits)."""
    return f"{prefix}{uuid.uuid4().hex}"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        pending += [current.__cause__, current.__context__]
    return seen


class PayloadRecorder(EventRecorder):
    """A callback handler that keeps every event payload it is given (:attr:`payloads`: their ``repr`` s)."""

    @property
    def payloads(self) -> list[str]:
        """The ``repr`` of every start and end payload, in order."""
        return [repr(event.payload) for event in self.events]


class LeakProbe:
    """Everything a secret might leak into, checked at once.

    Args:
        secret: the value that must appear nowhere.
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self._texts: list[tuple[str, str]] = []

    def text(self, where: str, *texts: str) -> LeakProbe:
        """Add plain texts (CLI output, a file's content, span attributes, ...)."""
        self._texts += [(where, text) for text in texts]
        return self

    def error(self, exc: BaseException) -> LeakProbe:
        """Add ``exc`` and every exception chained to it: ``str``, ``repr``, ``args`` and the formatted traceback
        (what ``logger.exception`` and an uncaught error print)."""
        self.text("traceback", "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        for item in _chain(exc):
            self.text(f"exception {type(item).__name__}", str(item), repr(item), repr(item.args))
            for name, value in vars(item).items():
                if isinstance(value, (str, int, float, dict, list, tuple)) or value is None:
                    self.text(f"exception {type(item).__name__}.{name}", repr(value))
        return self

    def obj(self, obj: Any) -> LeakProbe:
        """Add ``repr``/``str`` of ``obj`` and, for pydantic models, its JSON dump."""
        self.text(f"repr of {type(obj).__name__}", repr(obj), str(obj))
        dump = getattr(obj, "model_dump_json", None)
        if callable(dump):
            self.text(f"model_dump_json of {type(obj).__name__}", str(dump()))
        return self

    def logs(self, records: Iterable[logging.LogRecord]) -> LeakProbe:
        """Add captured log records: the formatted message, its arguments and any attached exception."""
        for record in records:
            self.text(f"log {record.name}", record.getMessage(), repr(record.args))
            if record.exc_info and record.exc_info[1] is not None:
                self.error(record.exc_info[1])
        return self

    def found(self) -> list[str]:
        """Where the secret was found (empty when clean)."""
        return [where for where, text in self._texts if self.secret in text]

    def assert_clean(self) -> None:
        """Fail when the secret appears in anything added so far, naming where."""
        places = sorted(set(self.found()))
        assert not places, f"the secret leaked into: {places}"
        assert self._texts, "nothing was checked"


def assert_error_path_is_clean(
    secret: str,
    scenario: Callable[[], ErrorPath],
    caplog: pytest.LogCaptureFixture,
    *,
    raises: type[BaseException] = DovetailError,
) -> LeakProbe:
    """Run one error path with DEBUG logging and fail if ``secret`` appears in anything it produced.

    The object ``scenario`` builds is probed (``repr``, ``str``, JSON dump), the call must raise ``raises``, the
    object is closed (its ``close()``, when it has one) whatever happens, and then the exception chain with its
    traceback and every captured log record are probed.

    Args:
        secret: the value that must appear nowhere (see :func:`unique_secret`).
        scenario: builds ``(object or None, call)``; called after DEBUG capture starts, so what building logs
            is checked too.
        caplog: pytest's ``caplog`` fixture of the calling test.
        raises: the error the call must raise (any dovetail error by default).

    Returns:
        The probe, for checks of further texts.
    """
    probe = LeakProbe(secret)
    caplog.set_level(logging.DEBUG)
    obj, call = scenario()
    if obj is not None:
        probe.obj(obj)
    try:
        with pytest.raises(raises) as info:
            call(obj)
    finally:
        close = getattr(obj, "close", None)
        if callable(close):
            close()
    probe.error(info.value).logs(caplog.records).assert_clean()
    return probe


def secret_values(obj: Any) -> list[str]:
    """Plain values of every ``pydantic.SecretStr`` attribute of ``obj`` (pydantic fields and ``__dict__``)."""
    from pydantic import SecretStr

    values: list[str] = []
    candidates: dict[str, Any] = {}
    candidates.update(getattr(obj, "__dict__", {}) or {})
    for name in getattr(type(obj), "model_fields", {}) or {}:
        candidates[name] = getattr(obj, name, None)
    for value in candidates.values():
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            if secret:
                values.append(secret)
    return values


def assert_no_secret_leak(obj: Any, *texts: str) -> None:
    """Fail when a secret of ``obj`` appears in ``repr(obj)``, ``str(obj)`` or any of ``texts``."""
    rendered = [repr(obj), str(obj), *texts]
    for secret in secret_values(obj):
        for text in rendered:
            assert secret not in text, "a SecretStr value leaked into repr/str/log text; mask it"
