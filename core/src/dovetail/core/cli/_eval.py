"""``dovetail eval questions.jsonl``: measure retrieval (hit rate, MRR, nDCG@k) on a labelled set of questions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dovetail.core.cli._commands import add_command
from dovetail.core.cli._errors import EXIT_OK
from dovetail.core.cli._index_options import add_index_options
from dovetail.core.cli._index_options import existing_index_dir
from dovetail.core.cli._retrieval import MODES
from dovetail.core.cli._retrieval import bm25_installed
from dovetail.core.cli._retrieval import candidate_depth
from dovetail.core.cli._retrieval import make_retriever

__all__ = ["add_parser", "run"]

_SUMMARY = "score retrieval (hit rate, MRR, nDCG) on labelled questions"
_DESCRIPTION = """\
Score retrieval on labelled questions. QUESTIONS is a JSON-lines file, one object per line:

  {"question": "How strong is a finger joint?", "expected_ids": ["finger_joint.md"]}

expected_ids are document ids as `dovetail query --json` shows them (paths relative to the ingested folder).
Scores are per document: each mode retrieves max(4 x top-k, 20) chunks, and the first --top-k distinct documents
of that ranking are scored (a document found through several chunks counts once, at its best rank). Reported
per mode: hit rate (an expected document is among them), MRR (1/rank of the first one) and nDCG@k.
"""
_METRICS = ("hit_rate", "mrr", "ndcg")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``eval``."""
    parser = add_command(subparsers, "eval", _SUMMARY, _DESCRIPTION, run, preformatted=True)
    parser.add_argument("questions", metavar="QUESTIONS", help="JSON-lines file of questions and expected ids")
    add_index_options(parser, top_k_help="results per question (3)")
    parser.add_argument(
        "--mode",
        choices=(*MODES, "all"),
        default="all",
        help="retrieval mode to score; all (default): every mode available",
    )
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")


def _score(index: Any, index_dir: Path, mode: str, top_k: int, dataset: Any) -> dict[str, Any]:
    from dovetail.core.cli._first_documents import FirstDocuments
    from dovetail.core.evaluation import EvaluationSummary
    from dovetail.core.evaluation import RetrieverEvaluator

    depth = candidate_depth(top_k)
    retriever = make_retriever(index, index_dir, mode, depth, candidates=depth)
    evaluator = RetrieverEvaluator.from_metric_names(
        list(_METRICS),
        retriever=retriever,
        node_postprocessors=[FirstDocuments(top_k)],  # the ranking holds up to `depth` chunks
        id_field="ref_doc_id",
    )
    results = evaluator.evaluate_dataset(dataset)
    summary = EvaluationSummary.from_results(results)
    misses = [r.query for r in results if r.metric_dict["hit_rate"] == 0.0]
    return {"mode": mode, "questions": len(results), **summary.means, "misses": misses}


def run(args: argparse.Namespace) -> int:
    """Run ``dovetail eval``."""
    from dovetail.core.evaluation import LabelledQuestions
    from dovetail.core.indices import load_index_from_storage
    from dovetail.core.storage import StorageContext

    index_dir = existing_index_dir(args)
    dataset = LabelledQuestions.from_jsonl(args.questions)
    modes = [args.mode] if args.mode != "all" else [m for m in MODES if m == "dense" or bm25_installed()]
    if args.mode == "all" and len(modes) == 1:
        sys.stderr.write("dovetail: note: only dense is scored; pip install dovetail-retrievers-bm25 for the rest\n")
    index = load_index_from_storage(StorageContext.from_defaults(persist_dir=index_dir))
    rows = [_score(index, index_dir, mode, args.top_k, dataset) for mode in modes]
    if args.json:
        sys.stdout.write(json.dumps({"top_k": args.top_k, "results": rows}, indent=2) + "\n")
        return EXIT_OK
    k = args.top_k
    lines = [f"{'mode':<8} {'questions':>9} {f'hit@{k}':>7} {'MRR':>6} {f'nDCG@{k}':>7}"]
    lines += [
        f"{r['mode']:<8} {r['questions']:>9} {r['hit_rate']:>7.3f} {r['mrr']:>6.3f} {r['ndcg']:>7.3f}" for r in rows
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK
