"""Parse a provider's ``Retry-After`` / ``retry-after-ms`` answer into seconds, robustly.

RFC 9110 allows a non-negative number of seconds or an HTTP-date. Providers also send ``retry-after-ms``
(OpenAI) and, in the wild, garbage (``soon``, ``nan``, ``inf``, ``-1``). Garbage is ignored (``None``: the
policy's own backoff applies) rather than raised or read as "retry now".
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping

__all__ = ["parse_retry_after"]


def _seconds(raw: str, scale: float) -> float | None:
    try:
        value = float(raw) * scale
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value


def _http_date(raw: str, now: float) -> float | None:
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None or parsed.tzinfo is None:  # RFC 9110 dates are in GMT; a naive one is not an HTTP-date
        return None
    return max(0.0, parsed.timestamp() - now)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if isinstance(k, str) and k.lower() == name), None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_retry_after(headers: Mapping[str, str] | str | None, *, now: float | None = None) -> float | None:
    """Seconds the provider asked to wait, or ``None`` when it asked nothing usable.

    Args:
        headers: response headers (``retry-after-ms`` wins over ``retry-after``; names in any case), or the
            bare value of a ``Retry-After`` header.
        now: the current time as a Unix timestamp (for HTTP-dates; default ``time.time()``).

    Returns:
        A finite number of seconds >= 0 (a date in the past gives 0), or ``None`` for no header, an empty one,
        or one that is neither a non-negative finite number nor an HTTP-date (``"soon"``, ``"nan"``,
        ``"inf"``, ``"-3"``).

    Example:
        ```python
        parse_retry_after({"Retry-After": "2"})  # 2.0
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT")  # 0.0 (in the past)
        parse_retry_after("soon")  # None
        ```
    """
    if headers is None:
        return None
    if isinstance(headers, str):
        raw_ms, raw = None, headers.strip() or None
    else:
        raw_ms, raw = _header(headers, "retry-after-ms"), _header(headers, "retry-after")
    if raw_ms is not None:
        from_ms = _seconds(raw_ms, 0.001)
        if from_ms is not None:
            return from_ms
    if raw is None:
        return None
    seconds = _seconds(raw, 1.0)
    if seconds is not None:
        return seconds
    if raw[:1].isdigit() or raw[:1] in "+-.":  # a malformed number is not a date
        return None
    return _http_date(raw, time.time() if now is None else now)
