"""Keep secrets out of text that is shown, logged or raised: known secret values, URL credentials, secret fields.

Integrations scrub provider messages with :func:`redact` before putting them into a dovetail error or a log
line; the CLI and the publishing scripts print URLs through :func:`strip_url_credentials`; settings are shown
with :func:`is_secret_name` deciding what to mask.

Example:
    ```python
    redact("bad key sk-123abc", ["sk-123abc"])  # 'bad key ***'
    strip_url_credentials("https://user:pw@example.com/simple/")  # 'https://***@example.com/simple/'
    ```
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote
from urllib.parse import quote_plus

__all__ = ["MASK", "is_secret_name", "redact", "strip_url_credentials"]

MASK = "***"

# scheme://userinfo@  — userinfo runs to the last '@' before whitespace or a quote, so a password holding an
# unescaped '/', ':' or '@' is masked whole.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s'\"<>]*@)")
_SECRET_NAME = re.compile(
    r"(key|token|secret|passw(or)?d|pwd|credential|auth(?!or)|session|signature|cookie|private|dsn)",
    re.IGNORECASE,
)
_NOT_SECRET = frozenset({"public_key_id", "token_limit", "max_tokens", "tokenizer", "key_field", "text_key"})


def redact(text: str, secrets: Iterable[Any] = (), patterns: Iterable[re.Pattern[str]] = ()) -> str:
    """``text`` with every value of ``secrets`` (and its URL-quoted forms), every match of ``patterns`` and URL
    credentials masked.

    Args:
        text: what is about to be shown, logged or raised.
        secrets: known secret values (``str`` or ``pydantic.SecretStr``); ``None`` and values shorter than 4
            characters are skipped (masking ``"a"`` everywhere would garble the message and protect nothing).
        patterns: what a provider's keys look like (``sk-ant-...``), masked even when the value is unknown
            (a key echoed back from another source).
    """
    for secret in secrets:
        raw = secret.get_secret_value() if hasattr(secret, "get_secret_value") else secret
        if not isinstance(raw, str) or len(raw) < 4:
            continue
        for form in {raw, quote(raw, safe=""), quote_plus(raw)}:
            text = text.replace(form, MASK)
    for pattern in patterns:
        text = pattern.sub(MASK, text)
    return strip_url_credentials(text)


def strip_url_credentials(text: str) -> str:
    """``text`` with the ``user:password@`` part of every URL in it replaced by ``***@``."""
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)


def is_secret_name(name: str) -> bool:
    """Whether a setting called ``name`` probably holds a secret (``api_key``, ``token``, ``secret_key``,
    ``password``, ...). URLs are not secret as such: show them through :func:`strip_url_credentials`."""
    lowered = name.lower()
    return lowered not in _NOT_SECRET and bool(_SECRET_NAME.search(lowered))
