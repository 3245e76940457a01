"""PGVectorStore on a real PostgreSQL 16 + pgvector (pgserver wheel): upserts vs llama-index, HNSW queries.

One server (127.0.0.1, fsync off; ``shared_buffers=1GB``, ``maintenance_work_mem=1GB``, two parallel
maintenance workers) serves every variant, one after the other. Its data folder lives in
``bench/.cache/pg-bench`` (gitignored), so the indexed query table survives between runs.

Data: ``--n`` × ``--dim`` unit vectors shaped like sentence embeddings — a Gaussian mixture of ``--clusters``
random centroids, each point its centroid plus noise in a 16-dimensional subspace private to the cluster plus a
little isotropic noise (real text embeddings are clustered with a low intrinsic dimension; i.i.d. Gaussian
vectors are the worst case of every graph index and resemble no embedding model). Metadata
``{"group": i % 10, "i": i}`` and a three-word text per node. Queries are fresh draws from the same mixture.

- upsert: each into a fresh table without an ANN index (llama-index's default): dovetail ``add`` with binary
  ``COPY``, dovetail ``add`` with pipelined ``executemany``, and llama-index-vector-stores-postgres
  ``PGVectorStore.add`` (installed by this script into ``bench/.venv-llamaindex-postgres``, never into the
  project venv; same nodes);
- queries: a ``hybrid_search=True`` table is loaded, then its HNSW index (the store's defaults) is built once
  (cached); ``--queries`` top-10 queries run unfiltered (recall@10 against exact numpy search at the default
  ``ef_search`` and at the ``--ef-search`` list), filtered to one group (10 %: checked against the exact
  top-10 among that group), and hybrid (dense + full text). The server's own time for the dense statement
  (``EXPLAIN ANALYZE``) is reported next to the client's.
- ``--peer-queries``: llama-index's ``PGVectorStore.query`` on its own table (loaded by its ``add``, the same
  HNSW index built with the same parameters), same queries: dense p50 ratio.

Usage: ``.venv/bin/python bench/bench_postgres.py [--n 100000] [--dim 384] [--queries 300] [--skip-peer]``
"""

from __future__ import annotations

import argparse
import json
import os
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

from _mixture import mixture  # noqa: E402
from _peers import CACHE  # noqa: E402
from _peers import ensure_venv  # noqa: E402
from _peers import version_of  # noqa: E402
from _pgserver import LocalPostgres  # noqa: E402

WORDS = [f"w{i}" for i in range(400)]
SERVER_SETTINGS = (
    "-c shared_buffers=1GB -c maintenance_work_mem=1GB -c max_parallel_maintenance_workers=2 "
    "-c work_mem=64MB -c effective_cache_size=4GB"
)
LLAMA_ADD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[2])
from _mixture import mixture
from llama_index.core.schema import TextNode
from llama_index.vector_stores.postgres import PGVectorStore
cfg = json.loads(sys.argv[1])
vectors = mixture(cfg["n"], cfg["dim"], cfg["clusters"], cfg["seed"])
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

LLAMA_QUERY = r"""
import json, statistics, sys, time
import numpy as np
from llama_index.core.vector_stores.types import VectorStoreQuery
from llama_index.vector_stores.postgres import PGVectorStore
cfg = json.loads(sys.argv[1])
queries = np.load(cfg["queries"])
store = PGVectorStore.from_params(host=cfg["host"], port=str(cfg["port"]), database="postgres", user="postgres",
                                  password=cfg["password"], table_name="llama_bench", embed_dim=cfg["dim"],
                                  hnsw_kwargs={"hnsw_m": cfg["m"], "hnsw_ef_construction": cfg["efc"],
                                               "hnsw_ef_search": cfg["ef_search"],
                                               "hnsw_dist_method": "vector_cosine_ops"})
for q in queries[:3]:
    store.query(VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=10))
times, ids = [], []
for q in queries:
    t = time.perf_counter()
    result = store.query(VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=10))
    times.append(time.perf_counter() - t)
    ids.append(result.ids)
print(json.dumps({"p50_ms": statistics.median(times) * 1000, "ids": ids}))
"""


def _nodes(vectors: np.ndarray) -> list[Any]:
    from dovetail.core.schema import TextNode

    return [
        TextNode(
            id_=f"n{i}",
            text=" ".join(WORDS[(i * k) % 400] for k in (1, 7, 13)),
            metadata={"group": i % 10, "i": i},
            embedding=vectors[i].tolist(),
        )
        for i in range(len(vectors))
    ]


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


def _sql(server: LocalPostgres, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(server.dsn, autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def _server_ms(server: LocalPostgres, table: str, queries: np.ndarray, ef_search: int) -> float:
    """p50 of the server's own execution time (EXPLAIN ANALYZE) for the store's dense statement."""
    import psycopg
    from pgvector.psycopg import register_vector

    times = []
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        register_vector(conn)
        conn.execute("SELECT set_config('hnsw.ef_search', %s, false)", [str(ef_search)])
        for q in queries[:50]:
            plan = conn.execute(
                f"EXPLAIN (ANALYZE, FORMAT JSON) SELECT id, text, metadata, node, embedding <=> %b AS score "
                f"FROM {table} ORDER BY score LIMIT 10",
                [q],
            ).fetchone()[0][0]
            times.append(plan["Execution Time"] + plan["Planning Time"])
    return statistics.median(times)


def _query_table(server: LocalPostgres, vectors: np.ndarray, args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The indexed ``dt_hybrid`` table (loaded and indexed once; reused while its recorded shape matches)."""
    shape = {"n": args.n, "dim": args.dim, "seed": args.seed, "clusters": args.clusters, "index": "defaults"}
    marker = server.root / "dt_hybrid.json"
    out: dict[str, Any] = {}
    cached = marker.exists() and json.loads(marker.read_text()) == shape and not args.rebuild
    if not cached:
        _sql(server, "DROP TABLE IF EXISTS dt_hybrid")
        marker.unlink(missing_ok=True)
        nodes = _nodes(vectors)
        start = time.perf_counter()
        loader = _store(server, "dt_hybrid", hybrid_search=True)
        loader.add(nodes)
        loader.close()
        out["hybrid_table_add_s"] = time.perf_counter() - start
        del nodes
    start = time.perf_counter()
    store = _store(server, "dt_hybrid", hybrid_search=True, hnsw_kwargs={})
    store.get_nodes(node_ids=[])  # first use builds the missing HNSW index (after the bulk load)
    if not cached:
        out["hnsw_build_s"] = time.perf_counter() - start
        _sql(server, "VACUUM ANALYZE dt_hybrid")
        marker.write_text(json.dumps(shape))
    out["query_table_cached"] = cached
    return store, out


def _queries(
    store: Any, exact_store: Any, server: LocalPostgres, vectors: np.ndarray, args: argparse.Namespace
) -> dict[str, Any]:
    """Latency and quality of dense, filtered and hybrid top-10 queries on the loaded, indexed table."""
    from dovetail.core.vector_stores import MetadataFilters
    from dovetail.core.vector_stores import VectorStoreQuery
    from dovetail.core.vector_stores import VectorStoreQueryMode
    from dovetail.vector_stores.postgres._config import DEFAULT_EF_SEARCH

    # Same centroids, fresh points: regenerate the stream with more rows and take the tail as held-out queries.
    queries = mixture(args.n + args.queries, args.dim, args.clusters, args.seed)[args.n :]
    group_ids = np.flatnonzero(np.arange(args.n) % 10 == 3)
    group = vectors[group_ids]
    exact = [[f"n{i}" for i in np.argsort(-(vectors @ q))[:10]] for q in queries]
    only3 = MetadataFilters.from_dicts([{"key": "group", "value": 3}])

    def dense(q: np.ndarray, **kw: Any) -> Any:
        return store.query(VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=10), **kw)

    # Warm the server's caches (a restarted cached server starts cold) and the prepared statements.
    _sql(server, "SELECT count(*) FROM dt_hybrid WHERE metadata @> '{\"group\": 3}'")
    for q in mixture(400, args.dim, args.clusters, args.seed + 99):
        dense(q, hnsw_ef_search=200)
    for q in queries[:10]:
        dense(q)
        store.query(VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=10, filters=only3))
        exact_store.query(VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=10, filters=only3))
    # Each kind of query runs in its own loop (as the peer's are), two rounds so load drift hits every kind.
    dense_t, filtered_t, exact_t, hybrid_t, recalls, filtered_recall, exact_ok = [], [], [], [], [], [], 0
    exact_groups = [[f"n{group_ids[i]}" for i in np.argsort(-(group @ q))[:10]] for q in queries]
    filtered_queries = [
        VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=10, filters=only3) for q in queries
    ]
    hybrid_queries = [
        VectorStoreQuery(
            query_embedding=q.tolist(),
            query_str=" ".join(WORDS[(int(exact[index][0][1:]) * k) % 400] for k in (1, 7)),
            mode=VectorStoreQueryMode.HYBRID,
            similarity_top_k=10,
        )
        for index, q in enumerate(queries)
    ]
    for _ in range(2):
        for index, q in enumerate(queries):
            t = time.perf_counter()
            result = dense(q)
            dense_t.append(time.perf_counter() - t)
            recalls.append(len(set(exact[index]) & set(result.ids or [])) / 10)
        for index, query in enumerate(filtered_queries):
            t = time.perf_counter()
            filtered = store.query(query)
            filtered_t.append(time.perf_counter() - t)
            filtered_recall.append(len(set(exact_groups[index]) & set(filtered.ids or [])) / 10)
        for query in hybrid_queries:
            t = time.perf_counter()
            store.query(query)
            hybrid_t.append(time.perf_counter() - t)
    for index, query in enumerate(filtered_queries):
        t = time.perf_counter()
        exact_filtered = exact_store.query(query)
        exact_t.append(time.perf_counter() - t)
        exact_ok += exact_filtered.ids == exact_groups[index]
    curve = {}
    for ef in args.ef_search:
        times, hits = [], []
        for index, q in enumerate(queries):
            t = time.perf_counter()
            result = dense(q, hnsw_ef_search=ef)
            times.append(time.perf_counter() - t)
            hits.append(len(set(exact[index]) & set(result.ids or [])) / 10)
        curve[str(ef)] = {"recall_at_10": float(np.mean(hits)), "p50_ms": _p50(times)}
    server_ms = _server_ms(server, "dt_hybrid", queries, DEFAULT_EF_SEARCH)
    return dict(
        default_ef_search=DEFAULT_EF_SEARCH,
        dense_p50_ms=_p50(dense_t),
        dense_p90_ms=statistics.quantiles(dense_t, n=10)[-1] * 1000,
        dense_server_p50_ms=server_ms,
        recall_at_10=float(np.mean(recalls)),
        ef_search_curve=curve,
        filtered_p50_ms=_p50(filtered_t),
        filtered_recall_at_10=float(np.mean(filtered_recall)),
        filtered_over_dense=_p50(filtered_t) / _p50(dense_t),
        filtered_exact_p50_ms=_p50(exact_t),
        filtered_exact_correct_fraction=exact_ok / len(queries),
        filtered_exact_over_dense=_p50(exact_t) / _p50(dense_t),
        hybrid_p50_ms=_p50(hybrid_t),
        hybrid_over_dense=_p50(hybrid_t) / _p50(dense_t),
        exact_ids=exact,
        queries=queries,
    )


def _peer_queries(
    python: Path, server: LocalPostgres, found: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    """llama-index's query p50 and recall on its own table, the same HNSW index built after its load."""
    from dovetail.vector_stores.postgres._config import DEFAULT_EF_CONSTRUCTION
    from dovetail.vector_stores.postgres._config import DEFAULT_EF_SEARCH
    from dovetail.vector_stores.postgres._config import DEFAULT_M

    out: dict[str, Any] = {}
    start = time.perf_counter()
    _sql(
        server,
        f"CREATE INDEX IF NOT EXISTS data_llama_bench_embedding_idx ON data_llama_bench USING hnsw (embedding vector_cosine_ops) "
        f"WITH (m = {DEFAULT_M}, ef_construction = {DEFAULT_EF_CONSTRUCTION})",
    )
    out["llama_hnsw_build_s"] = time.perf_counter() - start
    path = CACHE / "pg-bench-queries.npy"
    np.save(path, found["queries"])
    cfg = {"host": server.host, "port": server.port, "password": server.password, "dim": args.dim,
           "queries": str(path), "m": DEFAULT_M, "efc": DEFAULT_EF_CONSTRUCTION, "ef_search": DEFAULT_EF_SEARCH}  # fmt: skip
    run = subprocess.run([str(python), "-c", LLAMA_QUERY, json.dumps(cfg)], capture_output=True, text=True, check=True)
    peer = json.loads(run.stdout.strip().splitlines()[-1])
    out["llama_dense_p50_ms"] = peer["p50_ms"]
    out["llama_recall_at_10"] = float(
        np.mean([len(set(e) & set(ids)) / 10 for e, ids in zip(found["exact_ids"], peer["ids"], strict=True)])
    )
    out["dense_speedup_vs_llama"] = peer["p50_ms"] / found["dense_p50_ms"]
    return out


def _upserts(
    server: LocalPostgres, vectors: np.ndarray, python: Path | None, args: argparse.Namespace
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nodes = _nodes(vectors)
    copy = _store(server, "dt_copy", upsert_method="copy")
    many = _store(server, "dt_many", upsert_method="executemany")
    times: dict[str, list[float]] = {"copy": [], "executemany": []}
    for round_ in range(args.rounds):
        order = [("copy", copy), ("executemany", many)]
        for name, store in order if round_ % 2 == 0 else order[::-1]:
            times[name].append(_timed_add(store, nodes))
    out["dovetail_copy_s"] = statistics.median(times["copy"])
    out["dovetail_executemany_s"] = statistics.median(times["executemany"])
    copy.close()
    many.close()
    _sql(server, "DROP TABLE IF EXISTS dt_copy, dt_many")
    if python is not None:
        cfg = {"seed": args.seed, "n": args.n, "dim": args.dim, "clusters": args.clusters, "host": server.host,
               "port": server.port, "password": server.password}  # fmt: skip
        _sql(server, "DROP TABLE IF EXISTS data_llama_bench")
        run = subprocess.run(
            [str(python), "-c", LLAMA_ADD, json.dumps(cfg), str(BENCH)], capture_output=True, text=True, check=True
        )
        out["llama_index_add_s"] = json.loads(run.stdout.strip().splitlines()[-1])["seconds"]
        out["upsert_speedup_copy"] = out["llama_index_add_s"] / out["dovetail_copy_s"]
        out["upsert_speedup_executemany"] = out["llama_index_add_s"] / out["dovetail_executemany_s"]
    return out


def _load() -> float:
    return os.getloadavg()[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--clusters", type=int, default=300)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ef-search", type=int, nargs="*", default=[40, 64, 80, 100, 200], help="recall/latency curve")
    parser.add_argument("--rounds", type=int, default=1, help="COPY/executemany rounds, alternating order (median)")
    parser.add_argument("--skip-upserts", action="store_true", help="only the query part")
    parser.add_argument("--skip-peer", action="store_true", help="do not run llama-index")
    parser.add_argument("--peer-queries", action="store_true", help="also time llama-index's query (needs its add)")
    parser.add_argument("--rebuild", action="store_true", help="reload and re-index the cached query table")
    args = parser.parse_args()
    python = None
    if not args.skip_peer:
        python = ensure_venv(
            "llamaindex-postgres", ["llama-index-vector-stores-postgres>=0.5"], "llama_index.vector_stores.postgres"
        )
    server = LocalPostgres(root=CACHE / "pg-bench", settings=SERVER_SETTINGS)
    server.start()
    out: dict[str, Any] = {"n": args.n, "dim": args.dim, "clusters": args.clusters, "load_start": _load()}
    if python is not None:
        out["llama_index_vector_stores_postgres"] = version_of(python, "llama-index-vector-stores-postgres")
    try:
        vectors = mixture(args.n, args.dim, args.clusters, args.seed)
        if not args.skip_upserts:
            out.update(_upserts(server, vectors, python, args))
            print(json.dumps(out), flush=True)
        store, built = _query_table(server, vectors, args)
        out.update(built)
        exact_store = _store(server, "dt_hybrid", hybrid_search=True, hnsw_kwargs={}, filtered_search="exact")
        found = _queries(store, exact_store, server, vectors, args)
        out["pgvector"] = _sql(server, "SELECT extversion FROM pg_extension WHERE extname = 'vector'")[0][0]
        store.close()
        exact_store.close()
        if args.peer_queries and python is not None and not args.skip_upserts:
            out.update(_peer_queries(python, server, found, args))
        _sql(server, "DROP TABLE IF EXISTS data_llama_bench")
        out.update({k: v for k, v in found.items() if k not in ("exact_ids", "queries")})
    finally:
        server.stop()
    out["load_end"] = _load()
    print(json.dumps(out, indent=2))
    (BENCH / "results" / "postgres.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
