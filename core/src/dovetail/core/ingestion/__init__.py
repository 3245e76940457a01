"""Ingestion: turn documents into embedded nodes in a vector store, incrementally and resumably.

Example:
    ```python
    from dovetail.core.ingestion import IngestionPipeline

    pipeline = IngestionPipeline(transformations=[splitter, embed_model], vector_store=store, docstore=docstore)
    pipeline.run(documents=docs, progress=lambda done, total: print(done, "/", total))
    ```
"""

from dovetail.core.ingestion._cache import IngestionCache
from dovetail.core.ingestion._pipeline import DocstoreStrategy
from dovetail.core.ingestion._pipeline import IngestionPipeline
from dovetail.core.ingestion._pipeline import ProgressCallback
from dovetail.core.ingestion._progress import IngestProgress
from dovetail.core.ingestion._runner import BatchResult
from dovetail.core.ingestion._runner import BatchWork
from dovetail.core.ingestion._runner import Runner
from dovetail.core.ingestion._transform import Transformation
from dovetail.core.ingestion._transform import aembed_nodes
from dovetail.core.ingestion._transform import arun_transformations
from dovetail.core.ingestion._transform import embed_nodes
from dovetail.core.ingestion._transform import run_transformations

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
