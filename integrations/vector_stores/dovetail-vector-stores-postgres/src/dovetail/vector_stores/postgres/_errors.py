"""Map psycopg exceptions onto the dovetail error tree (SQLSTATE classes decide what is retried).

Connection loss, server shutdown/restart (class 08, 57P01-57P03) and pool timeouts become
:class:`ProviderConnectionError` (retried); a cancelled statement (``statement_timeout``, 57014) becomes
:class:`ProviderTimeoutError`; serialization failures and deadlocks (40001, 40P01) a retryable 409; wrong
credentials :class:`AuthenticationError`; everything the server rejects as invalid is not retried. Messages
carry the server's text and what to do, never the connection string or password.
"""

from __future__ import annotations

from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import DovetailError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import ProviderTimeoutError

__all__ = ["map_error"]

PROVIDER = "postgres"
_AUTH_STATES = frozenset({"28000", "28P01"})
_GONE_STATES = frozenset({"57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004", "53300"})


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def map_error(exc: BaseException, operation: str, where: str) -> BaseException:
    """The dovetail error for ``exc`` raised by psycopg during ``operation`` on ``where`` (a masked DSN).

    Exceptions that are neither psycopg's nor pool errors (and dovetail errors) are returned unchanged.
    """
    if isinstance(exc, DovetailError):
        return exc
    import psycopg
    from psycopg import errors as pe
    from psycopg_pool import PoolTimeout

    head = f"postgres {operation} on {where}"
    detail = _first_line(exc)
    state = getattr(exc, "sqlstate", None)
    if isinstance(exc, PoolTimeout):
        msg = f"{head}: no connection within the pool timeout ({detail}); is the server up? raise pool_timeout="
        return ProviderConnectionError(msg, provider=PROVIDER)
    if not isinstance(exc, psycopg.Error):
        return exc
    if state in _AUTH_STATES or "password authentication failed" in detail:
        msg = f"{head} was refused: {detail}; check user= and password= (or PGPASSWORD / [providers.postgres])"
        return AuthenticationError(msg, status=401, provider=PROVIDER)
    if isinstance(exc, pe.QueryCanceled):
        msg = f"{head} was cancelled by statement_timeout: {detail}; raise statement_timeout= or narrow the query"
        return ProviderTimeoutError(msg, provider=PROVIDER)
    if isinstance(exc, (pe.SerializationFailure, pe.DeadlockDetected)):
        msg = f"{head} conflicted with a concurrent transaction: {detail}"
        return ProviderError(msg, status=409, provider=PROVIDER)
    if state in _GONE_STATES or isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        msg = f"{head} lost the connection: {detail}; check that the server is running and reachable"
        return ProviderConnectionError(msg, provider=PROVIDER)
    if isinstance(exc, pe.UndefinedTable):
        msg = f"{head}: {detail}; create the table with perform_setup=True (the default) or check table_name="
        return NotFoundError(msg)
    if isinstance(exc, pe.DataError):
        msg = f"{head}: the server rejected a value: {detail}"
        return InvalidInputError(msg)
    if isinstance(exc, pe.InsufficientPrivilege):
        msg = f"{head}: {detail}; grant the role the privileges it needs or connect as another user"
        return AuthenticationError(msg, status=403, provider=PROVIDER)
    msg = f"{head} failed: {detail}"
    rejected = isinstance(exc, (psycopg.ProgrammingError, psycopg.IntegrityError, psycopg.NotSupportedError))
    return ProviderError(msg, status=400 if rejected else 500, provider=PROVIDER)
