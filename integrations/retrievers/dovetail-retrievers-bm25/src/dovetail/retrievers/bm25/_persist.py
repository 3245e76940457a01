"""The on-disk form of a BM25 retriever: a folder of JSON, JSON lines and ``bm25s``'s own ``.npy`` arrays.

```
<dir>/retriever.json    settings, format version, node count
<dir>/nodes.jsonl       one node per line (BaseNode.to_dict, no embeddings)
<dir>/bm25/             bm25s.BM25.save(): params.index.json, vocab.index.json, *.csc.index.npy
```

A folder is written beside the target and renamed into place, so readers see the old or the new folder, never a
mix. Nothing is pickled: arrays are loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import bm25s
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.schema import BaseNode
from dovetail.core.schema import node_from_dict

__all__ = ["FORMAT_VERSION", "load_dir", "save_dir"]

FORMAT_VERSION = 1
_SETTINGS = "retriever.json"
_NODES = "nodes.jsonl"
_ARRAYS = "bm25"
_KIND = "dovetail-bm25-retriever"


def save_dir(target: Path, settings: dict[str, Any], nodes: list[BaseNode], bm25: Any) -> None:
    """Write a retriever folder at ``target`` atomically (an existing folder there is replaced)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        header = {"kind": _KIND, "format_version": FORMAT_VERSION, "node_count": len(nodes), **settings}
        (staging / _SETTINGS).write_text(json.dumps(header, indent=2), encoding="utf-8")
        with (staging / _NODES).open("w", encoding="utf-8") as out:
            for node in nodes:
                out.write(json.dumps(node.to_dict(), ensure_ascii=False) + "\n")
        if bm25 is not None:
            bm25.save(str(staging / _ARRAYS), allow_pickle=False, show_progress=False)
        os.chmod(staging, 0o777 & ~_umask())
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    retired = target.with_name(f".{target.name}.old-{os.getpid()}")
    target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def _settings(folder: Path) -> dict[str, Any]:
    path = folder / _SETTINGS
    if not path.is_file():
        msg = f"no BM25 retriever at {folder} ({_SETTINGS} missing); build one and call persist({str(folder)!r})"
        raise NotFoundError(msg)
    try:
        header = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"{path} is not valid JSON ({type(exc).__name__}); rebuild the BM25 retriever"
        raise InvalidInputError(msg) from None
    if not isinstance(header, dict) or header.get("kind") != _KIND:
        msg = f"{path} is not a BM25 retriever file; rebuild the BM25 retriever"
        raise InvalidInputError(msg)
    if header.get("format_version") != FORMAT_VERSION:
        msg = f"{path} has format version {header.get('format_version')!r}; this version reads {FORMAT_VERSION}"
        raise InvalidInputError(msg)
    required = {
        "node_count": int,
        "similarity_top_k": int,
        "language": str,
        "skip_stemming": bool,
        "custom_stemmer": bool,
        "token_pattern": str,
        "k1": float,
        "b": float,
    }
    for key, kind in required.items():
        value = header.get(key)
        if not isinstance(value, kind) and not (kind is float and isinstance(value, int)):
            msg = f"{path}: {key!r} is missing or not a {kind.__name__}; rebuild the BM25 retriever"
            raise InvalidInputError(msg)
    if header.get("filters") is not None and not isinstance(header["filters"], dict):
        msg = f"{path}: 'filters' must be an object or null; rebuild the BM25 retriever"
        raise InvalidInputError(msg)
    return header


def _nodes(folder: Path, expected: int) -> list[BaseNode]:
    nodes = []
    with (folder / _NODES).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                data = json.loads(line)
            except ValueError:
                msg = f"{folder / _NODES}:{number} is not valid JSON; rebuild the BM25 retriever"
                raise InvalidInputError(msg) from None
            if not isinstance(data, dict):
                msg = f"{folder / _NODES}:{number} is not a node object; rebuild the BM25 retriever"
                raise InvalidInputError(msg)
            nodes.append(node_from_dict(data))
    if len(nodes) != expected:
        msg = f"{folder / _NODES} holds {len(nodes)} nodes, {_SETTINGS} says {expected}; rebuild the BM25 retriever"
        raise InvalidInputError(msg)
    return nodes


def load_dir(folder: Path) -> tuple[dict[str, Any], list[BaseNode], Any]:
    """``(settings, nodes, bm25s.BM25 or None)`` from a folder written by :func:`save_dir`."""
    header = _settings(folder)
    if not (folder / _NODES).is_file():
        msg = f"{folder / _NODES} is missing; rebuild the BM25 retriever"
        raise InvalidInputError(msg)
    nodes = _nodes(folder, header["node_count"])
    if not nodes:
        return header, nodes, None
    try:
        bm25 = bm25s.BM25.load(str(folder / _ARRAYS), allow_pickle=False, show_progress=False, verbosity=0)
    except (OSError, ValueError, KeyError) as exc:
        msg = f"the BM25 arrays under {folder / _ARRAYS} cannot be read ({type(exc).__name__}); rebuild the retriever"
        raise InvalidInputError(msg) from None
    if int(bm25.scores.get("num_docs", -1)) != len(nodes):
        msg = f"the BM25 arrays under {folder} index {bm25.scores.get('num_docs')} documents, not {len(nodes)}"
        raise InvalidInputError(msg)
    return header, nodes, bm25
