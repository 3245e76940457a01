"""Retrieval quality and speed: dense vs BM25 vs hybrid on a real documentation corpus, BM25 build cost.

Corpus: the package descriptions (the README text on PyPI) of the wheels installed in the project's venv, one
``<name>.md`` per package (dovetail's own packages excluded), ingested with the CLI defaults (ONNX MiniLM,
SentenceSplitter 256/32). Questions: ``bench/data/wheel_docs_questions.jsonl``, written from what each package
is known for, before any result was seen; questions whose package is not installed are dropped.

1. Quality: ``dovetail eval`` over the three modes at top-k 3 (hit@3, MRR, nDCG@3 over the first 3 distinct
   documents of each ranking).
2. BM25 build over 100,000 chunks (the corpus's chunks repeated): ``BM25Retriever`` vs ``bm25s`` called directly
   on the same texts with the same stop words and stemmer; median of 3 alternating rounds.
3. Query p50 on that 100,000-chunk index (dense: random unit vectors, query embedding precomputed, so only
   retrieval is timed): dense, BM25, and hybrid (reciprocal rank fusion of both, 10 candidates each).

Usage: ``.venv/bin/python bench/bench_retrieval.py [--chunks 100000] [--workdir DIR]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import statistics
import sys
import tempfile
import time
from importlib.metadata import distributions
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
QUESTIONS = BENCH / "data" / "wheel_docs_questions.jsonl"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def build_corpus(folder: Path) -> set[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = set()
    for dist in distributions():
        name = normalise(dist.metadata["Name"] or "")
        body = dist.metadata.get_payload() or dist.metadata.get("Description") or ""  # type: ignore[attr-defined]
        if not name or name.startswith("dovetail") or len(body) < 400 or name in names:
            continue
        summary = dist.metadata.get("Summary") or ""
        (folder / f"{name}.md").write_text(f"# {name}\n\n{summary}\n\n{body}", encoding="utf-8")
        names.add(name)
    return names


def cli(*argv: str) -> str:
    from dovetail.core.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    if code != 0:
        raise SystemExit(f"dovetail {' '.join(argv)} failed with {code}")
    return out.getvalue()


def quality(scratch: Path) -> tuple[Path, dict[str, dict[str, float]], int]:
    corpus = scratch / "corpus"
    present = build_corpus(corpus)
    questions = scratch / "questions.jsonl"
    kept = 0
    with questions.open("w") as out:
        for line in QUESTIONS.read_text().splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            row = json.loads(line)
            if all(i.removesuffix(".md") in present for i in row["expected_ids"]):
                out.write(line + "\n")
                kept += 1
    index = scratch / "index"
    if (index / "index_store.json").is_file():
        print(f"reusing the index in {index}", flush=True)
    else:
        started = time.perf_counter()
        cli("ingest", str(corpus), "--index", str(index), "--chunk-size", "256", "--chunk-overlap", "32", "--quiet")
        print(f"ingested {len(present)} package descriptions in {time.perf_counter() - started:.0f}s", flush=True)
    rows = json.loads(cli("eval", str(questions), "--index", str(index), "--top-k", "3", "--json"))["results"]
    return index, {row["mode"]: row for row in rows}, kept


def chunks_of(index: Path, count: int) -> list[str]:
    from dovetail.core.indices import load_index_from_storage
    from dovetail.core.storage import StorageContext

    loaded = load_index_from_storage(StorageContext.from_defaults(persist_dir=index))
    texts = [node.get_content() for node in loaded.vector_store.get_nodes()]
    return [texts[i % len(texts)] for i in range(count)]


def build_rounds(texts: list[str], rounds: int = 3) -> tuple[float, float]:
    import bm25s
    import bm25s.stopwords
    import Stemmer
    from dovetail.core.schema import TextNode
    from dovetail.retrievers.bm25 import BM25Retriever

    nodes = [TextNode(id_=str(i), text=t) for i, t in enumerate(texts)]
    ours, direct = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        retriever = BM25Retriever(nodes=nodes)
        retriever.retrieve("warm")  # the index is built on first use
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        tokens = bm25s.tokenize(
            texts, stopwords=list(bm25s.stopwords.STOPWORDS_EN), stemmer=Stemmer.Stemmer("english"), show_progress=False
        )
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
        direct.append(time.perf_counter() - started)
    return statistics.median(ours), statistics.median(direct)


def p50s(fns: dict, queries: list, repeat: int = 3) -> dict[str, float]:  # type: ignore[type-arg]
    """Median latency of each function, interleaved query by query so load changes hit all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn(queries[0])
    for _ in range(repeat):
        for query in queries:
            for name, fn in fns.items():
                started = time.perf_counter()
                fn(query)
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def query_latency(texts: list[str], questions: list[str]) -> dict[str, float]:
    from dovetail.core import VectorStoreIndex
    from dovetail.core.embeddings import MockEmbedding
    from dovetail.core.retrievers import QueryFusionRetriever
    from dovetail.core.schema import QueryBundle
    from dovetail.core.schema import TextNode
    from dovetail.retrievers.bm25 import BM25Retriever

    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((len(texts), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    nodes = [
        TextNode(id_=str(i), text=t, embedding=v.tolist()) for i, (t, v) in enumerate(zip(texts, vectors, strict=True))
    ]
    index = VectorStoreIndex(nodes=nodes, embed_model=MockEmbedding(embed_dim=384))
    bundles = [QueryBundle(query_str=q, embedding=rng.standard_normal(384).tolist()) for q in questions]
    dense = index.as_retriever(similarity_top_k=10)
    bm25 = BM25Retriever(nodes=[TextNode(id_=n.node_id, text=n.text) for n in nodes], similarity_top_k=10)
    hybrid = QueryFusionRetriever([dense, bm25], mode="reciprocal_rerank", similarity_top_k=3, use_async=False)
    threaded = QueryFusionRetriever([dense, bm25], mode="reciprocal_rerank", similarity_top_k=3, use_async=True)
    fns = {
        "dense": dense.retrieve,
        "bm25": bm25.retrieve,
        "hybrid": hybrid.retrieve,
        "hybrid_threads": threaded.retrieve,
    }
    return p50s(fns, bundles)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, help="keep the corpus and index here (reused when present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dovetail-bench-retrieval-") as scratch:
        index, rows, kept = quality(args.workdir or Path(scratch))
        print(f"\nquality over {kept} questions, top-k 3")
        print(f"{'mode':<8} {'hit@3':>6} {'MRR':>6} {'nDCG@3':>7}")
        for mode, row in rows.items():
            print(f"{mode:<8} {row['hit_rate']:>6.3f} {row['mrr']:>6.3f} {row['ndcg']:>7.3f}")
        texts = chunks_of(index, args.chunks)
    questions = [json.loads(row)["question"] for row in QUESTIONS.read_text().splitlines() if row.startswith("{")]
    ours, direct = build_rounds(texts)
    print(
        f"\nBM25 build over {len(texts):,} chunks: BM25Retriever {ours:.2f}s, bm25s direct {direct:.2f}s "
        f"-> {ours / direct:.2f}x"
    )
    latency = query_latency(texts, questions)
    print(f"\nquery p50 over {len(texts):,} chunks: " + ", ".join(f"{k} {v:.2f} ms" for k, v in latency.items()))
    for name in ("hybrid", "hybrid_threads"):
        print(f"{name} / (dense + bm25) = {latency[name] / (latency['dense'] + latency['bm25']):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
