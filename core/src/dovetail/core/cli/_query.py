"""``dovetail query "question"``: answer from an index, with sources."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.cli._commands import add_command
from dovetail.core.cli._errors import EXIT_ERROR
from dovetail.core.cli._errors import EXIT_OK
from dovetail.core.cli._errors import CLIError
from dovetail.core.cli._index_options import add_index_options
from dovetail.core.cli._index_options import existing_index_dir
from dovetail.core.cli._retrieval import MODES
from dovetail.core.cli._retrieval import make_retriever

if TYPE_CHECKING:
    from concurrent.futures import Future
    from concurrent.futures import ThreadPoolExecutor

    from dovetail.core.storage import SimpleIndexStore

__all__ = ["add_parser", "run"]

_SUMMARY = "answer a question from an index, with sources"
_DESCRIPTION = """\
Answer a question from an index built with `dovetail ingest`. The question is embedded with the model recorded
in the index, the --top-k closest chunks are retrieved, and the answer is put together from them. A recorded
remote model (e.g. openai:...) is used only when you confirm it with --embed PROVIDER:MODEL or
[defaults] embed_model in dovetail.toml: an index from elsewhere cannot make dovetail send your questions out.

Without --llm the answer is extractive: the sentences of the retrieved chunks that best match the question,
each followed by [n], the number of its source. Nothing is sent anywhere. With --llm PROVIDER:MODEL (e.g.
openai:gpt-4o-mini, needs its package and API key) the model writes the answer from the same chunks.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``query``."""
    parser = add_command(subparsers, "query", _SUMMARY, _DESCRIPTION, run, preformatted=True)
    parser.add_argument("question", metavar="QUESTION", help="the question, quoted")
    add_index_options(parser, top_k_help="chunks to retrieve (3)")
    parser.add_argument("--llm", metavar="PROVIDER:MODEL", help="write the answer with this LLM (default: extractive)")
    parser.add_argument(
        "--embed",
        metavar="PROVIDER:MODEL",
        help="the index's embedding model; needed to confirm a remote one (queries are sent to it and billed)",
    )
    parser.add_argument(
        "--response-mode", choices=("compact", "refine"), default="compact", help="how an LLM combines chunks"
    )
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="dense",
        help="dense: embeddings (default); bm25: keywords; hybrid: both fused by rank (bm25/hybrid need "
        "dovetail-retrievers-bm25)",
    )
    parser.add_argument("--json", action="store_true", help="print the answer and sources as JSON")


def _sources(response: Any) -> list[dict[str, Any]]:
    rows = []
    for rank, hit in enumerate(response.source_nodes, 1):
        node = hit.node
        rows.append(
            {
                "rank": rank,
                "score": None if hit.score is None else round(float(hit.score), 4),
                "doc_id": node.ref_doc_id,
                "node_id": node.node_id,
                "file_name": node.metadata.get("file_name"),
                "text": node.get_content(),
            }
        )
    return rows


def _start_query_embedding(
    pool: ThreadPoolExecutor, index_dir: Path, question: str, chosen: str | None
) -> tuple[SimpleIndexStore | None, Any, Future[Any] | None]:
    """The index store (read once, here), the index's embedding model and a future of the question's embedding.

    The model is ``--embed`` (``chosen``) when given, else the index's own choice (``embed_model_for``: a recorded
    remote model only when the config confirms it). ``(None, None, None)`` when the index store cannot be read:
    loading the storage then reports the missing or damaged index with its own message.
    """
    from dovetail.core.concurrency import submit_in_context
    from dovetail.core.errors import DovetailError
    from dovetail.core.indices._vector_index_core import embed_model_for
    from dovetail.core.settings import resolve_embed_model
    from dovetail.core.storage import SimpleIndexStore
    from dovetail.core.storage._io import recover

    recover(index_dir)  # finish an interrupted persist before reading anything (as loading the storage does)
    try:
        index_store = SimpleIndexStore.from_persist_dir(index_dir)
        struct = index_store.get_index_struct()
    except DovetailError:
        return None, None, None
    spec = (struct.extra.get("embed_model") or {}).get("spec") if struct is not None else None
    recorded = spec if isinstance(spec, str) else None
    if chosen and recorded and chosen.strip() != recorded:
        msg = f"this index was built with --embed {recorded}; query it with the same model"
        raise CLIError(msg)
    if chosen:
        model = resolve_embed_model(chosen)
    elif struct is not None:
        model = embed_model_for(struct)
    else:
        return index_store, None, None
    return index_store, model, submit_in_context(pool, model.get_query_embedding, question)


def run(args: argparse.Namespace) -> int:
    """Run ``dovetail query``."""
    from concurrent.futures import ThreadPoolExecutor

    from dovetail.core._exceptions import InvalidInputError
    from dovetail.core.cli._index_dir import damaged_index_message
    from dovetail.core.indices import VectorStoreIndex
    from dovetail.core.indices import load_index_from_storage
    from dovetail.core.query_engine import RetrieverQueryEngine
    from dovetail.core.response_synthesizers import Response
    from dovetail.core.response_synthesizers import get_response_synthesizer
    from dovetail.core.schema import QueryBundle
    from dovetail.core.settings import resolve_llm
    from dovetail.core.storage import StorageContext

    question = args.question.strip()
    if not question:
        msg = 'the question is empty; ask something, e.g. dovetail query "what is a dovetail joint?"'
        raise CLIError(msg)
    index_dir = existing_index_dir(args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Embedding the question (loading the model) overlaps with loading the vector store.
        index_store, embed_model, pending = _start_query_embedding(pool, index_dir, question, args.embed)
        from dovetail.core.cli._vector_store import open_vector_store
        from dovetail.core.cli._vector_store import recorded_vector_store

        recorded = recorded_vector_store(index_dir, index_store)
        vector_store = open_vector_store(recorded) if recorded is not None else None
        try:
            storage = StorageContext.from_defaults(
                persist_dir=index_dir, index_store=index_store, vector_store=vector_store
            )
            storage.docstore.hashes_by_document_id()  # the docstore loads lazily: surface damage now
            index = load_index_from_storage(storage, embed_model=embed_model)
        except InvalidInputError as exc:
            raise CLIError(damaged_index_message(index_dir, exc)) from exc
        if not isinstance(index, VectorStoreIndex):
            msg = f"{index_dir} holds a {type(index).__name__}; dovetail query answers from indices built by ingest"
            raise CLIError(msg)
        # The edge: an unset --llm (or "none"/"off") becomes None here, and None means extractive answers below;
        # the library never sees a string sentinel, and Settings.llm is not consulted.
        llm = resolve_llm(args.llm)
        synthesizer = get_response_synthesizer(
            llm=llm,
            response_mode=args.response_mode,
            embed_model=index.embed_model,
            callback_manager=index.callback_manager,
        )
        if args.mode == "dense":
            retriever = index.as_retriever(similarity_top_k=args.top_k)
        else:
            retriever = make_retriever(index, index_dir, args.mode, args.top_k)
        engine = RetrieverQueryEngine(retriever, synthesizer, callback_manager=index.callback_manager)
        bundle = QueryBundle(query_str=question, embedding=pending.result() if pending is not None else None)
    response = engine.query(bundle)
    if not isinstance(response, Response):  # pragma: no cover - the CLI never asks for streaming
        msg = "internal error: the query engine returned a stream"
        raise CLIError(msg, EXIT_ERROR)
    sources = _sources(response)
    metadata = response.metadata or {}
    if args.json:
        payload = {
            "question": question,
            "answer": response.response,
            "mode": metadata.get("mode"),
            "retrieval": args.mode,
            "sources": sources,
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    out = [str(response), "", "Sources:"]
    for row in sources:
        text = " ".join(row["text"].split())
        text = text if len(text) <= 160 else text[:157] + "..."
        name = row["doc_id"] or row["node_id"]
        out.append(f"  [{row['rank']}] {name} (score {row['score']}): {text}")
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK
