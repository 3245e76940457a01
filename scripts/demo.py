"""``make demo``: index the bundled woodworking corpus and answer two questions, offline.

Runs the same flow as ``dovetail ingest scripts/demo_corpus`` + ``dovetail query "..."``: documents are read,
split, embedded with the local ONNX embedder (no network) and stored in a temporary index; the answers are
extractive — the best-matching sentences of the retrieved chunks, each cited as ``[n]``.

Usage: ``python scripts/demo.py [--index DIR] [QUESTION ...]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "demo_corpus"
QUESTIONS = (
    "Why are dovetails used for drawers?",
    "How does a drawbore peg strengthen a mortise and tenon?",
)


def main(argv: list[str] | None = None) -> int:
    """Ingest the corpus, ask the questions, print answers with sources."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", nargs="*", help="questions to ask (default: two built-in ones)")
    parser.add_argument("--index", help="keep the index in this directory (default: a temporary one)")
    args = parser.parse_args(argv)

    from dovetail.core import Settings
    from dovetail.core import StorageContext
    from dovetail.core import VectorStoreIndex
    from dovetail.core import load_index_from_storage
    from dovetail.core.errors import DovetailError
    from dovetail.core.readers import SimpleDirectoryReader

    with tempfile.TemporaryDirectory(prefix="dovetail-demo-") as scratch:
        index_dir = Path(args.index or scratch) / "index"
        try:
            started = time.perf_counter()
            documents = SimpleDirectoryReader(CORPUS).load_data()
            index = VectorStoreIndex.from_documents(documents)  # Settings.embed_model: the local ONNX embedder
            index.storage_context.persist(index_dir)
            model = Settings.embed_model.model_name
            print(
                f"Indexed {len(documents)} documents from {CORPUS.name}/ with {model} "
                f"in {time.perf_counter() - started:.1f}s -> {index_dir}\n"
            )

            # Reload from disk, as `dovetail query` does, and ask.
            index = load_index_from_storage(StorageContext.from_defaults(persist_dir=index_dir))
            engine = index.as_query_engine(similarity_top_k=3)  # no LLM configured: extractive answers
            for question in args.questions or QUESTIONS:
                response = engine.query(question)
                print(f"Q: {question}\nA: {response}\n")
                for rank, hit in enumerate(response.source_nodes, 1):
                    print(f"   [{rank}] {hit.node.metadata.get('file_name')} (score {hit.get_score():.3f})")
                print()
        except DovetailError as exc:
            print(f"demo failed: {exc}", file=sys.stderr)
            return 1
    print('Same flow from the shell: dovetail ingest scripts/demo_corpus && dovetail query "..."')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
