"""MongoDB reading: dovetail ``SimpleMongoReader`` vs LlamaIndex's ``SimpleMongoReader`` vs a bare pymongo loop.

One loopback ``secantusdb`` server (MongoDB wire protocol, in-memory WiredTiger; root dev group) holds ``--n``
documents (title, ~180-char body, nested author, tags, year). Every variant reads all of them with the same fields
(text = title + body, metadata = year and author.name) and the run checks each returned ``--n`` documents:

- ``pymongo loop``: ``collection.find(filter, projection)`` and a dict per document (the floor);
- ``dovetail load_data`` / ``dovetail lazy`` / ``dovetail aload_data`` (native ``AsyncMongoClient``);
- ``llama-index load_data``: ``llama-index-readers-mongodb`` in its own venv (``bench/.venv-llamaindex-mongo``,
  installed by this script with uv, never into the project venv), same server, same fields.

Peak traced memory (tracemalloc) is reported for dovetail's eager and streaming loads. Each timed variant keeps the
best of ``--rounds``.

Usage: ``.venv/bin/python bench/bench_mongodb.py [--n 50000] [--rounds 3] [--no-peer]``
"""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import number_options
from _peers import ensure_venv
from _peers import version_of

FIELDS = ["title", "body"]
META = ["year", "author.name"]

PEER_SCRIPT = """
import json, sys, time
import importlib.metadata
import llama_index.readers.mongodb.base as peer_base
from llama_index.readers.mongodb import SimpleMongoReader
# The reader asks for the version of the "llama-index" meta-package for its driver info; only llama-index-core
# is installed here, so answer with that version instead of installing every default integration.
peer_base.version = lambda name: importlib.metadata.version("llama-index-core")
uri, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
reader = SimpleMongoReader(uri=uri)
best = float("inf")
for _ in range(rounds):
    started = time.perf_counter()
    docs = reader.load_data("bench", "docs", field_names=["title", "body"], separator="\\n",
                            metadata_names=["year"])
    best = min(best, time.perf_counter() - started)
    assert len(docs) == n, len(docs)
print(json.dumps({"seconds": best}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server() -> tuple[subprocess.Popen[bytes], str]:
    beside = Path(sys.executable).parent / "secantusd-py"
    exe = str(beside) if beside.exists() else shutil.which("secantusd-py")
    if exe is None:
        raise SystemExit("secantusd-py is not installed; run `make install`")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--host", "127.0.0.1", "--port", str(port), "--storage-path", ":memory:", "--log-level", "WARNING"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc, f"mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=5000"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("secantusd-py did not open its port")


def _seed(uri: str, n: int) -> None:
    from pymongo import MongoClient

    with MongoClient[dict[str, Any]](uri) as client:
        collection = client["bench"]["docs"]
        collection.drop()
        batch: list[dict[str, Any]] = []
        for i in range(n):
            batch.append(
                {
                    "title": f"Title {i}",
                    "body": f"Body {i}: " + "dovetail joints hold drawers together without glue. " * 3,
                    "author": {"name": f"author {i % 97}", "age": 20 + i % 50},
                    "tags": [f"t{i % 5}", f"u{i % 3}"],
                    "year": 2000 + i % 25,
                }
            )
            if len(batch) == 5_000:
                collection.insert_many(batch)
                batch = []
        if batch:
            collection.insert_many(batch)


def _best(fn: Callable[[], int], rounds: int, n: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        count = fn()
        best = min(best, time.perf_counter() - started)
        assert count == n, (count, n)
    return best


def _peak(fn: Callable[[], int]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main() -> int:
    parser = number_options(__doc__, n=50_000, rounds=3)
    parser.add_argument("--no-peer", action="store_true", help="skip the llama-index peer")
    args = parser.parse_args()

    from dovetail.readers.mongodb import SimpleMongoReader
    from pymongo import MongoClient

    proc, uri = _start_server()
    try:
        _seed(uri, args.n)
        client: MongoClient[Any] = MongoClient(uri)
        reader = SimpleMongoReader(uri=uri)
        kwargs: dict[str, Any] = {"field_names": FIELDS, "metadata_names": META, "batch_size": 1000}

        def pymongo_loop() -> int:
            out = [
                {"id": str(d["_id"]), "text": f"{d['title']}\n{d['body']}", "year": d["year"]}
                for d in client["bench"]["docs"].find({}, {"title": 1, "body": 1, "year": 1, "author.name": 1})
            ]
            return len(out)

        def eager() -> int:
            return len(reader.load_data("bench", "docs", **kwargs))

        def lazy() -> int:
            return sum(1 for _ in reader.lazy_load_data("bench", "docs", **kwargs))

        def async_load() -> int:
            return len(asyncio.run(reader.aload_data("bench", "docs", **kwargs)))

        results = {
            "pymongo loop": _best(pymongo_loop, args.rounds, args.n),
            "dovetail load_data": _best(eager, args.rounds, args.n),
            "dovetail lazy": _best(lazy, args.rounds, args.n),
            "dovetail aload_data": _best(async_load, args.rounds, args.n),
        }
        peaks = {"dovetail load_data": _peak(eager), "dovetail lazy": _peak(lazy)}
        peer_version = None
        if not args.no_peer:
            python = ensure_venv(
                "llamaindex-mongo", ["llama-index-readers-mongodb", "pymongo"], "llama_index.readers.mongodb"
            )
            peer_version = version_of(python, "llama-index-readers-mongodb")
            out = subprocess.run(
                [str(python), "-c", PEER_SCRIPT, uri, str(args.n), str(args.rounds)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results["llama-index load_data"] = json.loads(out.strip().splitlines()[-1])["seconds"]
        client.close()
        reader.close()
    finally:
        proc.kill()
        proc.wait()

    base = results["dovetail load_data"]
    print(
        f"{args.n} documents, best of {args.rounds}"
        + (f"; llama-index-readers-mongodb {peer_version}" if peer_version else "")
    )
    print("| variant | seconds | docs/s | time vs dovetail load_data |")
    print("|---|---|---|---|")
    for name, seconds in results.items():
        print(f"| {name} | {seconds:.2f} | {args.n / seconds:,.0f} | {seconds / base:.2f}× |")
    print(f"peak traced memory: load_data {peaks['dovetail load_data']:.1f} MB, lazy {peaks['dovetail lazy']:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
