"""Documents between transformation and commit, and the texts they wait on: the pipeline's embedding queue.

The pipeline transforms documents one at a time, but an embedding model works best on full batches: a local
model sorts a batch by length and pads groups of similar length, so smaller batches pad more (all-MiniLM-L6-v2
on the benchmark corpus: 2.45 padded tokens per real token in batches of 32, 1.95 in batches of 64, and about a
third more model time per text), and a remote model pays a round trip per call. So texts go to the model in
whole ``embed_batch_size`` batches whatever the number of documents per step, and a document is committed once
none of its texts waits any more.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from dovetail.core.ingestion._cache import IngestionCache, fingerprint
from dovetail.core.ingestion._transform import aembed_planned, embed_planned, plan_embedding

if TYPE_CHECKING:
    from dovetail.core.embeddings import BaseEmbedding
    from dovetail.core.schema import BaseNode

__all__ = ["Pending"]


class Pending:
    """Transformed documents in input order, waiting for their commit, and the texts still to embed.

    Args:
        embed_model: the first embedding model among the transformations (``None``: documents never wait).
        cache: where cached vectors are looked up as documents arrive (so they never wait for a batch).
        docs_per_step: documents the pipeline transforms between two looks at the queue.
        workers: embedding calls the pipeline runs at once; a step embeds once it can fill them all.
    """

    def __init__(
        self, embed_model: BaseEmbedding | None, cache: IngestionCache | None, docs_per_step: int, workers: int
    ) -> None:
        self.embed_model = embed_model
        self.cache = cache
        self._model_print = fingerprint(embed_model) if cache is not None and embed_model is not None else None
        self._batch = int(embed_model.embed_batch_size) if embed_model is not None else 1
        self.workers = max(1, workers)
        self._due = self.workers * self._batch
        # Beyond this many uncommitted documents a short batch goes out anyway: it bounds what a crash loses
        # and keeps documents behind a lone waiting text (the rest came from the cache) from waiting to the end.
        self._max_held = max(docs_per_step, self._due)
        self._docs: deque[tuple[int, BaseNode, list[BaseNode]]] = deque()
        self._seq = 0
        self._todo: list[BaseNode] = []
        self._texts: list[str] = []
        self._keys: list[str] = []
        self._owners: list[int] = []  # sequence number of the document each waiting text belongs to

    def add(self, doc: BaseNode, nodes: list[BaseNode]) -> None:
        """Queue a transformed document; its nodes' texts join the queue unless they are cached or embedded."""
        self._docs.append((self._seq, doc, nodes))
        if self.embed_model is not None:
            todo, texts, keys = plan_embedding(self.embed_model, nodes, self.cache, self._model_print)
            self._todo.extend(todo)
            self._texts.extend(texts)
            self._keys.extend(keys)
            self._owners.extend([self._seq] * len(todo))
        self._seq += 1

    def take(self, final: bool) -> tuple[list[BaseNode], list[str], list[str]]:
        """The nodes, texts and cache keys to embed now, in queue order.

        Everything when ``final``; whole batches once there are ``workers`` batches' worth, or once more than
        ``max(docs_per_step, workers * embed_batch_size)`` documents wait (everything if that is under a batch);
        otherwise nothing.
        """
        waiting = len(self._texts)
        whole = waiting - waiting % self._batch
        if final:
            count = waiting
        elif waiting >= self._due:
            count = whole
        elif len(self._docs) > self._max_held:  # the oldest texts go first, so whole batches free the oldest docs
            count = whole or waiting
        else:
            count = 0
        taken = self._todo[:count], self._texts[:count], self._keys[:count]
        del self._todo[:count], self._texts[:count], self._keys[:count], self._owners[:count]
        return taken

    def ready(self) -> tuple[list[BaseNode], list[BaseNode]]:
        """Remove and return the leading documents none of whose texts is queued, and their nodes.

        Call it after the texts from :meth:`take` were embedded; documents come out in input order.
        """
        limit = self._owners[0] if self._owners else self._seq
        docs: list[BaseNode] = []
        nodes: list[BaseNode] = []
        while self._docs and self._docs[0][0] < limit:
            _, doc, doc_nodes = self._docs.popleft()
            docs.append(doc)
            nodes.extend(doc_nodes)
        return docs, nodes

    def release(self, final: bool) -> tuple[list[BaseNode], list[BaseNode]]:
        """Embed what :meth:`take` gives (``workers`` calls at once), then return :meth:`ready`."""
        todo, texts, keys = self.take(final)
        if todo and self.embed_model is not None:
            embed_planned(self.embed_model, todo, texts, keys, cache=self.cache, num_workers=self.workers)
        return self.ready()

    async def arelease(self, final: bool) -> tuple[list[BaseNode], list[BaseNode]]:
        """Async :meth:`release`."""
        todo, texts, keys = self.take(final)
        if todo and self.embed_model is not None:
            await aembed_planned(self.embed_model, todo, texts, keys, cache=self.cache, num_workers=self.workers)
        return self.ready()
