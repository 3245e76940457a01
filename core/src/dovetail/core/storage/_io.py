"""Atomic, versioned JSON files and a crash-safe multi-file commit for persist directories.

Every file dovetail persists is written to a temporary sibling, flushed, fsync'ed and moved into place with
:func:`os.replace`, so a reader never sees half a file. A persist directory holds several files (docstore,
index store, vector store JSON + ``.npy``) that must change together; :class:`StagedCommit` makes that atomic:

1. it takes the directory's writer lock (``dovetail.core.storage._lock``), so one commit runs at a time across
   processes, and finishes or discards what a crashed writer left;
2. files are written into a staging folder of its own, ``<dir>/.staging-<random>``;
3. a ``COMMITTED`` marker listing the files seals the set;
4. under the exclusive snapshot lock the files are moved into place and the vectors files they supersede are
   removed.

A process killed at any instant leaves either the old or the new state — never a mix: :func:`recover` rolls a
sealed set forward. Readers only ever roll forward (with the writer lock free, i.e. after a crash); deleting an
unsealed staging folder is left to the next writer, which holds the lock and so knows nobody is filling it. A
staging folder that vanishes under a commit (another program removed it) fails the commit instead of being
re-created half-empty.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import IO
from typing import Any

from dovetail.core._exceptions import ConcurrentWriteError
from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import NotFoundError
from dovetail.core.storage._lock import commit_lock
from dovetail.core.storage._lock import release
from dovetail.core.storage._lock import snapshot_lock
from dovetail.core.storage._lock import try_writer_lock

__all__ = [
    "STAGING_DIR",
    "StagedCommit",
    "atomic_write_bytes",
    "atomic_write_json",
    "fsync_dir",
    "read_json",
    "recover",
    "replace_synced",
]

logger = logging.getLogger(__name__)

STAGING_DIR = ".staging"
_MARKER = "COMMITTED"
_OWNER = ".owner"


def _file_mode() -> int:
    # mkstemp creates 0600 files; persisted indices get the usual permissions (0666 minus the umask).
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def fsync_dir(path: Path) -> None:
    """Make a rename or removal inside ``path`` durable (a no-op where directories cannot be synced)."""
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


def replace_synced(target: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Let ``write`` fill a temporary sibling of ``target``, fsync it, then move it over ``target``.

    The folder is not synced (see :func:`fsync_dir`), so a caller renaming several files syncs it once.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, create_parent: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (temp file + fsync + ``os.replace`` + folder fsync).

    With ``create_parent=False`` a missing folder is an error (a staging folder must not be re-created).
    """
    target = Path(path)
    if create_parent:
        target.parent.mkdir(parents=True, exist_ok=True)
    replace_synced(target, lambda handle: handle.write(data))
    fsync_dir(target.parent)


def atomic_write_json(path: str | os.PathLike[str], payload: dict[str, Any], *, create_parent: bool = True) -> None:
    """Serialise ``payload`` as compact UTF-8 JSON and write it atomically."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    atomic_write_bytes(path, data.encode("utf-8"), create_parent=create_parent)


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
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        msg = (
            f"{kind} file {source} is not valid JSON ({reason}); it is damaged — "
            "rebuild: `dovetail ingest --rebuild PATH`"
        )
        raise InvalidInputError(msg) from None
    if not isinstance(payload, dict):
        msg = f"{kind} file {source} does not hold a JSON object; rebuild: `dovetail ingest --rebuild PATH`"
        raise InvalidInputError(msg)
    check_payload(payload, kind=kind, versions=versions, where=str(source))
    return payload


def check_payload(payload: Any, *, kind: str, versions: tuple[int, ...], where: str) -> None:
    """Check that ``payload`` is a dict of ``kind`` in one of ``versions`` (as written by ``to_dict``).

    Raises:
        InvalidInputError: it is not a dict, is of another kind or has an unknown format version.
    """
    if not isinstance(payload, dict):
        msg = f"{where} must be a dict as returned by to_dict(), got {type(payload).__name__}"
        raise InvalidInputError(msg)
    found_kind = payload.get("kind", kind)
    version = payload.get("format_version")
    if found_kind != kind or version not in versions:
        msg = (
            f"{where} is a {found_kind!r} payload with format_version {version!r}; this dovetail-core reads "
            f"{kind!r} versions {list(versions)} — upgrade dovetail-core or rebuild the index"
        )
        raise InvalidInputError(msg)


def parse_json_object(data: str | bytes, where: str) -> dict[str, Any]:
    """Parse a JSON string that must hold an object.

    Raises:
        InvalidInputError: not JSON, or not an object.
    """
    try:
        payload = json.loads(data)
    except (TypeError, ValueError) as exc:
        msg = f"{where} is not valid JSON ({exc}); pass the string returned by to_json()"
        raise InvalidInputError(msg) from exc
    if not isinstance(payload, dict):
        msg = f"{where} does not hold a JSON object; pass the string returned by to_json()"
        raise InvalidInputError(msg)
    return payload


class StagedCommit:
    """Write a set of files into ``directory`` so that they all change or none does.

    Holds the directory's writer lock from ``__enter__`` to the end of ``__exit__``.

    Example:
        ```python
        with StagedCommit(persist_dir) as stage:
            stage.write_json("docstore.json", payload)
            vector_store.persist(str(stage.path("default__vector_store.json")))
        # after the block every file is in place; a crash inside leaves the previous state
        ```

    Raises:
        ConcurrentWriteError: another process kept the index locked past the lock timeout, or the staging
            folder disappeared before the commit was sealed.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.staging = self.directory / f"{STAGING_DIR}-{secrets.token_hex(8)}"
        self._locks = ExitStack()

    def __enter__(self) -> StagedCommit:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._locks.enter_context(commit_lock(self.directory))
        try:
            _recover_locked(self.directory, discard_unsealed=True)
            self.staging.mkdir()
            # Proof that the folder is still the one this commit made (a re-created one lacks it).
            (self.staging / _OWNER).write_bytes(self.staging.name.encode("ascii"))
        except BaseException:
            self._locks.close()
            raise
        return self

    def path(self, name: str) -> Path:
        """Where to write ``name`` inside the staging area."""
        return self.staging / name

    def write_json(self, name: str, payload: dict[str, Any]) -> None:
        """Write one JSON file into the staging area."""
        atomic_write_json(self.staging / name, payload, create_parent=False)

    def write_with(self, name: str, writer: Callable[[Path], None]) -> None:
        """Let ``writer`` write ``name`` (it receives the staged path)."""
        writer(self.staging / name)

    def _check_staging(self) -> None:
        if not (self.staging / _OWNER).is_file():
            msg = (
                f"the staging folder {self.staging} of a commit to {self.directory} disappeared before the commit "
                "was sealed (another program removed it); nothing was committed — persist again"
            )
            raise ConcurrentWriteError(msg)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        with self._locks:
            if exc_type is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
                return
            try:
                self._check_staging()
            except ConcurrentWriteError:
                shutil.rmtree(self.staging, ignore_errors=True)  # what later writes re-created is ours to drop
                raise
            names = []
            for item in sorted(self.staging.iterdir()):
                if item.is_file() and not item.name.endswith(".tmp") and item.name != _OWNER:
                    with open(item, "rb") as handle:
                        os.fsync(handle.fileno())
                    names.append(item.name)
            fsync_dir(self.staging)
            self._check_staging()
            marker = json.dumps({"files": names}).encode("utf-8")
            atomic_write_bytes(self.staging / _MARKER, marker, create_parent=False)
            _roll_forward(self.directory, self.staging)


def _staging_folders(directory: Path) -> list[Path]:
    try:
        entries = list(directory.iterdir())
    except OSError:
        return []
    return sorted(p for p in entries if p.name.startswith(STAGING_DIR) and p.is_dir())


def _sealed_files(staging: Path) -> list[str] | None:
    """The files a sealed staging folder commits (``[]`` for an old-style marker), ``None`` when unsealed."""
    try:
        raw = (staging / _MARKER).read_bytes()
    except OSError:
        return None
    try:
        listed = json.loads(raw).get("files")
    except (ValueError, AttributeError, RecursionError):
        return []
    return [name for name in listed if isinstance(name, str)] if isinstance(listed, list) else []


def _roll_forward(directory: Path, staging: Path) -> None:
    """Move a sealed set into place (readers excluded meanwhile), then drop the vectors files it supersedes."""
    committed = _sealed_files(staging) or []
    with snapshot_lock(directory, exclusive=True):
        if not staging.is_dir():
            return  # another thread of this process moved it meanwhile
        for item in sorted(staging.iterdir()):
            if item.name in {_MARKER, _OWNER} or not item.is_file() or item.name.endswith(".tmp"):
                continue
            os.replace(item, directory / item.name)
        fsync_dir(directory)
        for stale in _superseded(directory, committed):
            stale.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        fsync_dir(directory)


def _superseded(directory: Path, committed: list[str]) -> list[Path]:
    """Vectors files (``<stem>.npy``, ``<stem>.<hex>.npy``) of the committed JSON files that the set replaced."""
    keep = set(committed)
    stems = [name[: -len(".json")] for name in committed if name.endswith(".json")]
    found = []
    for stem in stems:
        for candidate in directory.glob(f"{glob.escape(stem)}*.npy"):
            middle = candidate.name[len(stem) : -len(".npy")]
            per_write = len(middle) == 13 and middle[0] == "." and all(c in "0123456789abcdef" for c in middle[1:])
            if candidate.name not in keep and (middle == "" or per_write):
                found.append(candidate)
    return found


def _recover_locked(directory: Path, *, discard_unsealed: bool) -> None:
    """With the writer lock held: finish sealed commits, and (writers only) delete unsealed staging folders."""
    for staging in _staging_folders(directory):
        if _sealed_files(staging) is not None:
            logger.info("finishing an interrupted persist in %s", directory)
            _roll_forward(directory, staging)
        elif discard_unsealed:
            logger.info("discarding an unfinished persist in %s", directory)
            shutil.rmtree(staging, ignore_errors=True)


def recover(directory: str | os.PathLike[str]) -> None:
    """Finish an interrupted :class:`StagedCommit` in ``directory`` (a no-op when there is none).

    Safe while other processes read or write: a sealed set is rolled forward only when no writer holds the
    lock (its writer died), and an unsealed staging folder is never deleted here — it may be another process's
    commit in progress; the next writer removes it under the lock.
    """
    path = Path(directory)
    if not any(_sealed_files(staging) is not None for staging in _staging_folders(path)):
        return
    if not try_writer_lock(path):
        return  # a live writer is moving its commit into place; the snapshot lock makes readers wait for it
    try:
        _recover_locked(path, discard_unsealed=False)
    finally:
        release(path)


def require_dir(directory: str | os.PathLike[str]) -> Path:
    """``directory`` as a Path, or a NotFoundError that says how to create an index there."""
    path = Path(directory)
    if not path.is_dir():
        msg = f"no index at {path}: the directory does not exist — build one with `dovetail ingest PATH --index {path}`"
        raise NotFoundError(msg)
    return path
