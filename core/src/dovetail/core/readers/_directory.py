"""``SimpleDirectoryReader``: load a folder (or a list of files) of text, Markdown, JSON, CSV and HTML.

Document ids — a deliberate difference from LlamaIndex
------------------------------------------------------
LlamaIndex gives each document a random uuid unless ``filename_as_id=True``. dovetail's ingestion de-duplicates
and upserts by document id, so a random id would re-embed and duplicate every file on each run. dovetail therefore
defaults to a **stable id derived from the path**:

* files found under ``input_dir``: the POSIX path relative to ``input_dir`` (``"guides/setup.md"``), so the id
  survives moving or re-checking-out the folder elsewhere;
* files passed as ``input_files``: the absolute POSIX path of the file;
* ``filename_as_id=True`` (LlamaIndex compatible): the path as listed (``input_dir`` joined with the relative
  path, or the path as passed), unchanged.

Each file gives one document, except files handled by a ``file_extractor`` reader that returns several: those
get ``"<id>#<n>"``. Metadata holds ``file_path``, ``file_name``, ``file_type``, ``file_size``, ``creation_date``
and ``last_modified_date`` (UTC dates); the access time is left out on purpose, as it changes on every read and
would change the document hash. All keys but ``file_path`` are excluded from the embedding and LLM text.

Encodings and links
-------------------
Bytes are never dropped in silence: with the default ``encoding="utf-8"`` a file that is not UTF-8 is decoded
by its byte-order mark, its own declaration or as Windows-1252 (see :mod:`dovetail.core.readers._decode`), and
:attr:`SimpleDirectoryReader.decodings` tells, per file, which encoding was used and why. Symbolic links under
``input_dir`` that point outside it are skipped (and listed in ``skipped_symlinks``, with a warning) unless
``allow_external_symlinks=True``: a link such as ``notes.md -> ../secret/credentials`` must not pull a file
the caller did not mean to share into an index.
"""

from __future__ import annotations

import codecs
import logging
import mimetypes
import os
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timezone
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from dovetail.core._exceptions import DovetailError
from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import NotFoundError
from dovetail.core._kwargs import reject_unknown_keywords
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.concurrency import run_in_thread
from dovetail.core.readers._base import BaseReader
from dovetail.core.readers._decode import Decoding
from dovetail.core.readers._decode import decode_bytes
from dovetail.core.readers._decode import looks_binary
from dovetail.core.readers._parsers import PARSERS
from dovetail.core.readers._parsers import parse_text
from dovetail.core.schema import Document

__all__ = ["SimpleDirectoryReader", "default_file_metadata"]

logger = logging.getLogger(__name__)

EXCLUDED_METADATA = ["file_name", "file_type", "file_size", "creation_date", "last_modified_date"]
_BYTE_CODECS = frozenset({"utf-8", "ascii", "iso8859-1", "cp1252"})


def leaves_folder(path: Path, root: Path) -> bool:
    """Whether ``path`` (under ``root``) is, or sits in, a symbolic link resolving outside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return True
    return False


def _date(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")


def default_file_metadata(file_path: str) -> dict[str, Any]:
    """The metadata ``SimpleDirectoryReader`` attaches to each document of ``file_path``."""
    path = Path(file_path)
    stat = path.stat()
    created = getattr(stat, "st_birthtime", stat.st_ctime)
    return {
        "file_path": str(path.resolve()),
        "file_name": path.name,
        "file_type": mimetypes.guess_type(path.name)[0] or "text/plain",
        "file_size": stat.st_size,
        "creation_date": _date(created),
        "last_modified_date": _date(stat.st_mtime),
    }


def _matches(rel: str, patterns: Sequence[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    for pattern in patterns:
        bare = pattern.removeprefix("**/").removeprefix("./")
        if fnmatchcase(rel, bare) or fnmatchcase(rel, pattern) or ("/" not in bare and fnmatchcase(name, bare)):
            return True
        if rel.startswith(bare.rstrip("/") + "/"):  # a directory pattern excludes what is under it
            return True
    return False


class SimpleDirectoryReader(BaseReader):
    """Read every supported file of a folder (or the given files) into documents, one per file.

    ``.txt``/``.md`` are kept as is, ``.json`` is pretty-printed, ``.csv`` rows are joined one per line
    (cells joined by ``", "``), ``.html`` becomes its visible text; other extensions are read as plain text and
    binary files are skipped. See the module docstring for how document ids are chosen.

    Args:
        input_dir: folder to read.
        input_files: explicit files to read (instead of ``input_dir``).
        exclude: glob patterns (relative to ``input_dir``) of files or folders to skip, e.g. ``["*.csv", "drafts"]``.
        exclude_hidden: skip files and folders whose name starts with ``"."`` (default ``True``).
        exclude_empty: skip files of zero bytes found under ``input_dir`` (default ``False``, as in LlamaIndex;
            ``input_files`` are read as given). Without it an empty file gives a document with empty text.
        errors: with an explicit ``encoding``, how undecodable bytes are handled: ``"ignore"`` (default) or
            ``"replace"`` (the count is reported in :attr:`decodings` and logged), or ``"strict"`` (the file is
            then unreadable: skipped, or raised with ``raise_on_error``). With the default UTF-8, ``"strict"``
            makes non-UTF-8 files unreadable; the other policies never drop a byte (see the module docstring).
        recursive: descend into sub-folders.
        encoding: text encoding of the files; the default ``"utf-8"`` also detects a BOM, a declared encoding
            and Windows-1252 for files that are not UTF-8.
        filename_as_id: use the listed path as the id (LlamaIndex behaviour) instead of the relative path.
        required_exts: only read these extensions, e.g. ``[".md", ".txt"]``.
        file_extractor: a reader per extension (``{".pdf": MyPdfReader()}``), called as
            ``reader.load_data(path, extra_info=metadata)``.
        num_files_limit: read at most this many files (after sorting by path).
        file_metadata: ``callable(path) -> dict`` replacing :func:`default_file_metadata`.
        raise_on_error: raise on an unreadable file instead of logging and skipping it.
        allow_external_symlinks: also read links under ``input_dir`` that point outside it (default: skip and
            report them in :attr:`skipped_symlinks`).
        fs: LlamaIndex's fsspec file system; only ``None`` (the local file system) is taken.

    Attributes:
        decodings: per file read (path as listed), the :class:`~dovetail.core.readers._decode.Decoding` used.
        skipped_symlinks: links left out because they point outside ``input_dir``.

    Raises:
        NotFoundError: ``input_dir`` or one of ``input_files`` does not exist.
        InvalidInputError: neither or both inputs given, bad options, ``fs`` other than ``None``, or no file left
            after filtering.

    Example:
        ```python
        reader = SimpleDirectoryReader("docs", recursive=True, required_exts=[".md"])
        for doc in reader.lazy_load_data():
            print(doc.id_, doc.metadata["file_size"])
        ```
    """

    @suggest_keywords
    def __init__(
        self,
        input_dir: str | os.PathLike[str] | None = None,
        input_files: Sequence[str | os.PathLike[str]] | None = None,
        exclude: Sequence[str] | None = None,
        exclude_hidden: bool = True,
        exclude_empty: bool = False,
        errors: str = "ignore",
        recursive: bool = False,
        encoding: str = "utf-8",
        filename_as_id: bool = False,
        required_exts: Sequence[str] | None = None,
        file_extractor: dict[str, BaseReader] | None = None,
        num_files_limit: int | None = None,
        file_metadata: Callable[[str], dict[str, Any]] | None = None,
        raise_on_error: bool = False,
        allow_external_symlinks: bool = False,
        fs: object | None = None,
    ) -> None:
        if fs is not None:
            raise InvalidInputError(_fs_refusal("SimpleDirectoryReader"))
        try:
            codecs.lookup(encoding)
            codecs.lookup_error(errors)
        except LookupError as exc:
            msg = f"unknown encoding {encoding!r} or errors policy {errors!r}; use e.g. 'utf-8' with 'ignore'/'strict'"
            raise InvalidInputError(msg) from exc
        if num_files_limit is not None and num_files_limit < 1:
            msg = f"num_files_limit must be a positive int or None, got {num_files_limit!r}"
            raise InvalidInputError(msg)
        if (input_dir is None) == (input_files is None):
            msg = "pass exactly one of input_dir (a folder) or input_files (a list of files)"
            raise InvalidInputError(msg)
        self.input_dir = Path(input_dir) if input_dir is not None else None
        self.exclude = list(exclude or [])
        self.exclude_hidden = exclude_hidden
        self.exclude_empty = exclude_empty
        self.errors = errors
        self.recursive = recursive
        self.encoding = encoding
        self.filename_as_id = filename_as_id
        self.required_exts = {e.lower() if e.startswith(".") else f".{e.lower()}" for e in required_exts or []}
        self.file_extractor = {k.lower(): v for k, v in (file_extractor or {}).items()}
        self.num_files_limit = num_files_limit
        self.file_metadata = file_metadata or default_file_metadata
        self.raise_on_error = raise_on_error
        self._byte_codec = codecs.lookup(encoding).name in _BYTE_CODECS
        self.allow_external_symlinks = allow_external_symlinks
        self.decodings: dict[str, Decoding] = {}
        self.skipped_symlinks: list[Path] = []
        self.input_files: list[Path] = self._list_files(input_files)

    def __repr__(self) -> str:
        where = f"input_dir={str(self.input_dir)!r}" if self.input_dir else f"input_files={len(self.input_files)}"
        return f"SimpleDirectoryReader({where}, files={len(self.input_files)}, recursive={self.recursive})"

    # ---- listing -----------------------------------------------------------------------------------------

    def _wanted(self, rel: str) -> bool:
        if self.required_exts and Path(rel).suffix.lower() not in self.required_exts:
            return False
        return not (self.exclude and _matches(rel, self.exclude))

    def _list_files(self, input_files: Sequence[str | os.PathLike[str]] | None) -> list[Path]:
        if input_files is not None:
            files = [Path(f) for f in input_files]
            for path in files:
                if not path.is_file():
                    msg = f"input file {str(path)!r} does not exist or is not a file; check the path"
                    raise NotFoundError(msg)
            found = [p for p in files if self._wanted(p.as_posix())]
            where = f"{len(files)} input_files"
        else:
            assert self.input_dir is not None
            if not self.input_dir.is_dir():
                msg = (
                    f"input_dir {str(self.input_dir)!r} does not exist or is not a directory; create it or fix the path"
                )
                raise NotFoundError(msg)
            found = sorted(self._walk(self.input_dir))
            where = f"input_dir {str(self.input_dir)!r}"
        if not found:
            msg = (
                f"no files found in {where} (recursive={self.recursive}, required_exts={sorted(self.required_exts)}, "
                f"exclude={self.exclude}, exclude_hidden={self.exclude_hidden}, exclude_empty={self.exclude_empty}); "
                "add files or relax the filters"
            )
            raise InvalidInputError(msg)
        return found[: self.num_files_limit] if self.num_files_limit else found

    def _walk(self, root: Path) -> Iterator[Path]:
        for folder, dirs, names in os.walk(root):
            rel_folder = Path(folder).relative_to(root).as_posix()
            prefix = "" if rel_folder == "." else f"{rel_folder}/"
            if not self.recursive:
                dirs.clear()
            else:
                dirs[:] = [
                    d
                    for d in dirs
                    if not (self.exclude_hidden and d.startswith("."))
                    and not (self.exclude and _matches(prefix + d, self.exclude))
                ]
            for name in names:
                if self.exclude_hidden and name.startswith("."):
                    continue
                path = Path(folder) / name
                if not (path.is_file() and self._wanted(prefix + name)):
                    continue
                if self.exclude_empty and path.stat().st_size == 0:
                    logger.debug("skipping empty file %s (exclude_empty=True)", path)
                    continue
                if path.is_symlink() and not self.allow_external_symlinks and leaves_folder(path, root):
                    logger.warning(
                        "skipping %s: it links outside %s (pass allow_external_symlinks=True to read it)", path, root
                    )
                    self.skipped_symlinks.append(path)
                    continue
                yield path

    # ---- reading -----------------------------------------------------------------------------------------

    def _doc_id(self, path: Path) -> str:
        if self.filename_as_id:
            return str(path)
        if self.input_dir is not None:
            return path.relative_to(self.input_dir).as_posix()
        return path.resolve().as_posix()

    def _read(self, path: Path, metadata: dict[str, Any]) -> list[Document]:
        suffix = path.suffix.lower()
        base_id = self._doc_id(path)
        extractor = self.file_extractor.get(suffix)
        if extractor is not None:
            docs = extractor.load_data(path, extra_info=metadata)
            for number, doc in enumerate(docs):
                doc.metadata = {**metadata, **doc.metadata}
                doc.id_ = base_id if len(docs) == 1 else f"{base_id}#{number}"
            return docs
        data = self.read_file_content(path)
        parser = PARSERS.get(suffix)
        if self._byte_codec and looks_binary(data):
            msg = f"{path} looks binary; exclude it or pass a file_extractor for {suffix or 'files without extension'}"
            raise InvalidInputError(msg)
        raw, decoding = decode_bytes(data, self.encoding, self.errors)
        del data
        self.decodings[str(path)] = decoding
        if decoding.lost:
            logger.warning("%s: %d undecodable byte(s) as %s (%s)", path, decoding.lost, self.encoding, self.errors)
        elif decoding.encoding not in ("utf-8", "ascii"):
            logger.info("%s decoded as %s: %s", path, decoding.encoding, decoding.reason)
        text = (parser or parse_text)(raw)
        return [
            Document(
                id_=base_id,
                text=text,
                metadata=metadata,
                excluded_embed_metadata_keys=list(EXCLUDED_METADATA),
                excluded_llm_metadata_keys=list(EXCLUDED_METADATA),
            )
        ]

    def load_file(self, input_file: str | os.PathLike[str]) -> list[Document]:
        """Documents of one file; an unreadable file gives ``[]`` (logged) unless ``raise_on_error``."""
        path = Path(input_file)
        try:
            return self._read(path, dict(self.file_metadata(str(path))))
        except (OSError, UnicodeDecodeError, DovetailError) as exc:
            if self.raise_on_error:
                if isinstance(exc, DovetailError):
                    raise
                if isinstance(exc, FileNotFoundError):
                    msg = f"file {str(path)!r} disappeared while reading; list the folder again"
                    raise NotFoundError(msg) from exc
                msg = f"cannot read {str(path)!r} ({type(exc).__name__}: {exc}); fix encoding/permissions or exclude it"
                raise InvalidInputError(msg) from exc
            logger.warning("skipping unreadable file %s: %s: %s", path, type(exc).__name__, exc)
            return []

    def iter_data(self, show_progress: bool = False) -> Iterator[list[Document]]:
        """Yield the documents of each file in turn (a list per file)."""
        total = len(self.input_files)
        for number, path in enumerate(self.input_files, 1):
            if show_progress:
                logger.info("reading file %d/%d: %s", number, total, path)
            yield self.load_file(path)

    def lazy_load_data(self, show_progress: bool = False, **load_kwargs: Any) -> Iterator[Document]:
        """Yield documents file by file, reading each file only when the previous one was consumed.

        Raises:
            TypeError: an unknown keyword (checked at the call, before any file is read).
            InvalidInputError: ``fs`` other than ``None`` (only the local file system is read).
        """
        _check_load_keywords("lazy_load_data", load_kwargs, ("show_progress",))
        return self._lazy(show_progress)

    def _lazy(self, show_progress: bool) -> Iterator[Document]:
        for docs in self.iter_data(show_progress=bool(show_progress)):
            yield from docs

    def load_data(
        self, show_progress: bool = False, num_workers: int | None = None, **load_kwargs: Any
    ) -> list[Document]:
        """All documents, in file order; ``num_workers`` > 1 reads files in that many threads.

        Raises:
            TypeError: an unknown keyword, naming the closest valid one.
            InvalidInputError: ``fs`` other than ``None`` (only the local file system is read).
        """
        _check_load_keywords("load_data", load_kwargs, ("show_progress", "num_workers"))
        if not num_workers or num_workers < 2:
            return [doc for docs in self.iter_data(show_progress=show_progress) for doc in docs]
        with ThreadPoolExecutor(max_workers=num_workers) as pool:
            return [doc for docs in pool.map(self.load_file, self.input_files) for doc in docs]

    async def aload_data(
        self, show_progress: bool = False, num_workers: int | None = None, **load_kwargs: Any
    ) -> list[Document]:
        """Async :meth:`load_data`: the files are read in a worker thread.

        Raises:
            TypeError: an unknown keyword, naming the closest valid one.
            InvalidInputError: ``fs`` other than ``None`` (only the local file system is read).
        """
        _check_load_keywords("aload_data", load_kwargs, ("show_progress", "num_workers"))
        return await run_in_thread(self.load_data, show_progress, num_workers)

    # ---- resources (LlamaIndex's ResourcesReaderMixin) ------------------------------------------------------

    def list_resources(self, *args: Any, **kwargs: Any) -> list[str]:
        """The files this reader would read, as path strings (the ids :meth:`load_resource` takes)."""
        _no_extras("list_resources", args, kwargs)
        return [str(path) for path in self.input_files]

    def _resource(self, resource_id: str) -> Path:
        if resource_id not in {str(path) for path in self.input_files}:
            msg = f"{resource_id!r} is not one of this reader's files; pick one from list_resources()"
            raise NotFoundError(msg)
        return Path(resource_id)

    def get_resource_info(self, resource_id: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """``file_path``, ``file_size``, ``creation_date`` and ``last_modified_date`` of one listed file.

        Raises:
            NotFoundError: ``resource_id`` is not among :meth:`list_resources`, or the file is gone.
        """
        _no_extras("get_resource_info", args, kwargs)
        path = self._resource(resource_id)
        try:
            info = default_file_metadata(str(path))
        except FileNotFoundError as exc:
            msg = f"file {resource_id!r} disappeared; list the folder again"
            raise NotFoundError(msg) from exc
        return {key: info[key] for key in ("file_path", "file_size", "creation_date", "last_modified_date")}

    def load_resource(self, resource_id: str, *args: Any, **kwargs: Any) -> list[Document]:
        """The documents of one listed file (as :meth:`load_file`).

        Raises:
            NotFoundError: ``resource_id`` is not among :meth:`list_resources`.
        """
        _no_extras("load_resource", args, kwargs)
        return self.load_file(self._resource(resource_id))

    async def aload_resource(self, resource_id: str, *args: Any, **kwargs: Any) -> list[Document]:
        """Async :meth:`load_resource` (the file is read in a worker thread)."""
        _no_extras("aload_resource", args, kwargs)
        path = self._resource(resource_id)
        return await run_in_thread(self.load_file, path)

    def read_file_content(self, input_file: str | os.PathLike[str], **kwargs: Any) -> bytes:
        """The raw bytes of ``input_file``."""
        _no_extras("read_file_content", (), kwargs)
        return Path(input_file).read_bytes()


def _check_load_keywords(method: str, kwargs: dict[str, Any], valid: tuple[str, ...]) -> None:
    """LlamaIndex's ``fs=None`` is the local file system, the only one read here (as ``SimpleVectorStore``)."""
    if kwargs.get("fs") is not None:
        raise InvalidInputError(_fs_refusal(f"SimpleDirectoryReader.{method}"))
    reject_unknown_keywords(f"SimpleDirectoryReader.{method}", kwargs, (*valid, "fs"))


def _fs_refusal(owner: str) -> str:
    """What to do instead of passing an fsspec file system to ``owner``."""
    return (
        f"{owner}() reads the local file system only; copy the files to a local folder "
        "and pass fs=None (fsspec file systems are not supported)"
    )


def _no_extras(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """LlamaIndex's resource methods take ``*args, **kwargs``; this reader has no use for them, so none is taken."""
    if args:
        msg = f"SimpleDirectoryReader.{method}() got {len(args)} unexpected positional argument(s)"
        raise TypeError(msg)
    reject_unknown_keywords(f"SimpleDirectoryReader.{method}", kwargs, ())
