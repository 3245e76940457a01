"""Documents between transformation and commit, and the texts they wait on: the pipeline's embedding queue.

The pipeline transforms documents one at a time (big ones a section at a time), but an embedding model works
best on full batches: a local model sorts a batch by length and pads groups of similar length, so smaller
batches pad more, and a remote model pays a round trip per call. So texts go to the model in whole
``embed_batch_size`` batches whatever the number of documents per step, and a document is committed once none
of its texts waits any more and all of its sections arrived. When a commit is due by time, the embedded nodes
of the first waiting document are committed too (:meth:`Pending.partial`), so a huge document is saved a piece
at a time. Embedding goes call by call and stops at a deadline, so the pipeline can commit on time.

A commit can only come between two model calls, so a call must not last long whatever the model's speed (a local
model on a busy machine took 20-45 s for 64 texts). With a ``call_seconds`` target the due texts are sent in calls
sized by the measured speed (seconds per character of text, smoothed): as many queued texts as should take about
that long, between ``embed_batch_size // 16`` (at least one) and ``embed_batch_size`` texts; the first call of a
run, before any measurement, is a whole batch. A fast model keeps whole batches.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dovetail.core.ingestion._cache import IngestionCache
from dovetail.core.ingestion._cache import fingerprint
from dovetail.core.ingestion._transform import aembed_planned
from dovetail.core.ingestion._transform import embed_planned
from dovetail.core.ingestion._transform import plan_embedding

if TYPE_CHECKING:
    from dovetail.core.embeddings import BaseEmbedding
    from dovetail.core.ingestion._progress import ProgressHooks
    from dovetail.core.schema import BaseNode

__all__ = ["Pending", "Ready"]

_Taken = tuple[list["BaseNode"], list[str], list[str], float]  # nodes, their texts, cache keys, characters stood for
_Plan = tuple[list["BaseNode"], list[str], list[str]]  # nodes to embed, their texts, cache keys


class _Entry:
    """A document in the queue: its uncommitted nodes and what was committed of it already."""

    __slots__ = ("committed", "complete", "doc", "nodes", "seq")

    def __init__(self, seq: int, doc: BaseNode) -> None:
        self.seq = seq
        self.doc = doc
        self.nodes: list[BaseNode] = []
        self.complete = False
        self.committed: set[str] = set()  # ids of nodes stored by earlier partial commits


class Ready:
    """What can be committed now.

    Attributes:
        docs: documents complete and fully embedded, in input order.
        nodes: their nodes still to store.
        prior: per document (of ``docs``) with partial commits, the ids of the nodes stored earlier.
        partial: ``(document, embedded nodes)`` of the first waiting document, when asked for and non-empty.
    """

    __slots__ = ("docs", "nodes", "partial", "prior")

    def __init__(self) -> None:
        self.docs: list[BaseNode] = []
        self.nodes: list[BaseNode] = []
        self.prior: dict[str, set[str]] = {}
        self.partial: tuple[BaseNode, list[BaseNode]] | None = None

    def __bool__(self) -> bool:
        return bool(self.docs or self.partial)


class Pending:
    """Transformed documents in input order, waiting for their commit, and the texts still to embed.

    Args:
        embed_model: the first embedding model among the transformations (``None``: documents never wait).
        cache: where cached vectors are looked up as documents arrive (so they never wait for a batch).
        docs_per_step: documents the pipeline transforms between two looks at the queue.
        workers: embedding calls the pipeline runs at once; a step embeds once it can fill them all.
        hooks: progress hooks told about every embedded chunk.
        call_seconds: wall seconds one model call should take at most (``None``: whole batches, however long).
    """

    def __init__(
        self,
        embed_model: BaseEmbedding | None,
        cache: IngestionCache | None,
        docs_per_step: int,
        workers: int,
        hooks: ProgressHooks | None = None,
        call_seconds: float | None = None,
    ) -> None:
        self.embed_model = embed_model
        self.cache = cache
        self.hooks = hooks
        self._model_print = fingerprint(embed_model) if cache is not None and embed_model is not None else None
        self._batch = int(embed_model.embed_batch_size) if embed_model is not None else 1
        self.workers = max(1, workers)
        self._due = self.workers * self._batch
        # Beyond this many uncommitted documents a short batch goes out anyway: it bounds what a crash loses
        # and keeps documents behind a lone waiting text (the rest came from the cache) from waiting to the end.
        self._max_held = max(docs_per_step, self._due)
        self._entries: deque[_Entry] = deque()
        self._seq = 0
        self._todo: list[BaseNode] = []
        self._texts: list[str] = []
        self._keys: list[str] = []
        self._weights: list[float] = []  # characters of the document each waiting text stands for
        self._owners: list[int] = []  # sequence number of the document each waiting text belongs to
        self.call_seconds = 0.0  # duration of the last embedding call
        self.call_target = call_seconds
        self._seconds_per_char: float | None = None  # measured model speed (smoothed), for the call size

    def add(self, doc: BaseNode, nodes: list[BaseNode], chars: int = 0, last: bool = True) -> None:
        """Queue a transformed document (or, with ``last=False``, one section of it; more follow).

        Its nodes' texts join the queue unless they are cached or embedded. ``chars`` is the length of the text
        the nodes came from, for progress.
        """
        entry = self._entries[-1] if self._entries and self._entries[-1].doc is doc else None
        if entry is None or entry.complete:
            entry = _Entry(self._seq, doc)
            self._entries.append(entry)
            self._seq += 1
        entry.nodes.extend(nodes)
        entry.complete = last
        ready = len(nodes)
        if self.embed_model is not None:
            todo, texts, keys = plan_embedding(self.embed_model, nodes, self.cache, self._model_print)
            total = sum(len(text) for text in texts) or 1
            self._todo.extend(todo)
            self._texts.extend(texts)
            self._keys.extend(keys)
            self._weights.extend(chars * len(text) / total for text in texts)
            self._owners.extend([entry.seq] * len(todo))
            ready -= len(todo)
            chars = 0 if todo else chars
        if self.hooks is not None and (ready or chars):
            self.hooks.embedded(ready, chars)

    @property
    def waiting(self) -> int:
        """Texts queued for the model."""
        return len(self._texts)

    def _count(self, final: bool) -> int:
        """How many queued texts are due now (see :meth:`embed`)."""
        waiting = len(self._texts)
        whole = waiting - waiting % self._batch
        if final:
            return waiting
        if waiting >= self._due:
            return whole
        if len(self._entries) > self._max_held:  # the oldest texts go first, so whole batches free the oldest docs
            return whole or waiting
        return 0

    def _take(self, count: int) -> _Taken:
        taken = self._todo[:count], self._texts[:count], self._keys[:count], sum(self._weights[:count])
        del self._todo[:count], self._texts[:count], self._keys[:count], self._owners[:count]
        del self._weights[:count]
        return taken

    def _steps(self, final: bool) -> int:
        """Texts per embedding step: ``workers`` whole batches (what is due, if less)."""
        return min(self._count(final), self._due)

    def _call_size(self, limit: int) -> int:
        """Texts for the next call (at most ``limit``): what the measured speed fits in ``call_target`` seconds."""
        if self.call_target is None:
            return min(limit, self._batch)
        if self._seconds_per_char is None:  # no measurement yet: a whole batch
            return min(limit, self._batch)
        budget = self.call_target / max(self._seconds_per_char, 1e-9)
        size, chars = 0, 0
        cap = min(limit, self._batch)
        while size < cap and chars + len(self._texts[size]) <= budget:
            chars += len(self._texts[size])
            size += 1
        return max(size, min(cap, max(1, self._batch // 16)))

    def _measure(self, texts: list[str], seconds: float) -> None:
        self.call_seconds = seconds
        per_call = max(1, -(-len(texts) // self.workers))  # the calls of a step run side by side
        chars = sum(len(text) for text in texts) * per_call / len(texts) or 1
        speed = seconds / chars
        previous = self._seconds_per_char
        self._seconds_per_char = speed if previous is None else 0.5 * previous + 0.5 * speed

    def _slices(self, final: bool, deadline: float | None) -> Iterator[tuple[int, _Plan]]:
        """``(texts per call, (nodes, texts, cache keys))``: the due texts, ``workers`` calls' worth at a time, until
        ``deadline``. The caller embeds each slice before asking for the next; the time that takes is measured
        (it sizes the next calls) and the hooks are told the slice's chunks."""
        while (count := self._steps(final)) > 0:
            while count > 0:
                per_call = self._call_size(count)
                size = min(count, per_call * self.workers)
                count -= size
                todo, texts, keys, chars = self._take(size)
                started = time.monotonic()
                yield per_call, (todo, texts, keys)
                self._measure(texts, time.monotonic() - started)
                if self.hooks is not None:
                    self.hooks.embedded(len(todo), chars)
                if deadline is not None and time.monotonic() >= deadline:
                    return

    def embed(self, final: bool, deadline: float | None = None) -> bool:
        """Embed the due texts, ``workers`` calls at a time, until none is due or ``deadline`` (monotonic) passed
        (checked after each call, so every call makes progress).

        Due: everything when ``final``; whole batches once there are ``workers`` batches' worth, or once more
        than ``max(docs_per_step, workers * embed_batch_size)`` documents wait (everything if that is under a
        batch). Calls are sized by ``call_seconds`` (see the module docstring). Returns whether nothing due is
        left.
        """
        for per_call, plan in self._slices(final, deadline):
            if self.embed_model is not None:
                embed_planned(self.embed_model, *plan, cache=self.cache, num_workers=self.workers, batch_size=per_call)
        return self._steps(final) == 0

    async def aembed(self, final: bool, deadline: float | None = None) -> bool:
        """Async :meth:`embed` (``workers`` calls in flight)."""
        for per_call, plan in self._slices(final, deadline):
            if self.embed_model is not None:
                await aembed_planned(
                    self.embed_model, *plan, cache=self.cache, num_workers=self.workers, batch_size=per_call
                )
        return self._steps(final) == 0

    def ready_count(self) -> int:
        """Documents at the head of the queue that :meth:`ready` would return."""
        limit = self._owners[0] if self._owners else self._seq
        count = 0
        for entry in self._entries:
            if entry.seq >= limit or not entry.complete:
                break
            count += 1
        return count

    def ready(self, partial: bool = False) -> Ready:
        """Remove and return the leading documents that are complete and none of whose texts is queued.

        With ``partial``, also the embedded nodes of the next document (its first sections, or the part of its
        texts already embedded); they are then forgotten here, and the document's later commit names them in
        ``prior``. Call it after :meth:`embed`; documents come out in input order.
        """
        result = Ready()
        limit = self._owners[0] if self._owners else self._seq
        while self._entries and self._entries[0].seq < limit and self._entries[0].complete:
            entry = self._entries.popleft()
            result.docs.append(entry.doc)
            result.nodes.extend(entry.nodes)
            if entry.committed:
                result.prior[entry.doc.node_id] = entry.committed
        if partial and self._entries:
            head = self._entries[0]
            done = [node for node in head.nodes if node.embedding is not None]
            if done:
                head.nodes = [node for node in head.nodes if node.embedding is None]
                head.committed.update(node.node_id for node in done)
                result.partial = (head.doc, done)
        return result
