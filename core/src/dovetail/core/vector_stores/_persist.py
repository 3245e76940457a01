"""On-disk format of :class:`SimpleVectorStore`: a JSON file plus a ``.npy`` file, written atomically.

``<path>`` (JSON) holds ``format_version``, ``similarity``, ``dimension``, ``count``, the node ids and the nodes
(without embeddings) and the name of the vectors file; ``<path stem>.npy`` holds the ``(count, dimension)``
float32 matrix (``np.save``; loaded with ``allow_pickle=False``). Each file is written to a temporary file in
the same directory and renamed over the target; the vectors go first and the JSON last, so the JSON always
describes a complete vectors file.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
from dovetail.core._exceptions import InvalidInputError, NotFoundError

__all__ = ["FORMAT_VERSION", "read_store", "vectors_path", "write_store"]

FORMAT_VERSION = 1
_KIND = "dovetail.SimpleVectorStore"


def _file_mode() -> int:
    umask = os.umask(0)  # read the umask (there is no getter); set back at once
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


def vectors_path(path: Path) -> Path:
    """Where the vectors of the store persisted at ``path`` live (``store.json`` → ``store.npy``)."""
    return path.with_suffix(".npy") if path.suffix != ".npy" else path.with_suffix(".vectors.npy")


def _atomic_write(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600 files; an index is shared like the other index files
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_store(
    path: Path, header: dict[str, Any], nodes: list[dict[str, Any]], vectors: npt.NDArray[np.float32]
) -> None:
    """Write ``vectors`` then the JSON document (``header`` + ``nodes``) to ``path``."""
    npy = vectors_path(path)
    _atomic_write(npy, lambda handle: np.save(handle, np.ascontiguousarray(vectors), allow_pickle=False))
    document = {
        "kind": _KIND,
        "format_version": FORMAT_VERSION,
        **header,
        "count": int(vectors.shape[0]),
        "vectors_file": npy.name,
        "nodes": nodes,
    }
    _atomic_write(path, lambda handle: _write_json(handle, document))


def _write_json(handle: IO[bytes], document: dict[str, Any]) -> None:
    # Streamed in pieces: a store of 60,000 nodes would otherwise be held twice more (str and bytes) while writing.
    text = io.TextIOWrapper(handle, encoding="utf-8")
    json.dump(document, text, ensure_ascii=False, separators=(",", ":"))
    text.flush()
    text.detach()  # the caller still flushes, syncs and closes the binary handle


def read_store(path: Path) -> tuple[dict[str, Any], npt.NDArray[np.float32]]:
    """Read and validate a persisted store; returns the JSON document and the vectors.

    Raises:
        NotFoundError: a file is missing.
        InvalidInputError: corrupted JSON/npy, another format version, or files that do not match.
    """
    if not path.is_file():
        msg = f"no persisted vector store at {path}; call persist() first or check the path"
        raise NotFoundError(msg)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"{path} is not valid vector-store JSON ({exc}); rebuild: `dovetail ingest --rebuild PATH`"
        raise InvalidInputError(msg) from exc
    if not isinstance(document, dict) or document.get("kind") != _KIND:
        msg = f"{path} is not a persisted SimpleVectorStore (missing kind {_KIND!r})"
        raise InvalidInputError(msg)
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        msg = (
            f"{path} has format_version {version!r}, this dovetail reads version {FORMAT_VERSION}; "
            "re-create the store with this version or use the dovetail release that wrote it"
        )
        raise InvalidInputError(msg)
    npy = path.parent / str(document.get("vectors_file", ""))
    if not npy.is_file():
        msg = f"vectors file {npy} of {path} is missing; persist() writes both files, copy them together"
        raise NotFoundError(msg)
    try:
        vectors = np.load(npy, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        msg = f"{npy} is not a readable .npy file ({exc}); rebuild: `dovetail ingest --rebuild PATH`"
        raise InvalidInputError(msg) from exc
    _check_shapes(path, document, vectors)
    return document, vectors


def _check_shapes(path: Path, document: dict[str, Any], vectors: npt.NDArray[Any]) -> None:
    count, dimension = document.get("count"), document.get("dimension")
    ids, nodes = document.get("ids"), document.get("nodes")
    if not (isinstance(ids, list) and isinstance(nodes, list) and len(ids) == len(nodes) == count):
        msg = f"{path} is inconsistent: count {count!r} does not match its ids/nodes lists"
        raise InvalidInputError(msg)
    if len(set(ids)) != len(ids):
        msg = f"{path} is inconsistent: duplicate node ids"
        raise InvalidInputError(msg)
    expected = (count, dimension) if count else None
    if vectors.dtype != np.float32 or vectors.ndim != 2 or (expected is not None and vectors.shape != expected):
        msg = (
            f"vectors in {path.parent / str(document.get('vectors_file'))} have shape {vectors.shape} and dtype "
            f"{vectors.dtype}, expected {(count, dimension)} float32; the two files do not belong together"
        )
        raise InvalidInputError(msg)
    if count and not np.isfinite(vectors).all():
        msg = f"vectors of {path} contain NaN or infinity; the file is corrupted"
        raise InvalidInputError(msg)
