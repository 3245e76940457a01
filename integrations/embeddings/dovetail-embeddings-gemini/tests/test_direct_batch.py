"""The ``batchEmbedContents`` body built without the SDK's transforms: the same JSON as ``embed_content`` sends,
the same vectors, the SDK path for what it does not translate, and a fraction of the SDK path's client CPU."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError
from dovetail.core.testing.servers.gemini_loopback import API_KEY
from dovetail.core.testing.servers.gemini_loopback import LoopbackGemini
from dovetail.core.testing.servers.gemini_loopback import embedding_of
from dovetail.embeddings.gemini import GoogleGenAIEmbedding
from dovetail.embeddings.gemini._batch import batch_request
from dovetail.embeddings.gemini._batch import read_vectors
from google import genai
from google.genai import types

pytestmark = pytest.mark.integration

MakeEmbed = Callable[..., GoogleGenAIEmbedding]
BATCH = ":batchEmbedContents"


def sdk_client(server: LoopbackGemini) -> genai.Client:
    options = types.HttpOptions(base_url=server.url, retry_options=types.HttpRetryOptions(attempts=1))
    return genai.Client(api_key=API_KEY, http_options=options)


@pytest.mark.parametrize(
    ("model", "config"),
    [
        ("gemini-embedding-001", {"task_type": "RETRIEVAL_DOCUMENT"}),
        ("gemini-embedding-001", {"task_type": "RETRIEVAL_QUERY", "output_dimensionality": 8}),
        ("models/text-embedding-004", {"task_type": "SEMANTIC_SIMILARITY", "title": "A title"}),
        ("text-embedding-004", {"task_type": "CLUSTERING", "output_dimensionality": None}),
    ],
)
def test_same_request_and_vectors_as_the_sdk(server: LoopbackGemini, model: str, config: dict[str, Any]) -> None:
    texts = ["a dovetail joint", "", 'ünïcödé "quoted" text', "x" * 300]
    client = sdk_client(server)  # kept referenced: a collected client closes its connection pool
    sdk_config = types.EmbedContentConfig.model_validate(config)
    expected = client.models.embed_content(model=model, contents=texts, config=sdk_config)
    sdk_request = server.requests_to(BATCH)[-1]
    embed = GoogleGenAIEmbedding(model_name=model, api_key=API_KEY, base_url=server.url, embedding_config=config)
    vectors = embed._get_text_embeddings(texts)
    ours = server.requests_to(BATCH)[-1]
    assert ours is not sdk_request
    assert ours.path == sdk_request.path
    assert ours.body == sdk_request.body
    assert ours.headers["x-goog-api-key"] == API_KEY
    assert vectors == [list(item.values or []) for item in expected.embeddings or []]


async def test_async_direct_path_matches_the_sdk(server: LoopbackGemini, make_embed: MakeEmbed) -> None:
    texts = [f"t{i}" for i in range(5)]
    client = sdk_client(server)
    await client.aio.models.embed_content(model="gemini-embedding-001", contents=texts, config={"task_type": "X"})
    sdk_body = server.requests_to(BATCH)[-1].body
    await client.aio.aclose()
    assert await make_embed(text_task_type="X").aget_text_embedding_batch(texts) == [
        embedding_of(t, "X", 16) for t in texts
    ]
    assert server.requests_to(BATCH)[-1].body == sdk_body


def test_settings_only_the_sdk_translates_still_go_through_it(make_embed: MakeEmbed, server: LoopbackGemini) -> None:
    assert batch_request("gemini-embedding-001", ["x"], {"auto_truncate": True}) is None
    assert batch_request("gemini-embedding-001", ["x"], {"output_dimensionality": "8"}) is None
    with pytest.raises(InvalidInputError, match="auto_truncate"):  # the SDK's own refusal, mapped
        make_embed(embedding_config={"auto_truncate": True}).get_text_embedding("x")
    assert server.requests_to(BATCH) == []


def test_an_unreadable_answer_is_a_provider_error(make_embed: MakeEmbed, server: LoopbackGemini) -> None:
    server.add_fault(status=200, body="<html>proxy login</html>", path=BATCH, times=1)
    with pytest.raises(ProviderError, match="not a batchEmbedContents response"):
        make_embed(max_retries=0).get_text_embedding("x")
    with pytest.raises(ProviderError):
        read_vectors('{"embeddings": {"values": []}}')
    assert read_vectors('{"embeddings": [{"values": [0.5]}, {}]}') == [[0.5], []]


def test_client_cpu_is_a_fraction_of_the_sdk_path(server: LoopbackGemini, make_embed: MakeEmbed) -> None:
    """The point of the direct body: the SDK's per-text model round trips cost several times the request."""
    texts = [f"text number {i} about dovetail joints" for i in range(100)]
    client, embed = sdk_client(server), make_embed()
    config: types.EmbedContentConfigDict = {"task_type": "RETRIEVAL_DOCUMENT"}
    client.models.embed_content(model="gemini-embedding-001", contents=texts, config=config)
    embed.get_text_embedding_batch(texts)

    def best_thread_cpu(fn: Callable[[], object]) -> float:
        best = float("inf")
        for _ in range(5):
            started = time.thread_time()  # this thread only: the server's threads are not counted
            for _ in range(4):
                fn()
            best = min(best, time.thread_time() - started)
        return best

    model = "gemini-embedding-001"
    sdk = best_thread_cpu(lambda: client.models.embed_content(model=model, contents=texts, config=config))
    ours = best_thread_cpu(lambda: embed.get_text_embedding_batch(texts))
    assert ours < 0.5 * sdk, f"client CPU per 4 requests: dovetail {ours * 1e3:.1f} ms, SDK {sdk * 1e3:.1f} ms"
