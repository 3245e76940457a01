"""onnxruntime session and tokenizer loading (lazy, shared between instances) and mean-pooled encoding."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import ProviderError
from dovetail.embeddings.onnx._files import INSTALL_HINT
from dovetail.embeddings.onnx._graph import without_softmax_nan_guards

__all__ = ["Runtime", "length_groups", "load_runtime"]

logger = logging.getLogger(__name__)

# Padded tokens per forward pass. onnxruntime's memory arena keeps the peak of the largest pass: about 560 MB of
# growth at 4,096 tokens, 300 MB at 2,048 and 170 MB at 1,024; smaller passes also cost less CPU per token here
# (attention tensors stay in cache): 1,024 used 16 % less CPU than 2,048 for the same texts (bench/README.md).
_TOKENS_PER_RUN = 1024
_MAX_PADDING = 1.15  # a group's padded tokens per real token stays under this (1.95 before, at batch 64)
_lock = threading.Lock()
_sessions: dict[tuple[str, int | None], Any] = {}
_tokenizers: dict[tuple[str, int], Any] = {}


def _import(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError as exc:
        msg = f"the local ONNX embedder needs the {name!r} package; install it with `{INSTALL_HINT}`"
        raise ConfigurationError(msg) from exc


def _session(model_file: Path, threads: int | None) -> Any:
    key = (str(model_file), threads)
    session = _sessions.get(key)
    if session is None:
        ort = _import("onnxruntime")
        options = ort.SessionOptions()
        options.log_severity_level = 3  # errors only: onnxruntime warns about unused initialisers otherwise
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads is not None:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        # Idle worker threads sleep instead of spinning: on busy or small machines spinning steals the cores
        # the forward pass needs (observed 2-3x slower batches on a loaded 2-core host).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        try:
            # The graph without its softmax NaN guards when it has them (exact for the rows Runtime sends; see
            # _graph.py), the file as it is otherwise.
            model: str | bytes = without_softmax_nan_guards(model_file.read_bytes()) or str(model_file)
            session = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
        except OSError as exc:
            msg = f"cannot read ONNX model {model_file}: {exc}; check model_path or reinstall with `{INSTALL_HINT}`"
            raise ConfigurationError(msg) from exc
        except Exception as exc:  # onnxruntime raises its own (non-exported) exception types
            msg = f"cannot load ONNX model {model_file}: {exc}; check model_path or reinstall with `{INSTALL_HINT}`"
            raise ConfigurationError(msg) from exc
        _sessions[key] = session
        logger.info("loaded ONNX model %s (threads=%s)", model_file, threads or "default")
    return session


_counting: dict[str, Callable[[str], list[int]]] = {}


def counting_tokenizer(tokenizer_file: Path) -> Callable[[str], list[int]]:
    """``text -> token ids`` with the model's tokenizer, special tokens included and nothing truncated (a separate
    instance from the embedding one, which truncates at ``max_length``)."""
    key = str(tokenizer_file)
    encode = _counting.get(key)
    if encode is None:
        tokenizers = _import("tokenizers")
        try:
            tokenizer = tokenizers.Tokenizer.from_file(key)
        except Exception as exc:  # tokenizers raises a bare Exception on malformed files
            msg = f"cannot load tokenizer {tokenizer_file}: {exc}; check tokenizer_path or reinstall the package"
            raise ConfigurationError(msg) from exc
        tokenizer.no_truncation()
        tokenizer.no_padding()

        def encode(text: str) -> list[int]:
            ids: list[int] = tokenizer.encode(text).ids
            return ids

        _counting[key] = encode
    return encode


def _tokenizer(tokenizer_file: Path, max_length: int) -> Any:
    key = (str(tokenizer_file), max_length)
    tokenizer = _tokenizers.get(key)
    if tokenizer is None:
        tokenizers = _import("tokenizers")
        try:
            tokenizer = tokenizers.Tokenizer.from_file(str(tokenizer_file))
        except Exception as exc:  # tokenizers raises a bare Exception on malformed files
            msg = f"cannot load tokenizer {tokenizer_file}: {exc}; check tokenizer_path or reinstall the package"
            raise ConfigurationError(msg) from exc
        # Packaged tokenizer.json files may preset fixed padding/truncation (e.g. 128): set both explicitly.
        tokenizer.enable_truncation(max_length=max_length)
        tokenizer.no_padding()  # Runtime.embed pads each group of similar-length texts itself
        _tokenizers[key] = tokenizer
    return tokenizer


class Runtime:
    """A loaded model: tokenizer + session; :meth:`embed` returns mean-pooled (optionally unit) vectors."""

    def __init__(self, session: Any, tokenizer: Any, np_module: Any) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self._np = np_module
        self._inputs = {item.name for item in session.get_inputs()}
        self.dimensions = int(session.get_outputs()[0].shape[-1])
        self.real_tokens = 0
        self.padded_tokens = 0

    def embed(self, texts: list[str], normalize: bool) -> list[list[float]]:
        """Embed ``texts``: sorted by length and run in groups of similar length, so short texts are not
        padded to the longest one (a 256-token text in a batch of 15-token ones would cost 20x).

        ``real_tokens`` and ``padded_tokens`` add up what the model was given, for measurements."""
        np = self._np
        encodings = self.tokenizer.encode_batch(texts)
        lengths = [len(encoding.ids) for encoding in encodings]
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        # A text with no tokens at all (possible only with a tokenizer that adds no special tokens) keeps the zero
        # vector, the mean over nothing, and never reaches the model: the graph runs without its NaN guards.
        for group in length_groups(lengths):
            width = lengths[group[-1]]
            self.real_tokens += sum(lengths[i] for i in group)
            self.padded_tokens += width * len(group)
            out[group] = self._forward([encodings[i] for i in group], width, normalize)
        return out.tolist()  # type: ignore[no-any-return]

    def _forward(self, encodings: list[Any], width: int, normalize: bool) -> Any:
        np = self._np
        ids = np.zeros((len(encodings), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            size = len(encoding.ids)
            ids[row, :size] = encoding.ids
            mask[row, :size] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        try:
            hidden = self.session.run(None, feeds)[0]
        except Exception as exc:  # onnxruntime's own exception types
            msg = f"onnxruntime failed to embed a batch of {len(encodings)} texts: {exc}"
            raise ProviderError(msg, provider="onnx") from exc
        return _pool(np, hidden, mask, normalize)


def length_groups(lengths: list[int]) -> list[list[int]]:
    """Indices of ``lengths`` in groups of similar length, shortest first, each run as one forward pass (texts
    of length 0 are in no group).

    A group grows (in sorted order, so its last text is its longest) while its padded size stays within
    ``_TOKENS_PER_RUN`` and its padded tokens stay within ``_MAX_PADDING`` times its real tokens: a batch of
    64 mixed chunks then costs about 1.1 padded tokens per real token instead of about 2.
    """
    order = sorted((i for i in range(len(lengths)) if lengths[i] > 0), key=lengths.__getitem__)
    groups: list[list[int]] = []
    start = 0
    while start < len(order):
        stop = start + 1
        real = lengths[order[start]]
        while stop < len(order):
            width = lengths[order[stop]]
            size = stop - start + 1
            if size * width > _TOKENS_PER_RUN or size * width > _MAX_PADDING * (real + width):
                break
            real += width
            stop += 1
        groups.append(order[start:stop])
        start = stop
    return groups


def _pool(np: Any, hidden: Any, mask: Any, normalize: bool) -> Any:
    """Mean of the hidden states over the attention mask, optionally L2-normalised (numpy passed in: lazy)."""
    weights = mask.astype(np.float32)
    # (b, 1, s) @ (b, s, d) -> (b, d): the masked sum in one BLAS call
    pooled = np.matmul(weights[:, None, :], hidden)[:, 0, :] / np.clip(weights.sum(axis=1, keepdims=True), 1e-9, None)
    if normalize:
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    return pooled


def load_runtime(model_file: Path, tokenizer_file: Path, threads: int | None, max_length: int) -> Runtime:
    """The runtime for these files, loading each file once per process (instances share sessions)."""
    with _lock:
        np_module = _import("numpy")
        return Runtime(_session(model_file, threads), _tokenizer(tokenizer_file, max_length), np_module)
