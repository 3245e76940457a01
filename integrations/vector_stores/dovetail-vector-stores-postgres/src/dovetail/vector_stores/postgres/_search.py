"""Per-connection ANN search settings (``hnsw.ef_search``, ``ivfflat.probes``), changed only when they differ.

Every pooled connection starts with the store's defaults, set once when the pool opens it. A query given
``hnsw_ef_search=`` / ``ivfflat_probes=`` sets the session value on its connection first (one short autocommit
statement, only when the connection holds another value), and the next query that wants the default puts it
back. A query whose settings already match its connection's costs no extra round trip — unlike ``SET LOCAL``
inside a transaction, which costs ``BEGIN``, ``SET``, the query and ``COMMIT`` on every call.
"""

from __future__ import annotations

import weakref
from typing import Any

from dovetail.core.errors import InvalidInputError

__all__ = ["QUERY_SETTINGS", "SearchSettings", "query_overrides"]

QUERY_SETTINGS = {"hnsw_ef_search": "hnsw.ef_search", "ivfflat_probes": "ivfflat.probes"}
"""Query keyword -> the PostgreSQL setting it changes for that query."""
_SET = "SELECT set_config(%s, %s, false)"
_RESET = {"hnsw.ef_search": "RESET hnsw.ef_search", "ivfflat.probes": "RESET ivfflat.probes"}


def query_overrides(kwargs: dict[str, Any]) -> dict[str, str]:
    """``hnsw_ef_search`` / ``ivfflat_probes`` query keywords as ``{setting: value}`` (validated).

    Raises:
        InvalidInputError: a value that is not an integer between 1 and 32768.
    """
    settings = {}
    for key, value in kwargs.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 32768:
            msg = f"{key} must be a positive integer (at most 32768), got {value!r}"
            raise InvalidInputError(msg)
        settings[QUERY_SETTINGS[key]] = str(value)
    return settings


class SearchSettings:
    """What each open connection's search settings hold, and the statements that bring them to a query's values.

    ``None`` stands for the server's own default (a setting the store never changed on that connection).
    """

    def __init__(self, defaults: dict[str, str | None]) -> None:
        self._defaults = {name: defaults.get(name) for name in _RESET}
        self._held: weakref.WeakKeyDictionary[Any, dict[str, str | None]] = weakref.WeakKeyDictionary()

    def opened(self, conn: Any, held: dict[str, str | None] | None = None) -> None:
        """Record a new connection, configured with ``held`` (default: the defaults)."""
        self._held[conn] = dict(self._defaults if held is None else {name: held.get(name) for name in _RESET})

    def use_defaults(self, defaults: dict[str, str | None]) -> None:
        """Make ``defaults`` what a query without overrides wants (connections holding others are brought to it)."""
        self._defaults = {name: defaults.get(name) for name in _RESET}

    def statements(self, conn: Any, overrides: dict[str, str]) -> list[tuple[str, str, tuple[str, ...]]]:
        """``(setting, statement, params)`` to run on ``conn`` before a query wanting ``overrides``; usually none."""
        held = self._held.get(conn)
        if held is None:
            held = self._held[conn] = {name: "?" for name in _RESET}  # unknown: set everything once
        needed = []
        for name, default in self._defaults.items():
            value = overrides.get(name, default)
            if held.get(name) != value:
                needed.append((name, *self._statement(name, value)))
        return needed

    @staticmethod
    def _statement(name: str, value: str | None) -> tuple[str, tuple[str, ...]]:
        return (_RESET[name], ()) if value is None else (_SET, (name, value))

    def applied(self, conn: Any, name: str, overrides: dict[str, str]) -> None:
        """Record that ``name`` now holds the value a query with ``overrides`` wanted."""
        self._held.setdefault(conn, {})[name] = overrides.get(name, self._defaults[name])

    def apply(self, conn: Any, overrides: dict[str, str]) -> None:
        """Bring a sync connection's settings to ``overrides`` (defaults elsewhere)."""
        for name, statement, params in self.statements(conn, overrides):
            conn.execute(statement, params or None)
            self.applied(conn, name, overrides)

    async def aapply(self, conn: Any, overrides: dict[str, str]) -> None:
        """Async :meth:`apply`."""
        for name, statement, params in self.statements(conn, overrides):
            await conn.execute(statement, params or None)
            self.applied(conn, name, overrides)
