"""Atomic, versioned JSON files and a crash-safe multi-file commit for persist directories.

Every file dovetail persists is written to a temporary sibling, flushed, fsync'ed and moved into place with
:func:`os.replace`, so a reader never sees half a file. A persist directory holds several files (docstore,
index store, vector store JSON + ``.npy``) that must change together; :class:`StagedCommit` makes that atomic:
files are written into ``<dir>/.staging``, a ``COMMITTED`` marker seals the set, then the files are moved into
place. :func:`recover` (run before every load) rolls a sealed set forward and throws an unsealed one away, so
a process killed at any instant leaves either the old or the new state — never a mix.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dovetail.core._exceptions import InvalidInputError, NotFoundError

__all__ = ["STAGING_DIR", "StagedCommit", "atomic_write_bytes", "atomic_write_json", "read_json", "recover"]

logger = logging.getLogger(__name__)

STAGING_DIR = ".staging"
_MARKER = "COMMITTED"


def _file_mode() -> int:
    # mkstemp creates 0600 files; persisted indices get the usual permissions (0666 minus the umask).
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


_FILE_MODE = _file_mode()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file + fsync + ``os.replace``)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def atomic_write_json(path: str | os.PathLike[str], payload: dict[str, Any]) -> None:
    """Serialise ``payload`` as compact UTF-8 JSON and write it atomically."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    atomic_write_bytes(path, data.encode("utf-8"))


def read_json(path: str | os.PathLike[str], *, kind: str, versions: tuple[int, ...]) -> dict[str, Any]:
    """Read a dovetail JSON file and check its ``format_version``.

    Args:
        path: the file.
        kind: what the file holds (``"docstore"``), checked against the file's ``kind`` key and used in errors.
        versions: the format versions this code can read.

    Raises:
        NotFoundError: the file does not exist.
        InvalidInputError: the file is not valid JSON, is of another kind or has an unknown format version.
    """
    source = Path(path)
    try:
        raw = source.read_bytes()
    except FileNotFoundError as exc:
        msg = f"{kind} file {source} does not exist; persist an index there first (or check the path)"
        raise NotFoundError(msg) from exc
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        msg = (
            f"{kind} file {source} is not valid JSON ({exc}); it is damaged — rebuild: `dovetail ingest --rebuild PATH`"
        )
        raise InvalidInputError(msg) from exc
    if not isinstance(payload, dict):
        msg = f"{kind} file {source} does not hold a JSON object; rebuild the index"
        raise InvalidInputError(msg)
    found_kind = payload.get("kind", kind)
    version = payload.get("format_version")
    if found_kind != kind or version not in versions:
        msg = (
            f"{source} is a {found_kind!r} file with format_version {version!r}; this dovetail-core reads "
            f"{kind!r} versions {list(versions)} — upgrade dovetail-core or rebuild the index"
        )
        raise InvalidInputError(msg)
    return payload


class StagedCommit:
    """Write a set of files into ``directory`` so that they all change or none does.

    Example:
        ```python
        with StagedCommit(persist_dir) as stage:
            stage.write_json("docstore.json", payload)
            vector_store.persist(str(stage.path("default__vector_store.json")))
        # after the block every file is in place; a crash inside leaves the previous state
        ```
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.staging = self.directory / STAGING_DIR

    def __enter__(self) -> StagedCommit:
        self.directory.mkdir(parents=True, exist_ok=True)
        recover(self.directory)
        self.staging.mkdir()
        return self

    def path(self, name: str) -> Path:
        """Where to write ``name`` inside the staging area."""
        return self.staging / name

    def write_json(self, name: str, payload: dict[str, Any]) -> None:
        """Write one JSON file into the staging area."""
        atomic_write_json(self.staging / name, payload)

    def write_with(self, name: str, writer: Callable[[Path], None]) -> None:
        """Let ``writer`` write ``name`` (it receives the staged path)."""
        writer(self.staging / name)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            return
        for item in self.staging.iterdir():
            if item.is_file():
                with open(item, "rb") as handle:
                    os.fsync(handle.fileno())
        _fsync_dir(self.staging)
        atomic_write_bytes(self.staging / _MARKER, b"ok")
        _roll_forward(self.directory)


def _roll_forward(directory: Path) -> None:
    staging = directory / STAGING_DIR
    for item in sorted(staging.iterdir()):
        if item.name == _MARKER or not item.is_file() or item.name.endswith(".tmp"):
            continue
        os.replace(item, directory / item.name)
    _fsync_dir(directory)
    shutil.rmtree(staging, ignore_errors=True)


def recover(directory: str | os.PathLike[str]) -> None:
    """Finish or discard an interrupted :class:`StagedCommit` in ``directory`` (a no-op when there is none)."""
    staging = Path(directory) / STAGING_DIR
    if not staging.is_dir():
        return
    if (staging / _MARKER).is_file():
        logger.info("finishing an interrupted persist in %s", directory)
        _roll_forward(Path(directory))
    else:
        logger.info("discarding an unfinished persist in %s", directory)
        shutil.rmtree(staging, ignore_errors=True)


def require_dir(directory: str | os.PathLike[str]) -> Path:
    """``directory`` as a Path, or a NotFoundError that says how to create an index there."""
    path = Path(directory)
    if not path.is_dir():
        msg = f"no index at {path}: the directory does not exist — build one with `dovetail ingest PATH --index {path}`"
        raise NotFoundError(msg)
    return path
