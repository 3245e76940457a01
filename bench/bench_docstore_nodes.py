"""What keeping the nodes in ``index.docstore`` (LlamaIndex's behaviour) costs ``VectorStoreIndex`` in one run.

Builds the same index with and without the docstore copy of the nodes, rounds interleaved, with
``MockEmbedding`` (so the docstore's share is not hidden behind model time), then persists it:

* ``with nodes`` — the default since nodes are kept in the docstore with ``SimpleVectorStore``;
* ``ledger only`` — the docstore records document → node ids and hashes only (the behaviour before), obtained by
  switching ``VectorStoreIndex.stores_nodes`` off for the run.

Usage: ``.venv/bin/python bench/bench_docstore_nodes.py [--docs 2000] [--rounds 3]``. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from dovetail.core.embeddings import MockEmbedding
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import Document


def _documents(count: int) -> list[Document]:
    return [
        Document(id_=f"doc{i}", text=" ".join(f"Joint {i}.{j} is glued and clamped for an hour." for j in range(40)))
        for i in range(count)
    ]


def _one(documents: list[Document], keep_nodes: bool) -> tuple[float, float, int, int]:
    original = VectorStoreIndex.stores_nodes
    if not keep_nodes:  # the behaviour before: the docstore is only the ledger
        VectorStoreIndex.stores_nodes = property(lambda self: False)  # type: ignore[assignment,method-assign]
    try:
        started = time.perf_counter()
        index = VectorStoreIndex.from_documents(
            documents,
            embed_model=MockEmbedding(embed_dim=64),
            transformations=[SentenceSplitter(chunk_size=64, chunk_overlap=0)],
        )
        build = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            index.storage_context.persist(folder)
            persist = time.perf_counter() - started
            size = sum(path.stat().st_size for path in Path(folder).iterdir() if path.is_file())
    finally:
        VectorStoreIndex.stores_nodes = original  # type: ignore[method-assign]
    return build, persist, size, len(index.docstore.node_ids())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    documents = _documents(args.docs)
    results: dict[bool, list[tuple[float, float, int, int]]] = {True: [], False: []}
    for _ in range(args.rounds):
        for keep in (False, True):
            results[keep].append(_one(documents, keep))
    print(f"{args.docs} documents, load average {os.getloadavg()[0]:.1f}; medians of {args.rounds} rounds\n")
    print("| docstore | build | persist | files on disk | nodes in docstore |")
    print("|---|---|---|---|---|")
    for keep, label in ((False, "ledger only"), (True, "with nodes")):
        runs = results[keep]
        build = statistics.median(run[0] for run in runs)
        persist = statistics.median(run[1] for run in runs)
        print(f"| {label} | {build:.2f} s | {persist:.2f} s | {runs[0][2] / 1e6:.1f} MB | {runs[0][3]} |")
    ratio = {k: statistics.median(r[0] for r in results[k]) for k in results}
    print(f"\nbuild ratio with/without: {ratio[True] / ratio[False]:.2f}")


if __name__ == "__main__":
    main()
