"""Inter-process locks of a persist directory: one writer at a time, readers never see a half-moved commit.

Two lock files live in the directory:

- ``.dovetail.lock`` — the **writer lock**, exclusive. It is held for every commit and every recovery (rolling
  an interrupted commit forward, discarding an unsealed one). ``dovetail ingest`` holds it for its whole run, so
  a second ingest into the same index waits for the first and then finds its work done.
- ``.dovetail.read.lock`` — the **snapshot lock**: readers hold it shared while they read the files; moving a
  sealed commit into place holds it exclusively for the few renames that takes.

Both are ``flock`` locks, released by the kernel when the process dies (also by ``kill -9``), so a crashed
writer never leaves a stale lock. Inside one process the writer lock is shared by every thread (a pipeline's
checkpoint thread commits under the lock ``dovetail ingest`` took), and :func:`commit_lock` adds a thread lock
so two commits of one process still run one after the other. A directory the process cannot write (a
read-only copy of an index) is read without the snapshot lock: nobody can be writing it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from dovetail.core._exceptions import ConcurrentWriteError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: exclusive byte-range locks instead
    fcntl = None  # type: ignore[assignment]
    import msvcrt

__all__ = ["DEFAULT_LOCK_TIMEOUT", "LOCK_FILE", "READ_LOCK_FILE", "commit_lock", "snapshot_lock", "writer_lock"]

logger = logging.getLogger(__name__)

LOCK_FILE = ".dovetail.lock"
READ_LOCK_FILE = ".dovetail.read.lock"
DEFAULT_LOCK_TIMEOUT = 600.0
"""Seconds a writer waits for another process's write to finish (``DOVETAIL_LOCK_TIMEOUT`` overrides)."""


@dataclass
class _Holder:
    """This process's hold on one directory's writer lock."""

    guard: threading.Lock = field(default_factory=threading.Lock)
    commit: threading.Lock = field(default_factory=threading.Lock)
    fd: int | None = None
    count: int = 0


_holders: dict[str, _Holder] = {}
_registry = threading.Lock()


def _holder(directory: Path) -> _Holder:
    key = os.path.realpath(directory)
    with _registry:
        return _holders.setdefault(key, _Holder())


def _timeout(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    raw = os.environ.get("DOVETAIL_LOCK_TIMEOUT", "")
    try:
        return float(raw) if raw else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def _try_lock(fd: int, exclusive: bool) -> bool:
    if fcntl is None:  # pragma: no cover
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        if fcntl is None:  # pragma: no cover
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(path: Path, *, exclusive: bool, timeout: float, what: str) -> int:
    """Open ``path`` and lock it, polling until ``timeout``; raises ConcurrentWriteError when it runs out."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    deadline = time.monotonic() + timeout
    delay = 0.005
    waited = False
    try:
        while not _try_lock(fd, exclusive):
            if not waited:
                logger.info("waiting for another process to finish writing %s", path.parent)
                waited = True
            if time.monotonic() >= deadline:
                msg = (
                    f"{what} {path.parent}: another process has been writing it for {timeout:.0f} s; wait for it "
                    "to finish (or stop it) and try again — raise DOVETAIL_LOCK_TIMEOUT to wait longer"
                )
                raise ConcurrentWriteError(msg)
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def writer_lock(directory: str | os.PathLike[str], *, timeout: float | None = None) -> Iterator[None]:
    """Hold the directory's writer lock (shared by this process's threads; other processes wait).

    Raises:
        ConcurrentWriteError: another process held it for longer than ``timeout`` seconds.
    """
    path = Path(directory)
    holder = _holder(path)
    with holder.guard:
        if holder.count == 0:
            holder.fd = _acquire(path / LOCK_FILE, exclusive=True, timeout=_timeout(timeout), what="cannot write")
        holder.count += 1
    try:
        yield
    finally:
        with holder.guard:
            holder.count -= 1
            if holder.count == 0 and holder.fd is not None:
                _unlock(holder.fd)
                holder.fd = None


def try_writer_lock(directory: str | os.PathLike[str]) -> bool:
    """Whether this process holds, or could take at once, the writer lock (it is then held: see :func:`release`)."""
    path = Path(directory)
    holder = _holder(path)
    with holder.guard:
        if holder.count == 0:
            try:
                holder.fd = _acquire(path / LOCK_FILE, exclusive=True, timeout=0.0, what="cannot write")
            except (ConcurrentWriteError, OSError):
                return False
        holder.count += 1
    return True


def release(directory: str | os.PathLike[str]) -> None:
    """Release one hold taken by :func:`try_writer_lock`."""
    holder = _holder(Path(directory))
    with holder.guard:
        holder.count -= 1
        if holder.count == 0 and holder.fd is not None:
            _unlock(holder.fd)
            holder.fd = None


@contextmanager
def commit_lock(directory: str | os.PathLike[str], *, timeout: float | None = None) -> Iterator[None]:
    """The writer lock plus this process's commit lock: one commit at a time, across processes and threads."""
    with writer_lock(directory, timeout=timeout), _holder(Path(directory)).commit:
        yield


@contextmanager
def snapshot_lock(directory: str | os.PathLike[str], *, exclusive: bool = False) -> Iterator[None]:
    """Hold the snapshot lock: shared while reading, exclusive while moving a commit into place.

    In a directory this process cannot write, a shared hold is skipped (no writer can exist there).
    """
    path = Path(directory) / READ_LOCK_FILE
    try:
        fd = _acquire(path, exclusive=exclusive, timeout=_timeout(None), what="cannot read")
    except OSError:
        if exclusive:
            raise
        logger.debug("reading %s without the snapshot lock (not writable)", path.parent)
        yield
        return
    try:
        yield
    finally:
        _unlock(fd)
