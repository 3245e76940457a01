"""PGVectorStore on a real PostgreSQL 16 + pgvector (pgserver wheel): upserts vs llama-index, HNSW queries.

One server (127.0.0.1, fsync off, same settings as the tests) serves every variant, one after the other:

- upsert ``--n`` × ``--dim`` seeded vectors with metadata ``{"group": i % 10, "i": i}`` and a short text, each
  into a fresh table without an ANN index (llama-index's default): dovetail ``add`` with binary ``COPY``,
  dovetail ``add`` with pipelined ``executemany``, and llama-index-vector-stores-postgres ``PGVectorStore.add``
  (installed by this script into ``bench/.venv-llamaindex-postgres``, never into the project venv; same nodes);
- then an HNSW index (m=16, ef_construction=64) is built on dovetail's table and ``--queries`` queries (stored
  vectors plus noise) run top-10: unfiltered (recall@10 against exact numpy search, default ef_search=40),
  filtered to one group (10 %: checked against the exact top-10 among that group), and hybrid (dense + full
  text, on a table with ``hybrid_search=True``) against dense-only on that same table.

Usage: ``.venv/bin/python bench/bench_postgres.py [--n 100000] [--dim 384] [--queries 200]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "integrations/vector_stores/dovetail-vector-stores-postgres/tests"))

from _peers import ensure_venv, version_of  # noqa: E402
from _pgserver import LocalPostgres  # noqa: E402

WORDS = [f"w{i}" for i in range(400)]

LLAMA = r"""
import json, sys, time
import numpy as np
from llama_index.core.schema import TextNode
from llama_index.vector_stores.postgres import PGVectorStore
cfg = json.loads(sys.argv[1])
rng = np.random.default_rng(cfg["seed"])
vectors = rng.standard_normal((cfg["n"], cfg["dim"])).astype(np.float32)
vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
words = [f"w{i}" for i in range(400)]
nodes = [TextNode(id_=f"n{i}", text=" ".join(words[(i * k) % 400] for k in (1, 7, 13)),
                  metadata={"group": i % 10, "i": i}, embedding=vectors[i].tolist()) for i in range(cfg["n"])]
store = PGVectorStore.from_params(host=cfg["host"], port=str(cfg["port"]), database="postgres", user="postgres",
                                  password=cfg["password"], table_name="llama_bench", embed_dim=cfg["dim"])
store.add(nodes[:1]); store.clear()
start = time.perf_counter()
store.add(nodes)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def _data(n: int, dim: int, seed: int) -> tuple[np.ndarray, list[Any]]:
    from dovetail.core.schema import TextNode

    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    nodes = [
        TextNode(
            id_=f"n{i}",
            text=" ".join(WORDS[(i * k) % 400] for k in (1, 7, 13)),
            metadata={"group": i % 10, "i": i},
            embedding=vectors[i].tolist(),
        )
        for i in range(n)
    ]
    return vectors, nodes


def _store(server: LocalPostgres, table: str, **kwargs: Any) -> Any:
    from dovetail.vector_stores.postgres import PGVectorStore

    return PGVectorStore(connection_string=server.dsn, table_name=table, **kwargs)


def _timed_add(store: Any, nodes: list[Any]) -> float:
    store.add(nodes[:1])
    store.clear()
    start = time.perf_counter()
    store.add(nodes)
    return time.perf_counter() - start


def _p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _queries(hybrid: Any, vectors: np.ndarray, args: argparse.Namespace) -> dict[str, Any]:
    """Latency and quality of dense, filtered and hybrid top-10 queries on the loaded, indexed table."""
    from dovetail.core.vector_stores import MetadataFilters, VectorStoreQuery, VectorStoreQueryMode

    rng = np.random.default_rng(args.seed + 1)
    picks = rng.choice(args.n, size=args.queries, replace=False)
    queries = vectors[picks] + rng.normal(0, 0.3 / np.sqrt(args.dim), (args.queries, args.dim)).astype(np.float32)
    group = vectors[np.arange(args.n) % 10 == 3]
    group_ids = np.flatnonzero(np.arange(args.n) % 10 == 3)
    dense_t, wide_t, filtered_t, hybrid_t, recalls, recalls100, filtered_ok = [], [], [], [], [], [], 0
    only3 = MetadataFilters.from_dicts([{"key": "group", "value": 3}])
    for _ in range(2):  # warm caches and prepared statements
        hybrid.query(VectorStoreQuery(query_embedding=queries[0].tolist(), similarity_top_k=10))
    for q, pick in zip(queries, picks, strict=True):
        emb = q.tolist()
        t = time.perf_counter()
        result = hybrid.query(VectorStoreQuery(query_embedding=emb, similarity_top_k=10))
        dense_t.append(time.perf_counter() - t)
        exact = {f"n{i}" for i in np.argsort(-(vectors @ q))[:10]}
        recalls.append(len(exact & set(result.ids or [])) / 10)
        t = time.perf_counter()
        wide = hybrid.query(VectorStoreQuery(query_embedding=emb, similarity_top_k=10), hnsw_ef_search=100)
        wide_t.append(time.perf_counter() - t)
        recalls100.append(len(exact & set(wide.ids or [])) / 10)
        t = time.perf_counter()
        filtered = hybrid.query(VectorStoreQuery(query_embedding=emb, similarity_top_k=10, filters=only3))
        filtered_t.append(time.perf_counter() - t)
        exact_group = [f"n{group_ids[i]}" for i in np.argsort(-(group @ q))[:10]]
        filtered_ok += filtered.ids == exact_group
        text = " ".join(WORDS[(int(pick) * k) % 400] for k in (1, 7))
        t = time.perf_counter()
        hybrid.query(
            VectorStoreQuery(query_embedding=emb, query_str=text, mode=VectorStoreQueryMode.HYBRID, similarity_top_k=10)
        )
        hybrid_t.append(time.perf_counter() - t)
    return dict(
        dense_p50_ms=_p50(dense_t),
        recall_at_10=float(np.mean(recalls)),
        recall_at_10_ef_search_100=float(np.mean(recalls100)),
        dense_ef_search_100_p50_ms=_p50(wide_t),
        filtered_p50_ms=_p50(filtered_t),
        filtered_exact_fraction=filtered_ok / args.queries,
        filtered_over_dense=_p50(filtered_t) / _p50(dense_t),
        hybrid_p50_ms=_p50(hybrid_t),
        hybrid_over_dense=_p50(hybrid_t) / _p50(dense_t),
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=1, help="COPY/executemany rounds, alternating order (median)")
    parser.add_argument("--upserts-only", action="store_true", help="skip llama-index and the query part")
    parser.add_argument("--skip-peer", action="store_true", help="do not run llama-index (queries only need dovetail)")
    parser.add_argument("--dsn", help="only the query part, on table dt_hybrid already loaded by a run with --n/--seed")
    args = parser.parse_args()
    if args.dsn:
        from dovetail.vector_stores.postgres import PGVectorStore

        vectors, _ = _data(args.n, args.dim, args.seed)
        store = PGVectorStore(connection_string=args.dsn, table_name="dt_hybrid", hybrid_search=True,
                              hnsw_kwargs={"hnsw_m": 16, "hnsw_ef_construction": 64})  # fmt: skip
        out = {"n": args.n, "dim": args.dim, **_queries(store, vectors, args)}
        store.close()
        print(json.dumps(out, indent=2))
        return 0
    python = ensure_venv(
        "llamaindex-postgres", ["llama-index-vector-stores-postgres>=0.5"], "llama_index.vector_stores.postgres"
    )
    server = LocalPostgres()
    server.start()
    out: dict[str, Any] = {
        "n": args.n,
        "dim": args.dim,
        "llama_index_vector_stores_postgres": version_of(python, "llama-index-vector-stores-postgres"),
    }
    try:
        vectors, nodes = _data(args.n, args.dim, args.seed)
        copy = _store(server, "dt_copy")
        many = _store(server, "dt_many", upsert_method="executemany")
        times: dict[str, list[float]] = {"copy": [], "executemany": []}
        for round_ in range(args.rounds):
            order = [("copy", copy), ("executemany", many)]
            for name, store in order if round_ % 2 == 0 else order[::-1]:
                times[name].append(_timed_add(store, nodes))
        out["dovetail_copy_s"] = statistics.median(times["copy"])
        out["dovetail_executemany_s"] = statistics.median(times["executemany"])
        out["copy_rounds_s"], out["executemany_rounds_s"] = times["copy"], times["executemany"]
        many.clear()
        many.close()
        if args.upserts_only:
            print(json.dumps(out, indent=2))
            return 0
        if not args.skip_peer:
            cfg = {
                "seed": args.seed,
                "n": args.n,
                "dim": args.dim,
                "host": server.host,
                "port": server.port,
                "password": server.password,
            }
            run = subprocess.run(
                [str(python), "-c", LLAMA, json.dumps(cfg)], capture_output=True, text=True, check=True
            )
            out["llama_index_add_s"] = json.loads(run.stdout.strip().splitlines()[-1])["seconds"]
            out["upsert_speedup_copy"] = out["llama_index_add_s"] / out["dovetail_copy_s"]
            out["upsert_speedup_executemany"] = out["llama_index_add_s"] / out["dovetail_executemany_s"]
            print(json.dumps(out), flush=True)
        copy.close()

        # Bulk load first, then build the HNSW index once (much faster than inserting into the graph row by row).
        start = time.perf_counter()
        loader = _store(server, "dt_hybrid", hybrid_search=True)
        loader.add(nodes)
        loader.close()
        out["hybrid_table_add_s"] = time.perf_counter() - start
        start = time.perf_counter()
        hybrid = _store(server, "dt_hybrid", hybrid_search=True, hnsw_kwargs={"hnsw_m": 16, "hnsw_ef_construction": 64})
        hybrid.get_nodes(node_ids=[])  # first use creates the missing HNSW index
        out["hnsw_build_s"] = time.perf_counter() - start
        out.update(_queries(hybrid, vectors, args))
        hybrid.close()
    finally:
        server.stop()
    print(json.dumps(out, indent=2))
    results = BENCH / "results" / "postgres.json"
    results.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
