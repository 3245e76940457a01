"""Where ``IngestionPipeline.persist`` / ``load`` write and read, with LlamaIndex's keywords.

LlamaIndex's ``persist(persist_dir="./pipeline_storage", fs=None, cache_name=..., docstore_name=...)``: the two
file names are taken as given (dovetail's defaults: ``ingestion_cache.json`` and ``docstore.json``), ``fs`` only
as ``None`` (the files are local).
"""

from __future__ import annotations

import os
from pathlib import Path

from dovetail.core._exceptions import InvalidInputError

__all__ = ["DEFAULT_PERSIST_DIR", "persist_paths"]

DEFAULT_PERSIST_DIR = "./pipeline_storage"
"""LlamaIndex's default folder of ``IngestionPipeline.persist`` / ``load``."""


def persist_paths(
    owner: str, persist_dir: str | os.PathLike[str], fs: object | None, cache_name: object, docstore_name: object
) -> tuple[Path, Path]:
    """``(cache file, docstore file)`` under ``persist_dir``.

    Raises:
        InvalidInputError: ``fs`` is not ``None``, or a name is not a plain file name.
    """
    if fs is not None:
        msg = (
            f"{owner}() writes and reads local files only; pass a local persist_dir and fs=None "
            "(fsspec file systems are not supported)"
        )
        raise InvalidInputError(msg)
    names: list[str] = []
    for keyword, name in (("cache_name", cache_name), ("docstore_name", docstore_name)):
        if not isinstance(name, str) or name in {"", ".", ".."} or "/" in name or os.sep in name:
            msg = f"{owner}() takes {keyword} as a plain file name such as 'docstore.json' (no folder), got {name!r}"
            raise InvalidInputError(msg)
        names.append(name)
    if names[0] == names[1]:
        msg = f"{owner}() got the same file name {names[0]!r} for the cache and the docstore; give each its own"
        raise InvalidInputError(msg)
    directory = Path(persist_dir)
    return directory / names[0], directory / names[1]
