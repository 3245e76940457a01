"""Transformations for tests of ingestion pipelines and runners.

Example:
    ```python
    from dovetail.core.testing.transformations import FailOn

    pipeline = IngestionPipeline(transformations=[FailOn("mitre"), splitter, embed_model])
    with pytest.raises(RuntimeError, match="mitre"):
        pipeline.run(documents=documents)
    ```
"""

from __future__ import annotations

from typing import Any

from dovetail.core.schema import BaseNode

__all__ = ["FailOn"]


class FailOn:
    """Passes nodes through unchanged, but raises ``RuntimeError`` on a batch that holds a node whose text
    contains ``needle`` (the message names it), so a test can fail one chosen document.

    It is a plain class of an installed module, so process-based runners can ship it to their workers.

    Args:
        needle: the text that makes the transformation fail.
    """

    def __init__(self, needle: str) -> None:
        self.needle = needle

    def __call__(self, nodes: list[BaseNode], **kwargs: Any) -> list[BaseNode]:
        """Return ``nodes``; raise ``RuntimeError`` when one of them contains the needle."""
        for node in nodes:
            if self.needle in node.get_content():
                msg = f"cannot transform a node containing {self.needle!r}"
                raise RuntimeError(msg)
        return nodes
