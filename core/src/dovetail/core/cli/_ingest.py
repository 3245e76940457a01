"""``dovetail ingest PATH``: read a folder (or file), split, embed and store it in an index directory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dovetail.core.cli._errors import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CLIError

if TYPE_CHECKING:
    from dovetail.core.schema import Document

__all__ = ["DEFAULT_INDEX_DIR", "add_parser", "run"]

DEFAULT_INDEX_DIR = "./.dovetail/index"

_DESCRIPTION = """\
Read every text file under PATH (recursively; hidden files skipped), split it into chunks, embed the chunks and
store them in the index directory. Running it again only processes files that changed: unchanged files are
skipped (nothing is embedded), a changed file replaces its old chunks, and --prune removes files that are gone.
An interrupted run (Ctrl-C, crash) can simply be started again: it resumes where it stopped.

Binary files are skipped with a warning. Files that cannot be read (permissions, I/O errors) are reported, the
rest is indexed, and the exit code is 1. The embedding model is recorded in the index; later ingests and queries
use the same one.
Default: the local ONNX embedder (pip install dovetail-embeddings-onnx), fully offline.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``ingest``."""
    parser = subparsers.add_parser(
        "ingest",
        help="index a folder or file (incremental, resumable)",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", metavar="PATH", help="folder (or single file) to index")
    parser.add_argument(
        "--index", default=DEFAULT_INDEX_DIR, metavar="DIR", help=f"index directory ({DEFAULT_INDEX_DIR})"
    )
    parser.add_argument(
        "--glob", default="**/*", metavar="PATTERN", help="which files under PATH ('**/*'; e.g. '**/*.md')"
    )
    parser.add_argument(
        "--embed",
        metavar="PROVIDER:MODEL",
        help="embedding model, e.g. onnx:all-MiniLM-L6-v2 or openai:text-embedding-3-small",
    )
    parser.add_argument("--chunk-size", type=int, default=None, metavar="N", help="tokens per chunk (256)")
    parser.add_argument(
        "--chunk-overlap", type=int, default=None, metavar="N", help="tokens shared by neighbouring chunks (32)"
    )
    parser.add_argument(
        "--vector-store",
        metavar="URI",
        help="keep vectors in a server-side store, e.g. postgresql://user@host:5432/db?table=docs "
        "(password from dovetail.toml or PGPASSWORD); recorded in the index for later runs and queries",
    )
    parser.add_argument("--prune", action="store_true", help="remove documents whose files no longer exist under PATH")
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="embedding calls in flight at once (1)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.set_defaults(handler=run)


def _list_files(root: Path, pattern: str) -> list[Path]:
    if root.is_file():
        return [root]
    files = []
    for path in sorted(root.glob(pattern)):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            files.append(path)
    return files


def _read(root: Path, files: list[Path]) -> tuple[list[Document], list[str]]:
    """Documents of ``files`` (ids relative to ``root``) and the files that could not be read.

    Files that are not text (binary content) are skipped with a warning; files that cannot be read at all
    (permissions, I/O errors, vanished) are returned as failures.
    """
    from dovetail.core._exceptions import DovetailError
    from dovetail.core.readers import SimpleDirectoryReader

    base = root if root.is_dir() else root.parent
    reader = SimpleDirectoryReader(input_files=files, raise_on_error=True)
    documents: list[Document] = []
    failed: list[str] = []
    for path in files:
        try:
            docs = reader.load_file(path)
        except DovetailError as exc:
            if isinstance(exc.__cause__, OSError):
                failed.append(f"{path}: {exc}")
            else:
                sys.stderr.write(f"dovetail: warning: skipped {path}: {exc}\n")
            continue
        relative = path.relative_to(base).as_posix()
        for number, doc in enumerate(docs):
            doc.id_ = relative if len(docs) == 1 else f"{relative}#{number}"
            documents.append(doc)
    return documents, failed


def _vector_store(index_dir: Path, uri: str | None) -> tuple[Any, str | None]:
    """The server-side vector store (given now or recorded in the index) and its public URI, or ``(None, None)``."""
    from dovetail.core.cli._vector_store import open_vector_store, recorded_vector_store

    recorded = recorded_vector_store(index_dir) if index_dir.is_dir() else None
    if uri is None and recorded is None:
        return None, None
    store = open_vector_store(uri or str(recorded))
    public = str(store.public_uri())
    if recorded is not None and public != recorded:
        msg = f"this index keeps its vectors in {recorded}; ingest with that --vector-store or use another --index"
        raise CLIError(msg)
    if recorded is None and index_dir.is_dir() and any(not _is_bookkeeping(e.name) for e in index_dir.iterdir()):
        msg = f"--index {index_dir} already keeps its vectors itself; use a new --index with --vector-store"
        raise CLIError(msg)
    return store, public


def _open_storage(index_dir: Path, vector_store: Any = None) -> tuple[Any, Any]:
    """The storage context and index struct of ``index_dir`` (new ones when it holds no index)."""
    from dovetail.core.storage import StorageContext
    from dovetail.core.storage._index_store import DEFAULT_INDEX_STORE_FILE

    if index_dir.exists() and not index_dir.is_dir():
        msg = f"--index {index_dir} is a file; pass a directory"
        raise CLIError(msg)
    if (index_dir / DEFAULT_INDEX_STORE_FILE).is_file():
        storage = StorageContext.from_defaults(persist_dir=index_dir, vector_store=vector_store)
        return storage, storage.index_store.get_index_struct()
    if index_dir.is_dir() and any(not _is_bookkeeping(entry.name) for entry in index_dir.iterdir()):
        msg = f"--index {index_dir} exists but is not a dovetail index; pass an empty or new directory"
        raise CLIError(msg)
    return StorageContext.from_defaults(vector_store=vector_store), None


def _is_bookkeeping(name: str) -> bool:
    """Lock files and staging folders an index directory may hold before its first commit."""
    from dovetail.core.storage._io import STAGING_DIR
    from dovetail.core.storage._lock import LOCK_FILE, READ_LOCK_FILE

    return name in {LOCK_FILE, READ_LOCK_FILE} or name.startswith(STAGING_DIR)


def _embed_model(spec: str | None, struct: Any) -> Any:
    from dovetail.core.settings import Settings, resolve_embed_model

    recorded = (struct.extra.get("embed_model") or {}).get("spec") if struct is not None else None
    if spec and recorded and spec != recorded:
        msg = f"this index was built with --embed {recorded}; ingest with the same model or use another --index"
        raise CLIError(msg)
    if spec:
        return resolve_embed_model(spec)
    if recorded:
        from dovetail.core.indices._recorded_model import resolve_recorded_embed_model

        return resolve_recorded_embed_model(recorded)  # a remote one needs --embed or the config
    return Settings.embed_model


def run(args: argparse.Namespace) -> int:
    """Run ``dovetail ingest``."""
    from dovetail.core.storage._lock import writer_lock

    root = Path(args.path)
    if not root.exists():
        msg = f"{root} does not exist; pass the folder (or file) to index"
        raise CLIError(msg)
    if args.workers < 1:
        msg = "--workers must be at least 1"
        raise CLIError(msg)
    files = _list_files(root, args.glob)
    if not files:
        msg = f"no files to index under {root} (pattern {args.glob!r}; hidden files are skipped)"
        raise CLIError(msg)
    index_dir = Path(args.index)
    if index_dir.exists() and not index_dir.is_dir():
        msg = f"--index {index_dir} is a file; pass a directory"
        raise CLIError(msg)
    index_dir.mkdir(parents=True, exist_ok=True)
    # One ingest per index at a time: a second one waits here, then finds the first one's work done.
    with writer_lock(index_dir):
        return _ingest_locked(args, root, files, index_dir)


def _ingest_locked(args: argparse.Namespace, root: Path, files: list[Path], index_dir: Path) -> int:
    """The body of ``dovetail ingest``, run while holding the index's writer lock."""
    from dovetail.core.cli._progress import ProgressBar
    from dovetail.core.indices import VectorStoreIndex
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.settings import Settings

    vector_store, vector_store_uri = _vector_store(index_dir, args.vector_store)
    storage, struct = _open_storage(index_dir, vector_store)
    embed_model = _embed_model(args.embed, struct)
    documents, skipped = _read(root, files)
    for problem in skipped:
        sys.stderr.write(f"dovetail: warning: could not read {problem}\n")
    if not documents:
        msg = f"none of the {len(files)} file(s) under {root} could be read"
        raise CLIError(msg, EXIT_USAGE)

    splitter = SentenceSplitter(
        chunk_size=args.chunk_size or Settings.chunk_size,
        chunk_overlap=args.chunk_overlap if args.chunk_overlap is not None else Settings.chunk_overlap,
    )
    index = VectorStoreIndex(
        storage_context=storage, embed_model=embed_model, transformations=[splitter], index_struct=struct
    )
    if vector_store_uri is not None:
        from dovetail.core.cli._vector_store import VECTOR_STORE_KEY

        index.index_struct.extra[VECTOR_STORE_KEY] = vector_store_uri
    known = storage.docstore.get_all_document_hashes()
    new = sum(doc.node_id not in known for doc in documents)
    changed = sum(doc.node_id in known and known[doc.node_id] != doc.hash for doc in documents)
    bar = ProgressBar("indexing", enabled=None if not args.quiet else False)
    try:
        nodes = index.ingest(
            documents,
            progress=bar,
            checkpoint_dir=index_dir,
            prune=args.prune,
            num_workers=args.workers,
        )
    finally:
        bar.close()
    if not (index_dir / "index_store.json").is_file():  # the pipeline persists whenever it changed something
        storage.persist(index_dir)
    from dovetail.core.cli._retrieval import sync_bm25

    bm25_rebuilt = sync_bm25(index, index_dir)
    if not args.quiet:
        unchanged = len(documents) - new - changed
        sys.stdout.write(
            f"indexed {len(documents)} document(s) from {root}: {new} new, {changed} changed, {unchanged} unchanged; "
            f"{len(nodes)} chunk(s) embedded; index at {index_dir}\n"
        )
        if bm25_rebuilt:
            sys.stdout.write(f"BM25 keyword index rebuilt at {index_dir / 'bm25'}\n")
    if skipped:
        sys.stderr.write(f"dovetail: error: {len(skipped)} file(s) could not be read (see warnings above)\n")
        return EXIT_ERROR
    return EXIT_OK
