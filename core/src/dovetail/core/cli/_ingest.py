"""``dovetail ingest PATH``: read a folder (or file), split, embed and store it in an index directory."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from collections.abc import Sized
from pathlib import Path
from typing import Any
from typing import TypeVar

from dovetail.core.cli._commands import add_command
from dovetail.core.cli._errors import EXIT_ERROR
from dovetail.core.cli._errors import EXIT_OK
from dovetail.core.cli._errors import EXIT_USAGE
from dovetail.core.cli._errors import CLIError
from dovetail.core.cli._index_dir import is_bookkeeping
from dovetail.core.cli._index_dir import open_storage
from dovetail.core.cli._index_dir import rebuild_dir
from dovetail.core.cli._index_dir import replace_index
from dovetail.core.cli._read import ReadReport
from dovetail.core.cli._read import read_files
from dovetail.core.cli._select import Selection
from dovetail.core.cli._select import select_files

__all__ = ["DEFAULT_INDEX_DIR", "add_parser", "run"]

DEFAULT_INDEX_DIR = "./.dovetail/index"

_N = TypeVar("_N", int, float)

_SUMMARY = "index a folder or file (incremental, resumable)"
_DESCRIPTION = """\
Read the text files under PATH (recursively; hidden files skipped), split them into chunks, embed the chunks and
store them in the index directory. Running it again only processes files that changed: unchanged files are
skipped (nothing is embedded), a changed file replaces its old chunks, and --prune removes files that are gone.
An interrupted run (Ctrl-C, crash) can simply be started again: it resumes where it stopped, also inside a big
file; at most --commit-interval seconds of embedding are lost. Big UTF-8 text files are read from disk a section
at a time (bounded memory).

Files of known text types are read (.md, .rst, .txt, .py, .html, .json, ... and README, LICENSE, ...);
--include replaces that list, --exclude removes files. Binary content is skipped. Files that are not UTF-8 are
decoded by their BOM, their own declaration or as Windows-1252 (reported per file); no byte is dropped.
Symbolic links that leave PATH are skipped unless --follow-symlinks. Files that cannot be read (permissions,
I/O errors) are reported, the rest is indexed, and the exit code is 1. The embedding model and the chunking are
recorded in the index; later ingests and queries use the same ones (--rebuild starts over with new ones).
Default: the local ONNX embedder (pip install dovetail-embeddings-onnx), fully offline.
"""


def _checked(
    convert: Callable[[str], _N], expected: str, valid: Callable[[_N], bool], rule: str
) -> Callable[[str], _N]:
    """An argparse ``type=``: ``convert`` the text (else "expected ...") and check it with ``valid`` (else ``rule``)."""

    def parse(text: str) -> _N:
        try:
            value = convert(text)
        except ValueError:
            msg = f"expected {expected}, got {text!r}"
            raise argparse.ArgumentTypeError(msg) from None
        if not valid(value):
            msg = f"{rule}, got {value}"
            raise argparse.ArgumentTypeError(msg)
        return value

    return parse


_positive_int = _checked(int, "a whole number", lambda value: value >= 1, "must be at least 1")
_count = _checked(int, "a whole number", lambda value: value >= 0, "must be 0 or more")
_seconds = _checked(float, "seconds", lambda value: 0 < value <= 3600, "must be more than 0 and at most 3600 seconds")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``ingest``."""
    parser = add_command(subparsers, "ingest", _SUMMARY, _DESCRIPTION, run, preformatted=True)
    parser.add_argument("path", metavar="PATH", help="folder (or single file) to index")
    parser.add_argument(
        "--index", default=DEFAULT_INDEX_DIR, metavar="DIR", help=f"index directory ({DEFAULT_INDEX_DIR})"
    )
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="read only files matching GLOB (repeatable; e.g. '*.svg', 'docs/**/*.txt'); default: known text types",
    )
    parser.add_argument(
        "--glob", action="append", dest="include", metavar="GLOB", help="same as --include (kept for old scripts)"
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="skip matching files (repeatable)"
    )
    parser.add_argument(
        "--follow-symlinks", action="store_true", help="also read symbolic links that point outside PATH"
    )
    parser.add_argument(
        "--embed",
        metavar="PROVIDER:MODEL",
        help="embedding model, e.g. onnx:all-MiniLM-L6-v2 or openai:text-embedding-3-small",
    )
    parser.add_argument("--chunk-size", type=_positive_int, default=None, metavar="N", help="tokens per chunk (256)")
    parser.add_argument(
        "--chunk-overlap", type=_count, default=None, metavar="N", help="tokens shared by neighbouring chunks (32)"
    )
    parser.add_argument(
        "--vector-store",
        metavar="URI",
        help="keep vectors in a server-side store, e.g. postgresql://user@host:5432/db?table=docs "
        "(password from dovetail.toml or PGPASSWORD); recorded in the index for later runs and queries",
    )
    parser.add_argument(
        "--commit-interval",
        type=_seconds,
        default=15.0,
        metavar="SECONDS",
        help="commit (and checkpoint) after at most this much embedding time (15); bounds what an interrupt loses",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="build the index again from scratch (new chunking or model, or a damaged index); "
        "the old index stays usable until the new one is complete",
    )
    parser.add_argument("--prune", action="store_true", help="remove documents whose files no longer exist under PATH")
    parser.add_argument(
        "--workers", type=_positive_int, default=None, metavar="N", help="embedding calls in flight (1)"
    )
    parser.add_argument(
        "--ray",
        nargs="?",
        const="local",
        default=None,
        metavar="ADDRESS|auto",
        help="split and embed on a Ray cluster (needs dovetail-ingestion-ray): its address, 'auto' for the cluster "
        "this machine belongs to, or nothing for a local one; the index is still written here",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _ray_runner(args: argparse.Namespace) -> Any:
    """The ``RayRunner`` asked for with ``--ray`` (loaded through its entry point), or ``None``."""
    if args.ray is None:
        return None
    if args.workers is not None:
        msg = "--workers sets in-process embedding calls; with --ray the Ray actors do the embedding (leave it out)"
        raise CLIError(msg)
    from dovetail.core._exceptions import DovetailError
    from dovetail.core.registry import load_provider_class

    try:
        runner_class = load_provider_class("ingestion", "ray")
    except DovetailError as exc:
        raise CLIError(str(exc)) from exc
    return runner_class(address=None if args.ray == "local" else args.ray)


def _vector_store(index_dir: Path, uri: str | None) -> tuple[Any, str | None]:
    """The server-side vector store (given now or recorded in the index) and its public URI, or ``(None, None)``."""
    from dovetail.core.cli._vector_store import open_vector_store
    from dovetail.core.cli._vector_store import recorded_vector_store

    recorded = recorded_vector_store(index_dir) if index_dir.is_dir() else None
    if uri is None and recorded is None:
        return None, None
    store = open_vector_store(uri or str(recorded))
    public = str(store.public_uri())
    if recorded is not None and public != recorded:
        msg = f"this index keeps its vectors in {recorded}; ingest with that --vector-store or use another --index"
        raise CLIError(msg)
    if recorded is None and index_dir.is_dir() and any(not is_bookkeeping(e.name) for e in index_dir.iterdir()):
        msg = f"--index {index_dir} already keeps its vectors itself; use a new --index with --vector-store"
        raise CLIError(msg)
    return store, public


def _embed_model(spec: str | None, struct: Any) -> Any:
    from dovetail.core.settings import Settings
    from dovetail.core.settings import resolve_embed_model

    recorded = (struct.extra.get("embed_model") or {}).get("spec") if struct is not None else None
    if spec and recorded and spec != recorded:
        msg = (
            f"this index was built with --embed {recorded}; ingest with the same model, use another --index, or "
            f"re-embed everything with `dovetail ingest --rebuild PATH --embed {spec}`"
        )
        raise CLIError(msg)
    if spec:
        return resolve_embed_model(spec)
    if recorded:
        from dovetail.core.indices._recorded_model import resolve_recorded_embed_model

        return resolve_recorded_embed_model(recorded)  # a remote one needs --embed or the config
    return Settings.embed_model


def _previous_struct(index_dir: Path) -> Any:
    """The index struct of the index ``--rebuild`` replaces, when it can still be read (for its model/chunking)."""
    from dovetail.core.storage import SimpleIndexStore

    try:
        return SimpleIndexStore.from_persist_dir(index_dir).get_index_struct()
    except Exception:  # a damaged index is why one rebuilds: start from the defaults then
        return None


def _chunking(args: argparse.Namespace, struct: Any, has_documents: bool, strict: bool = True) -> dict[str, int]:
    """The chunking to use: the one recorded in the index unless flags ask for another (then refuse, when
    ``strict``; ``--rebuild`` takes the new values)."""
    from dovetail.core.settings import DEFAULT_CHUNK_OVERLAP
    from dovetail.core.settings import DEFAULT_CHUNK_SIZE

    recorded = struct.extra.get("chunking") if struct is not None else None
    if recorded is None and has_documents:  # indexes from before the record: the CLI's defaults built them
        recorded = {"chunk_size": DEFAULT_CHUNK_SIZE, "chunk_overlap": DEFAULT_CHUNK_OVERLAP}
    base = recorded or {"chunk_size": DEFAULT_CHUNK_SIZE, "chunk_overlap": DEFAULT_CHUNK_OVERLAP}
    wanted = {
        "chunk_size": args.chunk_size if args.chunk_size is not None else base["chunk_size"],
        "chunk_overlap": args.chunk_overlap if args.chunk_overlap is not None else base["chunk_overlap"],
    }
    if args.chunk_overlap is None and args.chunk_size is not None and wanted["chunk_overlap"] >= wanted["chunk_size"]:
        wanted["chunk_overlap"] = wanted["chunk_size"] // 8
    if wanted["chunk_overlap"] >= wanted["chunk_size"]:
        msg = f"--chunk-overlap ({wanted['chunk_overlap']}) must be smaller than --chunk-size ({wanted['chunk_size']})"
        raise CLIError(msg)
    if strict and recorded is not None and wanted != recorded:
        msg = (
            f"this index was chunked with --chunk-size {recorded['chunk_size']} --chunk-overlap "
            f"{recorded['chunk_overlap']}; mixing chunkings in one index would skew retrieval. Ingest with the "
            f"same values (or leave them out), or re-chunk everything with `dovetail ingest --rebuild {args.path} "
            f"--index {args.index} --chunk-size {wanted['chunk_size']} --chunk-overlap {wanted['chunk_overlap']}`"
        )
        raise CLIError(msg)
    return wanted


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _report_reading(selection: Selection, report: ReadReport, quiet: bool) -> None:
    """Per-file notes and problems on stderr (notes only unless ``quiet``)."""
    write = sys.stderr.write
    if not quiet:
        for relative, note in report.notes:
            write(f"dovetail: note: {relative}: {note}\n")
        for link in selection.external_links:
            write(f"dovetail: note: skipped {link}: it links outside PATH (pass --follow-symlinks to read it)\n")
    for relative, reason in report.unparsable:
        write(f"dovetail: warning: skipped {relative}: {reason}\n")
    for relative, reason in report.failed:
        write(f"dovetail: warning: could not read {relative}: {reason}\n")


def _skipped_summary(selection: Selection, report: ReadReport) -> str:
    # (what was skipped, the noun its count is pluralised with or None for a bare count, what follows the count)
    skipped: tuple[tuple[Sized, str | None, str], ...] = (
        (report.binary, "binary file", ""),
        (selection.other_types, "file", " of other types (--include to add them)"),
        (selection.excluded, None, " excluded"),
        (selection.external_links, "link", " leaving PATH (--follow-symlinks)"),
        (report.unparsable, None, " unparsable"),
        (report.failed, None, " unreadable"),
    )
    parts = [(_plural(len(items), noun) if noun else str(len(items))) + tail for items, noun, tail in skipped if items]
    return f"; skipped {', '.join(parts)}" if parts else ""


def _encodings_summary(report: ReadReport) -> str:
    if not report.encodings or set(report.encodings) <= {"utf-8", "ascii"}:
        return ""
    ordered = sorted(report.encodings.items(), key=lambda item: (-item[1], item[0] != "utf-8", item[0]))
    return " (" + ", ".join(f"{count} {name}" for name, count in ordered) + ")"


def run(args: argparse.Namespace) -> int:
    """Run ``dovetail ingest``."""
    from dovetail.core.storage._lock import writer_lock

    root = Path(args.path)
    if not root.exists():
        msg = f"{root} does not exist; pass the folder (or file) to index"
        raise CLIError(msg)
    if args.chunk_size is not None and args.chunk_overlap is not None and args.chunk_overlap >= args.chunk_size:
        msg = f"--chunk-overlap ({args.chunk_overlap}) must be smaller than --chunk-size ({args.chunk_size})"
        raise CLIError(msg)
    selection = select_files(root, args.include, args.exclude, args.follow_symlinks)
    if not selection.files:
        which = f"matching {args.include}" if args.include else "of a known text type (--include to add others)"
        msg = f"no files to index under {root}: none {which}{_skipped_summary(selection, ReadReport())}"
        raise CLIError(msg)
    index_dir = Path(args.index)
    if index_dir.exists() and not index_dir.is_dir():
        msg = f"--index {index_dir} is a file; pass a directory"
        raise CLIError(msg)
    index_dir.mkdir(parents=True, exist_ok=True)
    # One ingest per index at a time: a second one waits here, then finds the first one's work done.
    with writer_lock(index_dir):
        return _ingest_locked(args, root, selection, index_dir)


def _ingest_locked(args: argparse.Namespace, root: Path, selection: Selection, index_dir: Path) -> int:
    """The body of ``dovetail ingest``, run while holding the index's writer lock."""
    from dovetail.core.indices import VectorStoreIndex
    from dovetail.core.ingestion._progress import IngestProgress
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.storage._index_store import DEFAULT_INDEX_STORE_FILE

    vector_store, vector_store_uri = _vector_store(index_dir, args.vector_store)
    if args.rebuild and vector_store is not None:
        msg = "--rebuild rebuilds indexes that keep their own vectors; for --vector-store use a new table and --index"
        raise CLIError(msg)
    target = rebuild_dir(index_dir) if args.rebuild else index_dir
    storage, struct = open_storage(target, vector_store)
    previous = _previous_struct(index_dir) if args.rebuild and struct is None else None
    embed_model = _embed_model(args.embed, struct if struct is not None else previous)
    has_documents = bool(storage.docstore.hashes_by_document_id())
    chunking = _chunking(args, struct if struct is not None else previous, has_documents, strict=not args.rebuild)

    report = read_files(root, selection.files, args.follow_symlinks)
    _report_reading(selection, report, args.quiet)
    skipped = _skipped_summary(selection, report)
    if not report.documents:
        msg = f"nothing to index under {root}: no text file could be read{skipped}"
        raise CLIError(msg, EXIT_USAGE)

    index = VectorStoreIndex(
        storage_context=storage,
        embed_model=embed_model,
        transformations=[SentenceSplitter(chunk_size=chunking["chunk_size"], chunk_overlap=chunking["chunk_overlap"])],
        index_struct=struct,
    )
    index.index_struct.extra["chunking"] = chunking
    if vector_store_uri is not None:
        from dovetail.core.cli._vector_store import VECTOR_STORE_KEY

        index.index_struct.extra[VECTOR_STORE_KEY] = vector_store_uri
    storage.index_store.add_index_struct(index.index_struct)
    documents = report.documents
    known = storage.docstore.hashes_by_document_id()
    new = sum(doc.node_id not in known for doc in documents)
    changed = sum(doc.node_id in known and known[doc.node_id] != doc.hash for doc in documents)
    runner = _ray_runner(args)
    with IngestProgress("indexing", enabled=not args.quiet) as progress:
        try:
            index.ingest(
                documents,
                progress=progress,
                checkpoint_dir=target,
                prune=args.prune,
                num_workers=None if runner is not None else (args.workers or 1),
                commit_interval=args.commit_interval,
                keep_nodes=False,
                runner=runner,
            )
        finally:
            if runner is not None:
                runner.close()
    chunks = progress.chunks_stored
    if not (target / DEFAULT_INDEX_STORE_FILE).is_file():  # the pipeline persists whenever it changed something
        storage.persist(target)
    from dovetail.core.cli._retrieval import sync_bm25

    bm25_rebuilt = sync_bm25(index, target)
    if args.rebuild:
        replace_index(index_dir, target)
    if not args.quiet:
        unchanged = len(documents) - new - changed
        sys.stdout.write(
            f"indexed {len(documents)} document(s) from {root}{_encodings_summary(report)}: {new} new, "
            f"{changed} changed, {unchanged} unchanged; {chunks} chunk(s) embedded{skipped}; index at {index_dir}\n"
        )
        if bm25_rebuilt:
            sys.stdout.write(f"BM25 keyword index rebuilt at {index_dir / 'bm25'}\n")
    if report.failed:
        sys.stderr.write(f"dovetail: error: {_plural(len(report.failed), 'file')} could not be read (see above)\n")
        return EXIT_ERROR
    return EXIT_OK
