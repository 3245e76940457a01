"""``TransformComponent``: the base class of custom ingestion transformations, as in LlamaIndex.

Subclasses implement ``__call__(nodes, **kwargs)`` and return nodes; ``acall`` runs it in a worker thread unless
overridden with a native async version. Being a pydantic model, a component's fields are its configuration, so
the ingestion cache tells two differently configured components apart.

Example:
    ```python
    class Lowercase(TransformComponent):
        def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
            for node in nodes:
                node.set_content(node.get_content().lower())
            return nodes

    IngestionPipeline(transformations=[Lowercase(), SentenceSplitter()]).run(documents=docs)
    ```
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._kwargs import KeywordCheckedModel
from pydantic import ConfigDict

if TYPE_CHECKING:
    from dovetail.core.schema import BaseNode

__all__ = ["TransformComponent"]


class TransformComponent(KeywordCheckedModel):
    """A transformation of nodes: a node parser, a metadata extractor, a cleaner, an embedding step."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @classmethod
    def class_name(cls) -> str:
        """Stable name of the component (used in events and the ingestion cache)."""
        return cls.__name__

    @abstractmethod
    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        """Transform ``nodes`` and return the result."""

    async def acall(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        """Async ``__call__``: the sync one in a worker thread (never on the event loop)."""
        from dovetail.core.concurrency import run_in_thread

        return await run_in_thread(self.__call__, nodes, **kwargs)
