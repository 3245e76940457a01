"""LlamaIndex's per-run options of ``IngestionPipeline.run`` / ``arun``: ``cache_collection``, ``in_place`` and
``store_doc_text``, checked before any work is done.

* ``cache_collection``: the run reads and writes its cached transformation outputs and embeddings in that named
  collection of the pipeline's cache (``None``: the cache's default entries), as LlamaIndex's does.
* ``in_place``: LlamaIndex copies the list handed to the first transformation when it is ``False``. Every
  transformation call here already gets a list of its own that the pipeline never reads again (one document's
  nodes at a time), so both values give the same nodes and the same stored data; only a ``bool`` is taken.
* ``store_doc_text``: ``False`` keeps text out of the docstore: it records only the ledger (document hashes and
  which nodes each document has), never the nodes' text. Refused when the vector store keeps no text either,
  since the text would then be stored nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError

if TYPE_CHECKING:
    from dovetail.core.ingestion._cache import IngestionCache
    from dovetail.core.vector_stores import BasePydanticVectorStore

__all__ = ["RunOptions"]


@dataclass(frozen=True)
class RunOptions:
    """The LlamaIndex options of one run, validated by :meth:`check`."""

    cache_collection: str | None = None
    in_place: bool = True
    store_doc_text: bool = True

    def check(
        self, owner: str, cache: IngestionCache | None, vector_store: BasePydanticVectorStore | None, runner: Any
    ) -> None:
        """Refuse options this run could not honour, before any work.

        Raises:
            InvalidInputError: a value of the wrong type; ``cache_collection`` without a cache (``disable_cache``)
                or with a runner (runners do not use the cache); ``store_doc_text=False`` with a vector store
                that keeps no text.
        """
        for name in ("in_place", "store_doc_text"):
            if not isinstance(getattr(self, name), bool):
                msg = f"{owner}() takes {name}=True or False, got {getattr(self, name)!r}"
                raise InvalidInputError(msg)
        if self.cache_collection is not None:
            if not isinstance(self.cache_collection, str) or not self.cache_collection:
                msg = f"{owner}() takes cache_collection as a non-empty str or None, got {self.cache_collection!r}"
                raise InvalidInputError(msg)
            if runner is not None:
                msg = (
                    f"{owner}() with a runner does not use the ingestion cache, so cache_collection would have no "
                    "effect; leave it out, or run without a runner"
                )
                raise InvalidInputError(msg)
            if cache is None:
                msg = (
                    f"{owner}(cache_collection={self.cache_collection!r}) needs a cache, but the pipeline was built "
                    "with disable_cache=True; leave cache_collection out or build the pipeline with a cache"
                )
                raise InvalidInputError(msg)
        if not self.store_doc_text and vector_store is not None and not vector_store.stores_text:
            msg = (
                f"{owner}(store_doc_text=False): {type(vector_store).__name__} keeps no text, so the nodes' text "
                "would be stored nowhere; leave store_doc_text at True or use a vector store that stores text"
            )
            raise InvalidInputError(msg)

    def cache_for(self, cache: IngestionCache | None) -> IngestionCache | None:
        """The cache (or cache collection) this run reads and writes."""
        if cache is None or self.cache_collection is None:
            return cache
        return cache.for_collection(self.cache_collection)
