"""Peer side of ``bench_ingest_corpus.py``: LlamaIndex ingesting the same folder with the same ONNX model.

Runs in the peer venv (llama-index-core, onnxruntime, tokenizers, numpy; never the project's). The model is
wrapped as a LlamaIndex ``BaseEmbedding`` the way a LlamaIndex user would write it, by default with the same
session options as dovetail's ``OnnxEmbedding`` (so the runtime setup is not what is compared; ``--session-options
default`` gives onnxruntime's defaults instead): one onnxruntime session, the
tokenizer padding each batch to its longest text (truncation at 256 tokens), mean pooling and L2 normalisation:
the same maths as dovetail's ``OnnxEmbedding``. Prints one JSON line: chunks, CPU seconds
(user + system, this process), wall seconds, and the top file for each question given.

Usage: ``python _llamaindex_onnx_ingest.py CORPUS MODEL.onnx TOKENIZER.json [--batch N] [--questions JSON]
[--session-options dovetail|default]``
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from typing import Any

import numpy as np
import onnxruntime as ort
from llama_index.core import Settings
from llama_index.core import SimpleDirectoryReader
from llama_index.core import VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from pydantic import PrivateAttr
from tokenizers import Tokenizer


class OnnxMiniLM(BaseEmbedding):
    """all-MiniLM-L6-v2 on onnxruntime as a LlamaIndex embedding: pad to the longest text of each batch."""

    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()

    def __init__(self, model_path: str, tokenizer_path: str, tuned: bool = True, **kwargs: Any) -> None:
        super().__init__(model_name="all-MiniLM-L6-v2", **kwargs)
        options = ort.SessionOptions()
        if tuned:
            # The session options of dovetail's OnnxEmbedding, so both sides run the model the same way: full graph
            # optimisation, idle threads sleep instead of spinning (spinning is CPU time), default intra-op threads.
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self._session = ort.InferenceSession(model_path, sess_options=options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(tokenizer_path)
        tokenizer.enable_truncation(max_length=256)
        tokenizer.enable_padding()
        self._tokenizer = tokenizer

    def _embed(self, texts: list[str]) -> list[list[float]]:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in {i.name for i in self._session.get_inputs()}:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return pooled.tolist()  # type: ignore[no-any-return]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._embed([query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(texts)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("model")
    parser.add_argument("tokenizer")
    parser.add_argument("--batch", type=int, default=None, help="embed_batch_size (default: LlamaIndex's, 10)")
    parser.add_argument("--questions", default="[]")
    parser.add_argument(
        "--session-options",
        choices=["dovetail", "default"],
        default="dovetail",
        help="dovetail's onnxruntime session options, or onnxruntime's defaults (what a plain wrapper gets)",
    )
    args = parser.parse_args()

    batch = {"embed_batch_size": args.batch} if args.batch else {}
    embed = OnnxMiniLM(args.model, args.tokenizer, tuned=args.session_options == "dovetail", **batch)
    embed.get_text_embedding_batch(["warm up the session"] * 4)
    Settings.embed_model = embed
    cpu, wall = _cpu(), time.perf_counter()
    documents = SimpleDirectoryReader(args.corpus, recursive=True).load_data()
    index = VectorStoreIndex.from_documents(
        documents, transformations=[SentenceSplitter(chunk_size=256, chunk_overlap=32)]
    )
    cpu, wall = _cpu() - cpu, time.perf_counter() - wall
    retriever = index.as_retriever(similarity_top_k=1)
    top = [retriever.retrieve(q)[0].node.metadata["file_name"] for q in json.loads(args.questions)]
    chunks = len(index.docstore.docs)
    print(json.dumps({"chunks": chunks, "cpu": cpu, "wall": wall, "batch": embed.embed_batch_size, "top": top}))


if __name__ == "__main__":
    main()
