"""``OllamaEmbedding``: embedding models served by Ollama, batched through ``/api/embed`` (``ollama`` SDK)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import ClassVar

from dovetail.core.errors import InvalidInputError
from dovetail.core.provider_clients import OwnsSdkClients
from dovetail.core.provider_embeddings import ProviderEmbedding
from dovetail.core.provider_settings import TypedSettingsErrors
from dovetail.llms.ollama.transport import ClientSettings
from dovetail.llms.ollama.transport import OllamaClients
from pydantic import Field
from pydantic import PrivateAttr

__all__ = ["OllamaEmbedding"]

# Keys of ``/api/embed`` this class builds itself; model options go in ``ollama_additional_kwargs``.
_RESERVED = frozenset({"model", "input", "keep_alive", "dimensions", "truncate"})


class OllamaEmbedding(TypedSettingsErrors, OwnsSdkClients, ProviderEmbedding):
    """Embeddings from an Ollama server: one ``/api/embed`` request per batch of ``embed_batch_size`` texts; the
    async batch path keeps at most ``max_concurrency`` requests in flight.

    Args:
        model_name: the embedding model as pulled, e.g. ``"nomic-embed-text"``.
        base_url: the server; else ``[providers.ollama] base_url`` in ``dovetail.toml``, else ``OLLAMA_HOST``,
            else ``http://localhost:11434``.
        embed_batch_size: texts per request (default 32).
        max_concurrency: requests in flight at once on the async batch path (default 4).
        query_instruction / text_instruction: prefixes for queries and documents (``"search_query: "`` and
            ``"search_document: "`` for nomic-embed-text).
        dimensions: truncate vectors to this size (models that support it).
        truncate: let the server cut inputs over the context length (``False`` makes it an error).
        keep_alive: how long the server keeps the model loaded.
        ollama_additional_kwargs: model options (``num_ctx``, ...).
        request_timeout / connect_timeout / max_retries / headers: as for ``dovetail.llms.ollama.Ollama``.

    Example:
        ```python
        from dovetail.embeddings.ollama import OllamaEmbedding

        embed = OllamaEmbedding(model_name="nomic-embed-text", query_instruction="search_query: ")
        vector = embed.get_query_embedding("what is a dovetail joint?")
        ```
    """

    # ``model=`` (what ``"provider:model"`` strings resolve to) is ``model_name``, as in LlamaIndex.
    _keyword_aliases: ClassVar[Mapping[str, str]] = {"model": "model_name"}
    provider_name = "ollama"

    model_name: str = Field(default="nomic-embed-text", min_length=1)
    base_url: str | None = None
    embed_batch_size: int = Field(default=32, gt=0, le=2048)
    query_instruction: str | None = None
    text_instruction: str | None = None
    dimensions: int | None = Field(default=None, gt=0)
    truncate: bool | None = None
    keep_alive: float | str | None = "5m"
    ollama_additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    request_timeout: float = Field(default=60.0, gt=0)
    connect_timeout: float = Field(default=5.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    headers: dict[str, str] | None = Field(default=None, repr=False)

    _clients: OllamaClients = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        """Check the options; the SDK client is built at the first call."""
        reserved = sorted(set(self.ollama_additional_kwargs) & _RESERVED)
        if reserved:
            msg = f"ollama_additional_kwargs holds model options; set {', '.join(reserved)} through their own fields"
            raise InvalidInputError(msg)
        self._clients = OllamaClients(ClientSettings.of(self), model=lambda: self.model_name)

    @classmethod
    def class_name(cls) -> str:
        """Name used in events and serialized payloads."""
        return "OllamaEmbedding"

    def _params(self, texts: list[str], instruction: str | None) -> dict[str, Any]:
        inputs = [f"{instruction}{text}" for text in texts] if instruction else texts
        params: dict[str, Any] = {"model": self.model_name, "input": inputs, "keep_alive": self.keep_alive}
        if self.ollama_additional_kwargs:
            params["options"] = dict(self.ollama_additional_kwargs)
        if self.dimensions is not None:
            params["dimensions"] = self.dimensions
        if self.truncate is not None:
            params["truncate"] = self.truncate
        return params

    def _embed(self, texts: list[str], query: bool = False) -> list[list[float]]:
        params = self._params(texts, self.query_instruction if query else self.text_instruction)
        done = self._clients.call(lambda c: c.embed(**params), operation="embed")
        return [list(vector) for vector in done.embeddings]

    async def _aembed(self, texts: list[str], query: bool = False) -> list[list[float]]:
        params = self._params(texts, self.query_instruction if query else self.text_instruction)
        done = await self._clients.acall(lambda c: c.embed(**params), operation="embed")
        return [list(vector) for vector in done.embeddings]
