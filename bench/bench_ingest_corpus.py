"""Ingest a real corpus (≥ 300 standard-library source files) with dovetail and LlamaIndex, same ONNX model.

Both sides read the same folder, split it with ``SentenceSplitter(chunk_size=256, chunk_overlap=32)``, embed the
chunks with all-MiniLM-L6-v2 (int8, the model file shipped for ``dovetail-embeddings-onnx``) and build an
in-memory vector index, each in its own process; the model is loaded and warmed up before the clock starts.
dovetail uses ``OnnxEmbedding`` (defaults: batches of 64 grouped by length, idle ORT threads sleep); LlamaIndex
uses the same model wrapped as a ``BaseEmbedding`` (``_llamaindex_onnx_ingest.py``: dovetail's session options,
each batch padded to its longest text, LlamaIndex's default ``embed_batch_size``) in a separate venv. The two
sides alternate over ``--rounds``. Reported: CPU seconds (user + system) per chunk and their ratio, wall time,
padded tokens per real token of dovetail's batches (and what the previous grouping gave on the same batches),
and retrieval hit@1 of both on questions made from module docstrings (same model, same chunks: it must not drop).

Usage: ``.venv/bin/python bench/bench_ingest_corpus.py [--files 300] [--min-bytes 400] [--max-bytes 2500] [--rounds 1]
[--with-default-options]``
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _common import number_options  # noqa: E402
from _peers import ensure_venv  # noqa: E402
from _peers import version_of  # noqa: E402

# Outside bench/.cache: LlamaIndex's reader skips every file under a hidden folder, parents included.
CORPUS = Path(tempfile.gettempdir()) / "dovetail-bench-stdlib-corpus"
_SKIP = {"site-packages", "dist-packages", "__pycache__", "lib2to3", "turtledemo"}
PEER = ["llama-index-core>=0.12,<0.15", "onnxruntime>=1.18,<2", "tokenizers>=0.19,<1", "numpy>=1.26,<3"]

_DOVETAIL_SIDE = r"""
import json, resource, sys, time
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.readers import SimpleDirectoryReader
from dovetail.embeddings.onnx import OnnxEmbedding

def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime

corpus, questions = sys.argv[1], json.loads(sys.argv[2])
embed = OnnxEmbedding()
embed.get_text_embedding_batch(["warm up the session"] * 4)
runtime = embed._ensure_runtime()
runtime.real_tokens = runtime.padded_tokens = 0
c, w = cpu(), time.perf_counter()
docs = SimpleDirectoryReader(corpus, recursive=True).load_data()
index = VectorStoreIndex.from_documents(
    docs, embed_model=embed, transformations=[SentenceSplitter(chunk_size=256, chunk_overlap=32)]
)
c, w = cpu() - c, time.perf_counter() - w
nodes = index.vector_store.get_nodes()
retriever = index.as_retriever(similarity_top_k=1)
top = [retriever.retrieve(q)[0].node.metadata["file_name"] for q in questions]
texts = [n.get_content(metadata_mode="embed") for n in nodes]
print(json.dumps({"chunks": len(nodes), "cpu": c, "wall": w, "batch": embed.embed_batch_size, "top": top,
                  "real": runtime.real_tokens, "padded": runtime.padded_tokens, "texts": texts}))
"""


def build_corpus(files: int, min_bytes: int, max_bytes: int) -> tuple[Path, list[tuple[str, str]]]:
    """Copy ``files`` stdlib ``.py`` files (tests included; sizes in ``[min_bytes, max_bytes]``, sorted by path)
    into the corpus folder.

    Returns the folder and ``(question, file name)`` pairs: the first line of some module docstrings.
    """
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    chosen: list[Path] = []
    for path in sorted(stdlib.rglob("*.py")):
        relative = path.relative_to(stdlib)
        if _SKIP.intersection(relative.parts) or not min_bytes <= path.stat().st_size <= max_bytes:
            continue
        chosen.append(path)
        if len(chosen) == files:
            break
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    questions: list[tuple[str, str]] = []
    names: set[str] = set()
    for path in chosen:
        target = CORPUS / path.relative_to(stdlib)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        try:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            doc = None
        first = (doc or "").strip().splitlines()[0] if doc else ""
        if len(first) > 25 and path.name not in names and path.name != "__init__.py" and len(questions) < 24:
            questions.append((first, path.name))
        names.add(path.name)
    return CORPUS, questions


def _unlink_hardlinks(python: Path) -> None:
    """Give LlamaIndex's bundled NLTK data files their own inodes: uv installs hard links, which NLTK refuses."""
    for site in python.parent.parent.glob("lib/python*/site-packages/llama_index/core/_static"):
        for path in site.rglob("*"):
            if path.is_file() and path.stat().st_nlink > 1:
                data = path.read_bytes()
                path.unlink()
                path.write_bytes(data)


def _run(command: list[str]) -> dict[str, object]:
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    out = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if out.returncode:
        raise SystemExit(f"{command[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _old_grouping(lengths: list[int], budget: int = 4096) -> tuple[int, int]:
    """Real and padded tokens of the grouping used before (budget only), for the same batches."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    real = padded = start = 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and (stop - start + 1) * lengths[order[stop]] <= budget:
            stop += 1
        real += sum(lengths[i] for i in order[start:stop])
        padded += lengths[order[stop - 1]] * (stop - start)
        start = stop
    return real, padded


def main() -> None:
    parser = number_options(__doc__, files=300, min_bytes=400, max_bytes=2_500, rounds=1)
    parser.add_argument(
        "--with-default-options",
        action="store_true",
        help="also run LlamaIndex with onnxruntime's default session options (spinning threads)",
    )
    parser.add_argument("--peer-batch", type=int, default=None, help="LlamaIndex embed_batch_size (its default: 10)")
    args = parser.parse_args()

    from dovetail.embeddings.onnx._files import resolve_files
    from dovetail.embeddings.onnx._runtime import _tokenizer
    from dovetail.embeddings.onnx._runtime import length_groups

    corpus, pairs = build_corpus(args.files, args.min_bytes, args.max_bytes)
    questions = json.dumps([q for q, _ in pairs])
    model_file, tokenizer_file = resolve_files("all-MiniLM-L6-v2", None, None)
    peer = ensure_venv("llamaindex-onnx", PEER, "llama_index.core, onnxruntime, tokenizers")
    _unlink_hardlinks(peer)
    ours = [sys.executable, "-c", _DOVETAIL_SIDE, str(corpus), questions]
    theirs = [str(peer), str(BENCH / "_llamaindex_onnx_ingest.py"), str(corpus), str(model_file), str(tokenizer_file)]
    theirs += ["--questions", questions] + (["--batch", str(args.peer_batch)] if args.peer_batch else [])
    rows: list[tuple[int, str, dict[str, object]]] = []
    for round_ in range(1, args.rounds + 1):
        sides = [("dovetail", ours), ("LlamaIndex", theirs)]
        if args.with_default_options:
            sides.append(("LlamaIndex, ORT defaults", [*theirs, "--session-options", "default"]))
        for name, command in sides if round_ % 2 else sides[::-1]:
            rows.append((round_, name, _run(command)))

    size = sum(p.stat().st_size for p in corpus.rglob("*.py"))
    print(
        f"corpus: {len(list(corpus.rglob('*.py')))} stdlib .py files ({size / 1e6:.2f} MB, Python "
        f"{sys.version.split()[0]}); llama-index-core {version_of(peer, 'llama-index-core')}, onnxruntime "
        f"{version_of(peer, 'onnxruntime')}; all-MiniLM-L6-v2 int8; SentenceSplitter(256, 32); {os.cpu_count()} CPUs"
    )
    print()
    print("| round | side | chunks | batch | CPU | CPU per chunk | wall | hit@1 |")
    print("|---|---|---|---|---|---|---|---|")
    per_chunk: dict[str, list[float]] = {}
    wall_per_chunk: dict[str, list[float]] = {}
    for round_, name, row in rows:
        chunks = int(row["chunks"])  # type: ignore[call-overload]
        cpu = float(row["cpu"])  # type: ignore[arg-type]
        hits = sum(top == want for top, (_, want) in zip(row["top"], pairs, strict=True))  # type: ignore[call-overload]
        per_chunk.setdefault(name, []).append(cpu / chunks)
        wall_per_chunk.setdefault(name, []).append(float(row["wall"]) / chunks)  # type: ignore[arg-type]
        print(
            f"| {round_} | {name} | {chunks:,} | {row['batch']} | {cpu:.1f} s | {1000 * cpu / chunks:.1f} ms "
            f"| {float(row['wall']):.1f} s | {hits}/{len(pairs)} |"  # type: ignore[arg-type]
        )
    print()
    for peer_name in (name for name in per_chunk if name != "dovetail"):
        ratio = min(per_chunk["dovetail"]) / min(per_chunk[peer_name])
        wall = min(wall_per_chunk["dovetail"]) / min(wall_per_chunk[peer_name])
        print(
            f"dovetail CPU per chunk / {peer_name}'s (best of each): {ratio:.2f}x ({1 / ratio:.2f}x faster); "
            f"wall per chunk {wall:.2f}x"
        )

    ours_row = next(row for _, name, row in rows if name == "dovetail")
    print(f"dovetail padded tokens per real token: {int(ours_row['padded']) / int(ours_row['real']):.3f}")  # type: ignore[call-overload]
    tokenizer = _tokenizer(Path(tokenizer_file), 256)
    texts: list[str] = ours_row["texts"]  # type: ignore[assignment]
    lengths = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    old_real = old_padded = new_real = new_padded = 0
    for start in range(0, len(lengths), 64):
        batch = lengths[start : start + 64]
        real, padded = _old_grouping(batch)
        old_real, old_padded = old_real + real, old_padded + padded
        for group in length_groups(batch):
            new_real += sum(batch[i] for i in group)
            new_padded += batch[group[-1]] * len(group)
    print(
        f"same chunks in batches of 64, stored order: previous grouping {old_padded / old_real:.3f}, "
        f"length groups {new_padded / new_real:.3f} padded tokens per real token"
    )


if __name__ == "__main__":
    main()
