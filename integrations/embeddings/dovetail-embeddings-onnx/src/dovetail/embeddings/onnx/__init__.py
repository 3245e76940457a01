"""dovetail local embeddings: ``OnnxEmbedding`` runs all-MiniLM-L6-v2 on onnxruntime, offline, without torch."""

from dovetail.embeddings.onnx.base import OnnxEmbedding

__all__ = ["OnnxEmbedding"]
