"""Ingestion: turn documents into embedded nodes in a vector store, incrementally and resumably.

Example:
    ```python
    from dovetail.core.ingestion import IngestionPipeline

    pipeline = IngestionPipeline(transformations=[splitter, embed_model], vector_store=store, docstore=docstore)
    pipeline.run(documents=docs, progress=lambda done, total: print(done, "/", total))
    ```
"""

from dovetail.core.ingestion._cache import IngestionCache
from dovetail.core.ingestion._pipeline import DocstoreStrategy, IngestionPipeline, ProgressCallback
from dovetail.core.ingestion._progress import IngestProgress
from dovetail.core.ingestion._runner import BatchResult, BatchWork, Runner
from dovetail.core.ingestion._transform import (
    Transformation,
    aembed_nodes,
    arun_transformations,
    embed_nodes,
    run_transformations,
)

__all__ = [
    "BatchResult",
    "BatchWork",
    "DocstoreStrategy",
    "IngestProgress",
    "IngestionCache",
    "IngestionPipeline",
    "ProgressCallback",
    "Runner",
    "Transformation",
    "aembed_nodes",
    "arun_transformations",
    "embed_nodes",
    "run_transformations",
]
