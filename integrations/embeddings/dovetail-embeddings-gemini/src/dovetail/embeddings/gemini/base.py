"""``GoogleGenAIEmbedding``: Gemini embeddings on the ``google-genai`` SDK (``batchEmbedContents``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from dovetail.core.provider_clients import OwnsSdkClients
from dovetail.core.provider_embeddings import ProviderEmbedding
from dovetail.core.provider_settings import EmptyKeyIsUnset
from dovetail.core.provider_settings import TypedSettingsErrors
from dovetail.core.provider_settings import reject_unknown_keys
from dovetail.embeddings.gemini._batch import async_sender
from dovetail.embeddings.gemini._batch import batch_request
from dovetail.embeddings.gemini._batch import read_vectors
from dovetail.embeddings.gemini._batch import sync_sender
from dovetail.llms.gemini.transport import ClientSettings
from dovetail.llms.gemini.transport import GeminiClients
from pydantic import Field
from pydantic import PrivateAttr
from pydantic import SecretStr

if TYPE_CHECKING:
    from google import genai

__all__ = ["GoogleGenAIEmbedding"]

_CONFIG_KEYS = frozenset({"task_type", "output_dimensionality", "title", "auto_truncate", "mime_type"})
_MAX_BATCH = 100  # the API's limit of texts per batchEmbedContents request


class GoogleGenAIEmbedding(TypedSettingsErrors, EmptyKeyIsUnset, OwnsSdkClients, ProviderEmbedding):
    """Gemini embeddings: one ``batchEmbedContents`` request per ``embed_batch_size`` texts (at most 100), queries
    and documents embedded with their own task types, at most ``max_concurrency`` requests in flight (async).

    Args:
        model_name: e.g. ``"gemini-embedding-001"`` or ``"text-embedding-004"``.
        query_task_type / text_task_type: ``RETRIEVAL_QUERY`` / ``RETRIEVAL_DOCUMENT`` by default (also
            ``SEMANTIC_SIMILARITY``, ``CLASSIFICATION``, ``CLUSTERING``, ``QUESTION_ANSWERING``, ...).
        output_dimensionality: truncate vectors to this size (e.g. 768 for ``gemini-embedding-001``).
        embedding_config: LlamaIndex's ``EmbedContentConfig`` as a dict; a ``task_type`` there is used for both
            queries and documents, as LlamaIndex does.
        embed_batch_size: texts per request, 1..100 (default 100).
        max_concurrency: requests in flight on the async batch path (default 4; ``num_workers`` wins when set).
        api_key / base_url / timeout / max_retries / headers: as for ``dovetail.llms.gemini.GoogleGenAI``.

    Example:
        ```python
        from dovetail.embeddings.gemini import GoogleGenAIEmbedding

        embed = GoogleGenAIEmbedding(model_name="gemini-embedding-001", output_dimensionality=768)
        vectors = embed.get_text_embedding_batch(["a dovetail joint", "a mortise"])
        ```
    """

    # ``model=`` (what ``"provider:model"`` strings resolve to) is ``model_name``, as in LlamaIndex.
    _keyword_aliases: ClassVar[Mapping[str, str]] = {"model": "model_name"}
    provider_name = "gemini"

    model_name: str = Field(default="gemini-embedding-001", min_length=1)
    query_task_type: str = "RETRIEVAL_QUERY"
    text_task_type: str = "RETRIEVAL_DOCUMENT"
    output_dimensionality: int | None = Field(default=None, gt=0)
    embedding_config: dict[str, Any] | None = None
    embed_batch_size: int = Field(default=_MAX_BATCH, gt=0, le=_MAX_BATCH)
    api_key: SecretStr | None = Field(default=None, repr=False)
    base_url: str | None = None
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    headers: dict[str, str] | None = Field(default=None, repr=False)

    _clients: GeminiClients = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        """Check the config; the key and the SDK client are resolved at the first call."""
        reject_unknown_keys(self.embedding_config or {}, _CONFIG_KEYS, what="embedding_config key(s)")
        self._clients = GeminiClients(ClientSettings.of(self))

    @classmethod
    def class_name(cls) -> str:
        """Name used in events and serialized payloads."""
        return "GoogleGenAIEmbedding"

    def _config(self, task_type: str) -> dict[str, Any]:
        config: dict[str, Any] = {"task_type": task_type}
        if self.output_dimensionality is not None:
            config["output_dimensionality"] = self.output_dimensionality
        config.update(self.embedding_config or {})
        return config

    def _request(self, texts: list[str], task_type: str) -> dict[str, Any]:
        return {"model": self.model_name, "contents": texts, "config": self._config(task_type)}

    @staticmethod
    def _vectors(response: Any) -> list[list[float]]:
        return [list(item.values or []) for item in response.embeddings or []]

    def _embed(self, texts: list[str], query: bool = False) -> list[list[float]]:
        request = self._request(texts, self.query_task_type if query else self.text_task_type)
        direct = batch_request(self.model_name, texts, request["config"])

        def send(client: genai.Client) -> list[list[float]]:
            post = sync_sender(client) if direct is not None else None
            if post is None or direct is None:
                return self._vectors(client.models.embed_content(**request))
            return read_vectors(post("post", *direct).body)

        return self._clients.call(send, operation="embed")

    async def _aembed(self, texts: list[str], query: bool = False) -> list[list[float]]:
        request = self._request(texts, self.query_task_type if query else self.text_task_type)
        direct = batch_request(self.model_name, texts, request["config"])

        async def send(client: genai.Client) -> list[list[float]]:
            post = async_sender(client) if direct is not None else None
            if post is None or direct is None:
                return self._vectors(await client.aio.models.embed_content(**request))
            return read_vectors((await post("post", *direct)).body)

        return await self._clients.acall(send, operation="embed")
