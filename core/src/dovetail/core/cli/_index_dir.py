"""Opening, validating and rebuilding the index directory of ``dovetail ingest`` / ``dovetail query``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from dovetail.core.cli._errors import CLIError

__all__ = ["damaged_index_message", "is_bookkeeping", "open_storage", "rebuild_dir", "replace_index"]

_REBUILD_SUFFIX = ".rebuild"


def damaged_index_message(index_dir: Path, problem: object) -> str:
    """The message for an index that cannot be loaded, with the command that rebuilds it."""
    return (
        f"the index at {index_dir} cannot be loaded: {problem}. Rebuild it from the folder it indexes with "
        f"`dovetail ingest --rebuild PATH --index {index_dir}`"
    )


def is_bookkeeping(name: str) -> bool:
    """Lock files and staging folders an index directory may hold before its first commit."""
    from dovetail.core.storage._io import STAGING_DIR
    from dovetail.core.storage._lock import LOCK_FILE
    from dovetail.core.storage._lock import READ_LOCK_FILE

    return name in {LOCK_FILE, READ_LOCK_FILE} or name.startswith(STAGING_DIR)


def open_storage(index_dir: Path, vector_store: Any = None) -> tuple[Any, Any]:
    """The storage context and index struct of ``index_dir`` (new ones when it holds no index).

    Raises:
        CLIError: ``index_dir`` is a file, a folder that is not an index, or a damaged index (with the fix).
    """
    from dovetail.core._exceptions import InvalidInputError
    from dovetail.core.storage import StorageContext
    from dovetail.core.storage._index_store import DEFAULT_INDEX_STORE_FILE

    if index_dir.exists() and not index_dir.is_dir():
        msg = f"--index {index_dir} is a file; pass a directory"
        raise CLIError(msg)
    if (index_dir / DEFAULT_INDEX_STORE_FILE).is_file():
        try:
            storage = StorageContext.from_defaults(persist_dir=index_dir, vector_store=vector_store)
            storage.docstore.hashes_by_document_id()  # the docstore loads lazily: surface damage now
            struct = storage.index_store.get_index_struct()
        except InvalidInputError as exc:
            raise CLIError(damaged_index_message(index_dir, exc)) from exc
        return storage, struct
    if index_dir.is_dir() and any(not is_bookkeeping(entry.name) for entry in index_dir.iterdir()):
        msg = f"--index {index_dir} exists but is not a dovetail index; pass an empty or new directory"
        raise CLIError(msg)
    return StorageContext.from_defaults(vector_store=vector_store), None


def rebuild_dir(index_dir: Path) -> Path:
    """Where ``--rebuild`` builds the new index (next to the old one, which stays usable until the swap).

    Raises:
        CLIError: ``index_dir`` exists but is neither a dovetail index nor empty (it is never deleted then).
    """
    from dovetail.core.storage._index_store import DEFAULT_INDEX_STORE_FILE

    entries = [entry for entry in index_dir.iterdir() if not is_bookkeeping(entry.name)] if index_dir.is_dir() else []
    if entries and not (index_dir / DEFAULT_INDEX_STORE_FILE).exists():
        msg = f"--index {index_dir} is not a dovetail index; --rebuild only replaces an index directory"
        raise CLIError(msg)
    if index_dir.exists() and not index_dir.is_dir():
        msg = f"--index {index_dir} is a file; pass a directory"
        raise CLIError(msg)
    return index_dir.with_name(index_dir.name + _REBUILD_SUFFIX)


def replace_index(index_dir: Path, built: Path) -> None:
    """Move the rebuilt index into ``index_dir``: old files aside, new ones in, old ones removed.

    The lock files stay where they are (the caller holds the writer lock on ``index_dir``).
    """
    old = index_dir.with_name(index_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    old.mkdir()
    for entry in list(index_dir.iterdir()):
        if not is_bookkeeping(entry.name):
            entry.rename(old / entry.name)
    for entry in list(built.iterdir()):
        if not is_bookkeeping(entry.name):
            entry.rename(index_dir / entry.name)
    shutil.rmtree(built, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
