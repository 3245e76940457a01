"""SDK clients, API-key resolution, timeouts and the retry/error wrapper shared by dovetail's OpenAI integrations.

Public so that ``dovetail-embeddings-openai`` (and other OpenAI-compatible integrations) reuse it instead of
copying it; :class:`OpenAIClientModel` is the pydantic base holding the connection fields and client lifecycle.
The ``openai`` SDK is imported on first client use, never at import time.

Key resolution order (``dovetail.core.config``): the explicit ``api_key`` argument > ``[providers.<provider>]``
of ``dovetail.toml`` > the ``OPENAI_API_KEY`` environment variable.

Example:
    ```python
    clients = OpenAIClients(ClientSettings(api_key=None, api_base=None))
    result = clients.call(lambda c: c.models.list(), operation="models")
    ```
"""

from dovetail.llms.openai._client_model import OpenAIClientModel
from dovetail.llms.openai._clients import (
    DEFAULT_API_BASE,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    ENV_API_KEY,
    ClientSettings,
    OpenAIClients,
    resolve_api_base,
    resolve_api_key,
)
from dovetail.llms.openai._errors import map_openai_error

__all__ = [
    "DEFAULT_API_BASE",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "ENV_API_KEY",
    "ClientSettings",
    "OpenAIClientModel",
    "OpenAIClients",
    "map_openai_error",
    "resolve_api_base",
    "resolve_api_key",
]
