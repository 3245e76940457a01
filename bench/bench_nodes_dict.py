"""``index.index_struct.nodes_dict`` on a SimpleVectorStore: listing the store's ids against rebuilding every node.

Usage: ``.venv/bin/python bench/bench_nodes_dict.py`` (``--nodes``, ``--repeats``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import number_options
from dovetail.core import VectorStoreIndex
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.schema import TextNode


def main() -> None:
    args = number_options(__doc__ or "", nodes=50_000, repeats=5).parse_args()
    nodes = [
        TextNode(id_=f"n{i}", text=f"text {i}", embedding=[1.0, float(i % 7), 0.5, 2.0]) for i in range(args.nodes)
    ]
    index = VectorStoreIndex(nodes, embed_model=MockEmbedding(embed_dim=4))
    best_ids = best_nodes = float("inf")
    for _ in range(args.repeats):
        started = time.perf_counter()
        by_ids = index.index_struct.nodes_dict
        best_ids = min(best_ids, time.perf_counter() - started)
        started = time.perf_counter()
        by_nodes = {node.node_id: node.node_id for node in index.vector_store.get_nodes()}
        best_nodes = min(best_nodes, time.perf_counter() - started)
        assert by_ids == by_nodes
    print(
        f"| {args.nodes} nodes | nodes_dict (store ids) {best_ids * 1e3:.1f} ms | rebuilding nodes "
        f"{best_nodes * 1e3:.1f} ms | {best_ids / best_nodes:.3f}x |"
    )


if __name__ == "__main__":
    main()
