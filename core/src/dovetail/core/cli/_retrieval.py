"""Retrieval modes of the CLI: dense (the vector index), BM25 (keywords) and hybrid (both, fused by rank).

BM25 comes from the optional ``dovetail-retrievers-bm25`` package. ``dovetail ingest`` keeps a BM25 index in
``<index>/bm25/`` in step with the vector index: after every run it compares the stored nodes' ids and hashes with
those the BM25 index was built from and rebuilds it when they differ (re-ingested or pruned files included).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

from dovetail.core.cli._errors import EXIT_USAGE
from dovetail.core.cli._errors import CLIError

__all__ = ["BM25_DIR", "MODES", "bm25_installed", "candidate_depth", "make_retriever", "sync_bm25"]

MODES = ("dense", "bm25", "hybrid")
BM25_DIR = "bm25"
_STAMP = "source.json"
_INSTALL = "pip install dovetail-retrievers-bm25"


def bm25_installed() -> bool:
    """Whether the BM25 package is importable."""
    try:
        return importlib.util.find_spec("dovetail.retrievers.bm25") is not None
    except ModuleNotFoundError:
        return False


def _index_nodes(index: Any) -> list[Any]:
    docstore = index.docstore
    ids = docstore.node_ids()
    if ids:
        return list(docstore.get_nodes(ids))
    return list(index.vector_store.get_nodes())


def _stamp(nodes: list[Any]) -> str:
    digest = hashlib.sha256()
    for node in sorted(nodes, key=lambda n: n.node_id):
        digest.update(f"{node.node_id}\x1f{node.hash}\x1e".encode())
    return digest.hexdigest()


def sync_bm25(index: Any, index_dir: Path) -> bool:
    """Rebuild ``<index_dir>/bm25`` when the index's nodes differ from those it was built from.

    Returns whether it was rebuilt. Does nothing when the BM25 package is not installed.
    """
    if not bm25_installed():
        return False
    from dovetail.retrievers.bm25 import BM25Retriever

    nodes = _index_nodes(index)
    stamp = _stamp(nodes)
    folder = index_dir / BM25_DIR
    stamp_file = index_dir / f"{BM25_DIR}.{_STAMP}"
    try:
        if json.loads(stamp_file.read_text(encoding="utf-8")).get("nodes") == stamp and folder.is_dir():
            return False
    except (OSError, ValueError, AttributeError):
        pass
    BM25Retriever(nodes=nodes).persist(folder)
    stamp_file.write_text(json.dumps({"nodes": stamp, "count": len(nodes)}), encoding="utf-8")
    return True


def _bm25(index_dir: Path, top_k: int) -> Any:
    if not bm25_installed():
        msg = f"--mode bm25 and hybrid need the BM25 retriever: {_INSTALL}, then run dovetail ingest again"
        raise CLIError(msg, EXIT_USAGE)
    from dovetail.retrievers.bm25 import BM25Retriever

    folder = index_dir / BM25_DIR
    if not folder.is_dir():
        msg = f"{index_dir} has no BM25 index yet; run dovetail ingest PATH --index {index_dir} to build it"
        raise CLIError(msg, EXIT_USAGE)
    return BM25Retriever.from_persist_dir(folder, similarity_top_k=top_k)


def candidate_depth(top_k: int) -> int:
    """How many chunks each side of a hybrid search proposes for ``top_k`` results."""
    return max(4 * top_k, 20)


def make_retriever(index: Any, index_dir: Path, mode: str, top_k: int, candidates: int | None = None) -> Any:
    """The retriever for ``mode``: the index's own, the BM25 one, or both fused by reciprocal rank.

    In hybrid mode each side proposes ``candidates`` chunks (default :func:`candidate_depth`), and the ``top_k``
    best of the fused ranking are returned.
    """
    if mode == "dense":
        return index.as_retriever(similarity_top_k=top_k)
    bm25 = _bm25(index_dir, top_k)
    if mode == "bm25":
        return bm25
    from dovetail.core.retrievers import QueryFusionRetriever

    depth = candidates or candidate_depth(top_k)  # fusion reorders candidates beyond each side's top_k
    bm25.similarity_top_k = depth
    return QueryFusionRetriever(
        [index.as_retriever(similarity_top_k=depth), bm25],
        mode="reciprocal_rerank",
        similarity_top_k=top_k,  # the two sides run in threads: numpy and bm25s release the GIL
    )
