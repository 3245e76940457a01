"""SimpleVectorStore vs bare numpy and vs llama-index-core's SimpleVectorStore, 100,000 x 384 float32, top-10 cosine.

Measured in one run on the same vectors and queries:

- query: median time of ``SimpleVectorStore.query`` vs numpy ``matmul`` + ``argpartition`` on a pre-normalised
  matrix (target <= 1.5x), and vs llama-index-core's ``SimpleVectorStore.query`` (target >= 100x faster);
- filtered query (a metadata filter selecting 10 % of rows) vs numpy on the pre-selected rows (target <= 2x): the
  repeated filter (answered from the store's filter cache) and, separately, the first query of a filter (which
  evaluates it, gathers the rows and fills the cache; timed with the cache emptied before each run);
- add of 100,000 nodes whose embeddings are Python lists (target <= 1 s), vs llama-index-core's add;
- peak RSS (``VmHWM``) of a process that builds a store in batches of 2,048 nodes and queries it vs one that fills a
  pre-allocated numpy matrix from the same batches (target <= 1.4x), each in its own subprocess
  (read from ``/proc/self/status``: ``resource.getrusage``'s ``ru_maxrss`` keeps the forking parent's peak); and
  the same pair again after two filtered queries, with numpy holding its pre-selected rows as the store holds its
  cached selection.

BLAS runs single-threaded (``OPENBLAS_NUM_THREADS`` etc. default to 1; set them to override) for numpy and dovetail
alike: with two OpenBLAS threads on the shared 2-core VM every matrix-vector product, 0.4 ms or 5.6 ms, measured
about 8 ms (apparently a scheduler slice waiting for the second thread), which turned every ratio into 1.0.

llama-index-core runs in ``bench/.venv-llamaindex`` (created with uv, shared with the other bench scripts).
Usage: ``.venv/bin/python bench/bench_vector_store.py`` (``--no-peer`` skips llama-index-core).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

# Before numpy loads BLAS; the subprocesses inherit them.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _peers import ensure_venv
from _peers import version_of

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
PEER_REQUIREMENT = "llama-index-core>=0.12,<0.15"
N, DIM, TOP_K, N_QUERIES, GROUPS = 100_000, 384, 10, 30, 10
VECTORS = CACHE / "vector_store_100k_384.npy"
QUERIES = CACHE / "vector_store_queries.npy"


def make_data() -> None:
    """Deterministic vectors and queries, written once to the git-ignored cache."""
    CACHE.mkdir(exist_ok=True)
    if not VECTORS.exists():
        rng = np.random.default_rng(0)
        np.save(VECTORS, rng.standard_normal((N, DIM), dtype=np.float32))
    if not QUERIES.exists():
        np.save(QUERIES, np.random.default_rng(1).standard_normal((N_QUERIES, DIM), dtype=np.float32))


def median_time(fn: Any, repeats: int, setup: Any = None) -> float:
    times = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def numpy_top_k(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    scores = matrix @ (query / np.linalg.norm(query))
    part = np.argpartition(-scores, TOP_K - 1)[:TOP_K]
    return part[np.argsort(-scores[part])]


def dovetail_speed() -> dict[str, Any]:
    from dovetail.core.schema import TextNode
    from dovetail.core.vector_stores import MetadataFilters
    from dovetail.core.vector_stores import SimpleVectorStore
    from dovetail.core.vector_stores import VectorStoreQuery

    vectors, queries = np.load(VECTORS), np.load(QUERIES)
    lists = vectors.tolist()
    nodes = [
        TextNode(id_=f"n{i}", text=f"node {i}", embedding=lists[i], metadata={"group": i % GROUPS}) for i in range(N)
    ]
    del lists

    add_times, store = [], SimpleVectorStore()
    for _ in range(3):
        store = SimpleVectorStore()
        start = time.perf_counter()
        store.add(nodes)
        add_times.append(time.perf_counter() - start)
    embeddings = [n.embedding for n in nodes]
    del nodes
    conversion = median_time(functools.partial(np.array, embeddings, dtype=np.float32), 3)
    del embeddings

    normalised = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    group = np.arange(N) % GROUPS
    selected = normalised[group == 3]
    selected_ids = np.flatnonzero(group == 3)
    filters = MetadataFilters.from_dicts([{"key": "group", "value": 3}])
    plain = [VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=TOP_K) for q in queries]
    filtered = [VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=TOP_K, filters=filters) for q in queries]

    # The first query of a filter fills the store's filter cache; emptying it (private, bench only) before each
    # timed run measures that first query again and again.
    empty_cache = store._selections.clear
    # Interleave ours and numpy's per query so machine noise hits both alike.
    ours, base, ours_f, ours_f_first, base_f, base_f_mask = [], [], [], [], [], []
    for i, q in enumerate(queries):
        ours.append(median_time(lambda i=i: store.query(plain[i]), 5))
        base.append(median_time(lambda q=q: numpy_top_k(normalised, q), 5))
        ours_f_first.append(median_time(lambda i=i: store.query(filtered[i]), 5, setup=empty_cache))
        store.query(filtered[i])  # untimed: the filter is now cached, as in a stream of queries with one filter
        ours_f.append(median_time(lambda i=i: store.query(filtered[i]), 5))
        base_f.append(median_time(lambda q=q: numpy_top_k(selected, q), 5))
        base_f_mask.append(median_time(lambda q=q: numpy_top_k(normalised[group == 3], q), 5))
    agree = all(
        store.query(plain[i]).ids == [f"n{r}" for r in numpy_top_k(normalised, q).tolist()]
        for i, q in enumerate(queries[:5])
    )
    agree_f = all(
        store.query(filtered[i]).ids == [f"n{selected_ids[r]}" for r in numpy_top_k(selected, q).tolist()]
        for i, q in enumerate(queries[:5])
    )
    return {
        "add_s": statistics.median(add_times),
        "add_first_s": add_times[0],
        "numpy_conversion_s": conversion,
        "query_s": statistics.median(ours),
        "numpy_query_s": statistics.median(base),
        "filtered_query_s": statistics.median(ours_f),
        "first_filtered_query_s": statistics.median(ours_f_first),
        "filter_cache_mib": store._selections.nbytes / 2**20,
        "numpy_filtered_query_s": statistics.median(base_f),
        "numpy_mask_and_query_s": statistics.median(base_f_mask),
        "same_top_k_as_numpy": agree and agree_f,
        "top_k_ids": [store.query(plain[i]).ids for i in range(3)],
    }


# Runs in llama-index-core's venv.
PEER = textwrap.dedent(
    """
    import json, statistics, sys, time
    import numpy as np
    from llama_index.core.schema import TextNode
    from llama_index.core.vector_stores import SimpleVectorStore
    from llama_index.core.vector_stores.types import MetadataFilters, MetadataFilter, VectorStoreQuery

    vectors_path, queries_path, top_k, groups = json.loads(sys.argv[1])
    vectors, queries = np.load(vectors_path), np.load(queries_path)
    lists = vectors.tolist()
    nodes = [TextNode(id_=f"n{i}", text=f"node {i}", embedding=lists[i], metadata={"group": i % groups})
             for i in range(len(lists))]
    del lists
    store = SimpleVectorStore()
    start = time.perf_counter(); store.add(nodes); add_s = time.perf_counter() - start
    del nodes
    filters = MetadataFilters(filters=[MetadataFilter(key="group", value=3)])
    times, times_f, ids = [], [], []
    for q in queries[:3]:
        start = time.perf_counter()
        result = store.query(VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=top_k))
        times.append(time.perf_counter() - start)
        ids.append(result.ids)
        start = time.perf_counter()
        store.query(VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=top_k, filters=filters))
        times_f.append(time.perf_counter() - start)
    print(json.dumps({"add_s": add_s, "query_s": statistics.median(times), "filtered_query_s": statistics.median(times_f),
                      "top_k_ids": ids}))
    """
)

# Peak RSS: both processes receive the same 2,048-row batches as Python lists (what an embedding model returns).
RSS = textwrap.dedent(
    """
    import json, resource, sys
    import numpy as np

    flavour, n, dim, batch, groups = json.loads(sys.argv[1])
    rng = np.random.default_rng(0)
    query = rng.standard_normal(dim).astype(np.float32)

    def batches():
        for start in range(0, n, batch):
            count = min(batch, n - start)
            yield start, rng.standard_normal((count, dim), dtype=np.float32).tolist()

    if flavour.startswith("numpy"):
        matrix = np.empty((n, dim), dtype=np.float32)
        for start, rows in batches():
            matrix[start:start + len(rows)] = rows
        matrix /= np.sqrt(np.einsum("ij,ij->i", matrix, matrix))[:, None]
        scores = matrix @ query
        top = np.argpartition(-scores, 9)[:10]
        if flavour == "numpy-filtered":  # keeps its pre-selected rows, as the store keeps its cached selection
            selected = matrix[np.arange(n) % groups == 3]
            for _ in range(2):
                top = np.argpartition(-(selected @ query), 9)[:10]
    else:
        from dovetail.core.schema import TextNode
        from dovetail.core.vector_stores import MetadataFilters, SimpleVectorStore, VectorStoreQuery
        store = SimpleVectorStore()
        for start, rows in batches():
            store.add([TextNode(id_=f"n{start + i}", text=f"node {start + i}", embedding=row,
                                metadata={"group": (start + i) % groups}) for i, row in enumerate(rows)])
        store.query(VectorStoreQuery(query_embedding=query.tolist(), similarity_top_k=10))
        if flavour == "dovetail-filtered":
            filters = MetadataFilters.from_dicts([{"key": "group", "value": 3}])
            for _ in range(2):
                store.query(VectorStoreQuery(query_embedding=query.tolist(), similarity_top_k=10, filters=filters))
    # VmHWM (peak resident set of this process image); ru_maxrss would include the forking parent's peak.
    with open("/proc/self/status") as status:
        hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"maxrss_kib": hwm, "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    """
)


def peak_rss(flavour: str) -> int:
    args = json.dumps([flavour, N, DIM, 2048, GROUPS])
    out = subprocess.run([sys.executable, "-c", RSS, args], capture_output=True, text=True, check=True).stdout
    return int(json.loads(out.strip().splitlines()[-1])["maxrss_kib"])


def run_peer() -> dict[str, Any]:
    python = ensure_venv("llamaindex", [PEER_REQUIREMENT], "llama_index.core")
    args = json.dumps([str(VECTORS), str(QUERIES), TOP_K, GROUPS])
    out = subprocess.run([str(python), "-c", PEER, args], capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["version"] = version_of(python, "llama-index-core")
    return result


Row = tuple[str, float, str, float | None, str]  # name, value, target text, limit, "le" or "ge"


def _row(name: str, value: float, limit: float | None = None, *, at_least: bool = False, unit: str = "") -> Row:
    """A figure and its target: at most (or ``at_least``) ``limit``; no limit: reported only (target ``-``)."""
    direction = "ge" if at_least else "le"
    target = "-" if limit is None else f"{'>=' if at_least else '<='} {limit:g}{unit}"
    return name, value, target, limit, direction


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-peer", action="store_true", help="skip the llama-index-core comparison")
    options = parser.parse_args()
    make_data()
    rss_numpy, rss_ours = peak_rss("numpy"), peak_rss("dovetail")  # first, while this process is still small
    rss_numpy_f, rss_ours_f = peak_rss("numpy-filtered"), peak_rss("dovetail-filtered")
    ours = dovetail_speed()
    peer = None if options.no_peer else run_peer()

    rows = [
        _row("query / numpy matmul+argpartition", ours["query_s"] / ours["numpy_query_s"], 1.5),
        _row(
            "filtered query (10 %) / numpy on pre-selected rows",
            ours["filtered_query_s"] / ours["numpy_filtered_query_s"],
            2.0,
        ),
        _row(
            "filtered query (10 %) / numpy mask+gather+matmul",
            ours["filtered_query_s"] / ours["numpy_mask_and_query_s"],
        ),
        _row(
            "first query of a filter / numpy on pre-selected rows",
            ours["first_filtered_query_s"] / ours["numpy_filtered_query_s"],
        ),
        _row(
            "first query of a filter / numpy mask+gather+matmul",
            ours["first_filtered_query_s"] / ours["numpy_mask_and_query_s"],
        ),
        _row("add 100k nodes, seconds (median of 3)", ours["add_s"], 1.0, unit=" s"),
        _row("add / np.array(list of lists) alone", ours["add_s"] / ours["numpy_conversion_s"]),
        _row("peak RSS / numpy", rss_ours / rss_numpy, 1.4),
        _row("peak RSS, filter cached / numpy holding selected rows", rss_ours_f / rss_numpy_f),
    ]
    if peer is not None:
        rows += [
            _row(
                f"llama-index-core {peer['version']} query / dovetail query",
                peer["query_s"] / ours["query_s"],
                100.0,
                at_least=True,
            ),
            _row(
                "llama-index-core filtered query / dovetail filtered query",
                peer["filtered_query_s"] / ours["filtered_query_s"],
            ),
            _row("llama-index-core add / dovetail add", peer["add_s"] / ours["add_s"]),
        ]
    threads = os.environ["OPENBLAS_NUM_THREADS"]
    print(f"SimpleVectorStore, {N:,} x {DIM} float32, top-{TOP_K} cosine, {N_QUERIES} queries (median)")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; OPENBLAS_NUM_THREADS={threads}")
    print(
        f"absolute: query {ours['query_s'] * 1e3:.2f} ms, numpy {ours['numpy_query_s'] * 1e3:.2f} ms; "
        f"filtered {ours['filtered_query_s'] * 1e3:.2f} ms (first query of the filter "
        f"{ours['first_filtered_query_s'] * 1e3:.2f} ms), numpy pre-selected "
        f"{ours['numpy_filtered_query_s'] * 1e3:.2f} ms, numpy mask+gather {ours['numpy_mask_and_query_s'] * 1e3:.2f} ms; "
        f"filter cache {ours['filter_cache_mib']:.1f} MiB; "
        f"add {ours['add_s']:.2f} s (first {ours['add_first_s']:.2f} s), np.array {ours['numpy_conversion_s']:.2f} s; "
        f"peak RSS {rss_ours / 1024:.0f} MiB vs numpy {rss_numpy / 1024:.0f} MiB, after filtered queries "
        f"{rss_ours_f / 1024:.0f} MiB vs numpy {rss_numpy_f / 1024:.0f} MiB"
    )
    if peer is not None:
        print(
            f"llama-index-core: query {peer['query_s'] * 1e3:.0f} ms, filtered {peer['filtered_query_s'] * 1e3:.0f} ms, "
            f"add {peer['add_s']:.2f} s; same top-10 ids: {peer['top_k_ids'] == ours['top_k_ids']}"
        )
    print(f"same top-10 as numpy (plain and filtered): {ours['same_top_k_as_numpy']}")
    ok = ours["same_top_k_as_numpy"] and (peer is None or peer["top_k_ids"] == ours["top_k_ids"])
    for name, value, target, limit, direction in rows:
        met = (
            ""
            if limit is None
            else ("  ok" if (value <= limit if direction == "le" else value >= limit) else "  MISSED")
        )
        ok = ok and "MISSED" not in met
        print(f"  {name:55s} {value:9.2f}  target {target}{met}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
