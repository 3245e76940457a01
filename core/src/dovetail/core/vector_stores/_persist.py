"""On-disk format of :class:`SimpleVectorStore`: a JSON file plus a ``.npy`` file, crash-safe.

``<path>`` (JSON) holds ``format_version``, ``similarity``, ``dimension``, ``count``, the node ids, the nodes
(without embeddings) and ``vectors_file``, the bare name of the ``(count, dimension)`` float32 matrix next to it
(``np.save``; loaded with ``allow_pickle=False``).

Write order, so that a process killed at any instant leaves the old or the new store, never a mix:

1. the vectors go to a new file named per write (``<stem>.<random>.npy``), never over the file the current JSON
   references;
2. the JSON is written to a temporary file and renamed over ``<path>`` last — this rename is the commit;
3. the vectors file the previous JSON referenced is removed, and the folder is fsync'ed.

Stores written before per-write names (``<stem>.npy``) load unchanged; the next persist replaces that file.
Loading checks the ``.npy`` header against the JSON and the file size before reading any vector, so a hostile
or damaged file raises :class:`InvalidInputError` instead of allocating what its header claims.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
from pathlib import Path
from typing import IO
from typing import Any

import numpy as np
import numpy.typing as npt
from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import NotFoundError
from dovetail.core.storage._io import fsync_dir
from dovetail.core.storage._io import replace_synced

__all__ = [
    "FORMAT_VERSION",
    "namespace_file",
    "namespaced_files",
    "read_store",
    "read_store_dict",
    "store_dict",
    "vectors_path",
    "write_store",
]

_NAMESPACED_SUFFIX = "__vector_store.json"

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
_KIND = "dovetail.SimpleVectorStore"
_HEADER_LIMIT = 10_000  # bytes of .npy header numpy itself accepts by default


def vectors_path(path: Path) -> Path:
    """A new, unused vectors file name for the store persisted at ``path`` (``store.json`` → ``store.<hex>.npy``)."""
    return path.with_name(f"{path.stem}.{secrets.token_hex(6)}.npy")


def _referenced_vectors(path: Path) -> str | None:
    """The vectors file the JSON currently at ``path`` references (``None``: none, or unreadable)."""
    try:
        with open(path, "rb") as handle:
            document = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    name = document.get("vectors_file") if isinstance(document, dict) else None
    return name if isinstance(name, str) and _is_bare_name(name) else None


def write_store(
    path: Path, header: dict[str, Any], nodes: list[dict[str, Any]], vectors: npt.NDArray[np.float32]
) -> None:
    """Write ``vectors`` to a new file, then the JSON document (``header`` + ``nodes``) over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = _referenced_vectors(path)
    npy = vectors_path(path)
    matrix = np.ascontiguousarray(vectors)
    replace_synced(npy, lambda handle: np.save(handle, matrix, allow_pickle=False))
    document = {
        "kind": _KIND,
        "format_version": FORMAT_VERSION,
        **header,
        "count": int(vectors.shape[0]),
        "vectors_file": npy.name,
        "nodes": nodes,
    }
    try:
        replace_synced(path, lambda handle: _write_json(handle, document))
    except BaseException:
        npy.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    if previous is not None and previous != npy.name:
        (path.parent / previous).unlink(missing_ok=True)
        fsync_dir(path.parent)


def _write_json(handle: IO[bytes], document: dict[str, Any]) -> None:
    # Streamed in pieces: a store of 60,000 nodes would otherwise be held twice more (str and bytes) while writing.
    text = io.TextIOWrapper(handle, encoding="utf-8")
    json.dump(document, text, ensure_ascii=False, separators=(",", ":"))
    text.flush()
    text.detach()  # the caller still flushes, syncs and closes the binary handle


def _is_bare_name(name: str) -> bool:
    return (
        bool(name)
        and name not in {".", ".."}
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
        and not os.path.isabs(name)
        and ":" not in name
    )


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
        document = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        msg = f"{path} is not valid vector-store JSON ({reason}); rebuild: `dovetail ingest --rebuild PATH`"
        raise InvalidInputError(msg) from None
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
    _check_document(path, document)
    name = document.get("vectors_file")
    if not isinstance(name, str) or not _is_bare_name(name):
        msg = f"{path} names its vectors file {name!r}; it must be a bare file name next to the JSON"
        raise InvalidInputError(msg)
    npy = path.parent / name
    if not npy.is_file():
        msg = f"vectors file {npy} of {path} is missing; persist() writes both files, copy them together"
        raise NotFoundError(msg)
    vectors = _load_vectors(path, npy, document["count"], document.get("dimension"))
    return document, vectors


def _check_document(path: Path, document: dict[str, Any]) -> None:
    count, dimension = document.get("count"), document.get("dimension")
    ids, nodes = document.get("ids"), document.get("nodes")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        msg = f"{path} is inconsistent: count {count!r} is not a non-negative integer"
        raise InvalidInputError(msg)
    if not (isinstance(ids, list) and isinstance(nodes, list) and len(ids) == len(nodes) == count):
        msg = f"{path} is inconsistent: count {count!r} does not match its ids/nodes lists"
        raise InvalidInputError(msg)
    if not all(isinstance(node_id, str) for node_id in ids):
        msg = f"{path} is inconsistent: node ids must be strings"
        raise InvalidInputError(msg)
    if len(set(ids)) != len(ids):
        msg = f"{path} is inconsistent: duplicate node ids"
        raise InvalidInputError(msg)
    if dimension is not None and (isinstance(dimension, bool) or not isinstance(dimension, int) or dimension < 1):
        msg = f"{path} is inconsistent: dimension {dimension!r} is not a positive integer"
        raise InvalidInputError(msg)


def _load_vectors(path: Path, npy: Path, count: int, dimension: int | None) -> npt.NDArray[np.float32]:
    """Read ``npy`` after checking its header against the JSON and its size against the header."""
    try:
        with open(npy, "rb") as handle:
            major, minor = np.lib.format.read_magic(handle)
            if major not in (1, 2, 3):
                msg = f"unsupported .npy version {major}.{minor}"
                raise ValueError(msg)
            reader = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
            try:
                shape, fortran, dtype = reader(handle, max_header_size=_HEADER_LIMIT)
            except Exception as exc:  # numpy parses the header as a Python literal: a hostile one raises anything
                msg = f"unreadable header ({type(exc).__name__})"
                raise ValueError(msg) from None
            offset = handle.tell()
            size = os.fstat(handle.fileno()).st_size
            _check_header(path, npy, (shape, fortran, dtype), count, dimension)
            rows, columns = shape
            if size != offset + rows * columns * 4:
                msg = f"file size {size} does not match its header {shape} float32"
                raise ValueError(msg)
            if rows * columns == 0:
                return np.empty(shape, dtype=np.float32)
            vectors = np.fromfile(handle, dtype=dtype, count=rows * columns).reshape(shape)
    except InvalidInputError:
        raise
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as exc:
        msg = f"{npy} is not a readable .npy file ({exc}); rebuild: `dovetail ingest --rebuild PATH`"
        raise InvalidInputError(msg) from None
    if count and not np.isfinite(vectors).all():
        msg = f"vectors of {path} contain NaN or infinity; the file is corrupted"
        raise InvalidInputError(msg)
    return vectors.astype(np.float32, copy=False)


def _check_header(path: Path, npy: Path, header: tuple[Any, bool, np.dtype[Any]], count: int, dim: int | None) -> None:
    shape, fortran, dtype = header
    expected = (count, dim) if count else None
    float32 = isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize == 4
    two_d = isinstance(shape, tuple) and len(shape) == 2 and all(isinstance(n, int) and n >= 0 for n in shape)
    if not float32 or fortran or not two_d or shape[0] != count or (expected is not None and shape != expected):
        msg = (
            f"vectors in {npy} have shape {shape} and dtype {dtype}, expected {(count, dim)} float32; "
            f"the two files of {path.name} do not belong together"
        )
        raise InvalidInputError(msg)


def store_dict(header: dict[str, Any], nodes: list[dict[str, Any]], vectors: npt.NDArray[np.float32]) -> dict[str, Any]:
    """The JSON-ready dict form of a store: the persisted document with the vectors inline as float lists."""
    return {
        "kind": _KIND,
        "format_version": FORMAT_VERSION,
        **header,
        "count": int(vectors.shape[0]),
        "nodes": nodes,
        "embeddings": vectors.tolist(),
    }


def read_store_dict(save_dict: Any) -> tuple[dict[str, Any], npt.NDArray[np.float32]]:
    """Validate a dict made by :func:`store_dict`; returns it and its vectors as a float32 matrix.

    Raises:
        InvalidInputError: not such a dict, another format version, or vectors that do not match the nodes.
    """
    where = "vector store dict"
    if not isinstance(save_dict, dict) or save_dict.get("kind") != _KIND:
        msg = f"{where} is not a SimpleVectorStore.to_dict() payload (missing kind {_KIND!r})"
        raise InvalidInputError(msg)
    if save_dict.get("format_version") != FORMAT_VERSION:
        msg = f"{where} has format_version {save_dict.get('format_version')!r}; this dovetail reads {FORMAT_VERSION}"
        raise InvalidInputError(msg)
    try:
        vectors = np.asarray(save_dict.get("embeddings", []), dtype=np.float32)
    except (TypeError, ValueError) as exc:
        msg = f"{where} has malformed 'embeddings' ({exc}); pass the dict returned by to_dict()"
        raise InvalidInputError(msg) from exc
    _check_document(Path(where), save_dict)
    count, dimension = save_dict["count"], save_dict.get("dimension")
    if vectors.size == 0 and count == 0:
        return save_dict, np.empty((0, 0), dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape != (count, dimension) or not np.isfinite(vectors).all():
        msg = f"{where} has embeddings of shape {vectors.shape}, expected {(count, dimension)} finite floats"
        raise InvalidInputError(msg)
    return save_dict, vectors


def namespace_file(persist_dir: str | os.PathLike[str], namespace: str) -> Path:
    """``<persist_dir>/<namespace>__vector_store.json``, the file of one store of a persist directory."""
    return Path(persist_dir) / f"{namespace}{_NAMESPACED_SUFFIX}"


def namespaced_files(persist_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Every store file of a persist directory, by namespace.

    Raises:
        NotFoundError: the directory holds no vector store.
    """
    directory = Path(persist_dir)
    found = sorted(directory.glob(f"*{_NAMESPACED_SUFFIX}")) if directory.is_dir() else []
    if not found:
        msg = f"no vector store in {directory}; persist a StorageContext there first (or check the path)"
        raise NotFoundError(msg)
    return {path.name[: -len(_NAMESPACED_SUFFIX)]: path for path in found}
