"""``dovetail query`` on a persisted 100k-node index: wall time from process start to the printed answer.

Builds (once, cached under ``bench/.cache/query-cli-<spec>``) an index of 100,000 nodes — 1,000 documents of
100 chunks, 384-d unit vectors — persisted exactly as ``dovetail ingest`` persists it, then runs
``dovetail query "..." --index DIR`` as a fresh process several times and reports the median wall time.
Two embedders are measured: ``mock:384`` (isolates loading + retrieval + extractive synthesis) and the local
ONNX MiniLM (what users run; adds onnxruntime import and model load). A breakdown of the phases is measured
in-process. Target: load + first answer <= 1.5 s wall. Peer: llama-index-core (in ``bench/.venv-llamaindex``)
loads the same 100k nodes and vectors persisted its own way and answers with its MockLLM.

Usage: ``python bench/bench_query_cli.py [--nodes N] [--runs R] [--rebuild] [--no-peer]``
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
QUESTION = "How is the dovetail joint glued and clamped?"
WORDS = [
    "dovetail",
    "tenon",
    "mortise",
    "glue",
    "clamp",
    "chisel",
    "saw",
    "plane",
    "oak",
    "walnut",
    "cherry",
    "maple",
    "joint",
    "board",
    "drawer",
    "panel",
    "frame",
    "leg",
    "apron",
    "shoulder",
    "cheek",
    "pin",
    "tail",
    "grain",
    "humidity",
    "finish",
    "sanding",
    "router",
    "jig",
    "fence",
    "blade",
]


def _vectors(count: int, dim: int, seed: int) -> list[list[float]]:
    import numpy as np

    rng = np.random.default_rng(seed)
    block = rng.standard_normal((count, dim)).astype(np.float32)
    block /= np.linalg.norm(block, axis=1, keepdims=True)
    return block.tolist()  # type: ignore[no-any-return]


def build(index_dir: Path, nodes: int, spec: str) -> float:
    """Persist an index of ``nodes`` nodes at ``index_dir``; returns the build time."""
    from dovetail.core.schema import NodeRelationship
    from dovetail.core.schema import RelatedNodeInfo
    from dovetail.core.schema import TextNode
    from dovetail.core.storage import IndexStruct
    from dovetail.core.storage import StorageContext

    started = time.perf_counter()
    rng = random.Random(7)
    storage = StorageContext.from_defaults()
    per_doc = 100
    docs = max(1, nodes // per_doc)
    for first in range(0, docs, 100):
        batch = []
        vectors = _vectors(min(100, docs - first) * per_doc, 384, seed=first)
        for d in range(first, min(first + 100, docs)):
            doc_id = f"doc_{d:05d}.md"
            source = RelatedNodeInfo(node_id=doc_id)
            for c in range(per_doc):
                text = " ".join(rng.choice(WORDS) for _ in range(35)).capitalize() + "."
                batch.append(
                    TextNode(
                        id_=f"{doc_id}#{c}",
                        text=text,
                        metadata={"file_name": doc_id},
                        relationships={NodeRelationship.SOURCE: source},
                        embedding=vectors[(d - first) * per_doc + c],
                    )
                )
        storage.vector_store.add(batch)
        storage.docstore.add_documents(batch, store_text=False)
        storage.docstore.set_document_hashes({f"doc_{d:05d}.md": f"h{d}" for d in range(first, first + 100)})
    storage.index_store.add_index_struct(IndexStruct(index_id="bench", extra={"embed_model": {"spec": spec}}))
    storage.persist(index_dir)
    return time.perf_counter() - started


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_wall(index_dir: Path, runs: int) -> tuple[float, float, list[float], str]:
    """Median wall and CPU time of ``dovetail query`` as a fresh process (one warm-up run first).

    CPU time (user + system of the child) is reported too: on a shared machine it is the steadier figure.
    """
    exe = Path(sys.executable).with_name("dovetail")
    command = [str(exe), "query", QUESTION, "--index", str(index_dir)]
    subprocess.run(command, check=True, capture_output=True)  # warm the page cache
    times, cpus = [], []
    out = ""
    for _ in range(runs):
        cpu = _child_cpu()
        started = time.perf_counter()
        proc = subprocess.run(command, check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        cpus.append(_child_cpu() - cpu)
        out = proc.stdout
    return statistics.median(times), statistics.median(cpus), times, out


PHASES = r"""
import json, sys, time
t0 = time.perf_counter()
from dovetail.core.indices import load_index_from_storage
from dovetail.core.storage import StorageContext
t1 = time.perf_counter()
storage = StorageContext.from_defaults(persist_dir=sys.argv[1])
index = load_index_from_storage(storage)
t2 = time.perf_counter()
embedding = index.embed_model.get_query_embedding(sys.argv[2])
t3 = time.perf_counter()
engine = index.as_query_engine(similarity_top_k=3, llm="none")
from dovetail.core.schema import QueryBundle
response = engine.query(QueryBundle(query_str=sys.argv[2], embedding=embedding))
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "embed_query": t3 - t2, "retrieve_answer": t4 - t3}))
"""


def phases(index_dir: Path) -> dict[str, float]:
    """In-process breakdown (after interpreter start)."""
    proc = subprocess.run(
        [sys.executable, "-c", PHASES, str(index_dir), QUESTION], check=True, capture_output=True, text=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


PEER_BUILD = r"""
import json, sys
import numpy as np
from llama_index.core import Settings, StorageContext, VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

source, target = sys.argv[1], sys.argv[2]
document = json.loads(open(source + "/default__vector_store.json", encoding="utf-8").read())
vectors = np.load(source + "/default__vector_store.npy", allow_pickle=False)
nodes = []
for node, vector in zip(document["nodes"], vectors.tolist()):
    ref = node["relationships"]["1"]["node_id"]
    nodes.append(TextNode(id_=node["id_"], text=node["text"], metadata=node["metadata"], embedding=vector,
                          relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=ref)}))
Settings.embed_model = MockEmbedding(embed_dim=384)
index = VectorStoreIndex(nodes, storage_context=StorageContext.from_defaults())
index.storage_context.persist(target)
"""

PEER_QUERY = r"""
import sys
from llama_index.core import Settings, StorageContext, load_index_from_storage
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import MockLLM

Settings.embed_model = MockEmbedding(embed_dim=384)
Settings.llm = MockLLM()
index = load_index_from_storage(StorageContext.from_defaults(persist_dir=sys.argv[1]))
print(index.as_query_engine(similarity_top_k=3).query(sys.argv[2]).source_nodes[0].node_id)
"""


def peer(index_dir: Path, runs: int) -> tuple[str, float, float] | None:
    """llama-index-core: same nodes and vectors, persisted its way; load + first answer in a fresh process."""
    try:
        from _peers import ensure_venv  # type: ignore[import-not-found]
        from _peers import version_of  # type: ignore[import-not-found]

        python = ensure_venv("llamaindex", ["llama-index-core>=0.12,<0.15"], "llama_index.core")
    except Exception as exc:  # no network for the first install, no uv, ...
        print(f"  llama-index-core peer skipped: {exc}")
        return None
    peer_dir = index_dir.with_name(index_dir.name + "-llamaindex")
    if not (peer_dir / "docstore.json").is_file():
        print("  building the llama-index-core copy ... ", end="", flush=True)
        started = time.perf_counter()
        subprocess.run([str(python), "-c", PEER_BUILD, str(index_dir), str(peer_dir)], check=True)
        print(f"{time.perf_counter() - started:.1f}s")
    command = [str(python), "-c", PEER_QUERY, str(peer_dir), QUESTION]
    times, cpus = [], []
    for _ in range(runs):
        cpu = _child_cpu()
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
        cpus.append(_child_cpu() - cpu)
    return version_of(python, "llama-index-core"), statistics.median(times), statistics.median(cpus)


def startup() -> float:
    """Wall time of a bare ``python -c pass`` (the floor for any CLI)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached indices (after format changes)")
    parser.add_argument("--no-peer", action="store_true", help="skip the llama-index-core comparison")
    args = parser.parse_args()

    specs = ["mock:384"]
    if importlib.util.find_spec("dovetail.embeddings.onnx") is not None:
        specs.append("onnx:all-MiniLM-L6-v2")
    print(f"python startup: {startup():.3f}s   cores: {os.cpu_count()}")
    for spec in specs:
        index_dir = BENCH / ".cache" / f"query-cli-{spec.replace(':', '-')}-{args.nodes}"
        if args.rebuild and index_dir.exists():
            shutil.rmtree(index_dir)
        if not (index_dir / "index_store.json").is_file():
            print(f"building {args.nodes} nodes for {spec} ... ", end="", flush=True)
            print(f"{build(index_dir, args.nodes, spec):.1f}s")
        size = sum(p.stat().st_size for p in index_dir.iterdir()) / 1e6
        median, cpu, times, out = cli_wall(index_dir, args.runs)
        parts = phases(index_dir)
        verdict = "OK" if median <= 1.5 else "over target"
        print(
            f"\n[{spec}] index {size:.0f} MB; dovetail query wall: median {median:.3f}s, CPU {cpu:.3f}s "
            f"(runs {', '.join(f'{t:.2f}' for t in times)}) — target 1.5s: {verdict}; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print("  in-process phases: " + ", ".join(f"{k} {v:.3f}s" for k, v in parts.items()))
        print("  answer: " + out.splitlines()[0][:150])
        if spec.startswith("mock") and not args.no_peer:
            found = peer(index_dir, max(1, args.runs // 2))
            if found is not None:
                version, peer_wall, peer_cpu = found
                print(
                    f"  llama-index-core {version} load + first answer: wall {peer_wall:.3f}s, CPU {peer_cpu:.3f}s "
                    f"-> dovetail is {peer_wall / median:.1f}x (wall) / {peer_cpu / cpu:.1f}x (CPU) faster"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
