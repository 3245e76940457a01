"""Run an ``IngestionPipeline`` on a Ray cluster: ``pipeline.run(documents, runner=RayRunner(...))``."""

from dovetail.ingestion.ray.base import RayRunner

__all__ = ["RayRunner"]
