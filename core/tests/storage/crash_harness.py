"""Kill -9 a writer at random points and check what it leaves behind.

Run as a script (one process per scenario, single-threaded, so forking is safe)::

    python crash_harness.py SCENARIO TRIALS SEED WORKDIR

For each trial the harness forks a child that writes (``persist``: a ``SimpleVectorStore`` persisted over and
over, alternating two contents; ``pipeline``: an ``IngestionPipeline`` run with a checkpoint after every
commit; ``cli``: ``dovetail ingest``), sleeps a seeded random delay, sends ``SIGKILL`` and then loads what is
on disk. The index must load and be one of the states a writer can commit:

- ``persist``: exactly content A or content B;
- ``pipeline`` / ``cli``: the reference run's state restricted to a *prefix* of the input documents (documents
  commit in input order), with the ledger, node ids, texts and vectors all equal to the reference's.

The next trial resumes on what the previous one left (also exercising recovery after a crash); once a run
completes, the folder is cleared. The last stdout line is a JSON summary: trials and outcomes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

State = dict[str, Any]
CUT: Counter[str] = Counter()  # trials whose kill landed inside a write (left its temporary files behind)


def _store_state(store: Any) -> State:
    return {
        node.node_id: (node.get_content(), node.ref_doc_id, tuple(node.embedding or ())) for node in store.get_nodes()
    }


# ------------------------------------------------------------------------------------------- persist


def _content(variant: int) -> Any:
    from dovetail.core.schema import TextNode
    from dovetail.core.vector_stores import SimpleVectorStore

    store = SimpleVectorStore()
    ids = [f"n{i}" for i in range(300)]
    if variant:
        ids.reverse()  # same count, other row order: a mixed pair of files would map ids to wrong vectors
    store.add(
        [
            TextNode(id_=node_id, text=f"{node_id} v{variant}", embedding=[float(variant), float(i % 7), 1.0, 0.5])
            for i, node_id in enumerate(ids)
        ]
    )
    return store


def _persist_child(path: Path, contents: list[Any]) -> None:
    turn = 0
    while True:
        contents[turn % 2].persist(str(path))
        turn += 1


def _persist_trials(trials: int, rng: random.Random, work: Path) -> Counter[str]:
    from dovetail.core.vector_stores import SimpleVectorStore

    contents = [_content(0), _content(1)]
    expected = {"A": _store_state(contents[0]), "B": _store_state(contents[1])}
    path = work / "vs.json"
    contents[0].persist(str(path))
    started = time.perf_counter()
    contents[1].persist(str(path))
    base = time.perf_counter() - started
    window = 4 * base  # kills land anywhere within a few persists (grown below if they all land too early)
    outcomes: Counter[str] = Counter()
    before = "B"
    for _ in range(trials):
        # the child starts with the other content, so a trial that commits anything changes the state
        order = contents if before == "B" else contents[::-1]
        leftovers = set(work.iterdir())
        _kill_after(rng.uniform(0, window), lambda order=order: _persist_child(path, order))
        new_files = set(work.iterdir()) - leftovers
        if any(p.name.endswith(".tmp") for p in new_files) or len(list(work.glob("vs.*.npy"))) > 1:
            CUT["writes cut mid-way"] += 1
        try:
            state = _store_state(SimpleVectorStore.from_persist_path(str(path)))
        except Exception as exc:
            outcomes[f"unloadable: {type(exc).__name__}: {exc}"[:200]] += 1
            continue
        label = next((name for name, value in expected.items() if value == state), "mixed")
        outcomes[label] += 1
        for orphan in work.glob("vs.*.npy"):  # a vectors file written just before the kill, never referenced
            if orphan.name != json.loads(path.read_text())["vectors_file"]:
                orphan.unlink()
        if label == before:  # killed before its first commit: on a loaded machine, give later kills longer
            window = min(window * 1.3, 50 * base)
        before = label if label in expected else before
    return outcomes


# ------------------------------------------------------------------------------------------- pipeline / cli


def _corpus(root: Path) -> list[Any]:
    from dovetail.core.schema import Document

    root.mkdir(parents=True, exist_ok=True)
    docs = []
    for number in range(48):
        text = f"Document {number} about joinery. " + "Pins, tails and a careful saw cut. " * (5 + number % 9)
        (root / f"d{number:03}.md").write_text(text, encoding="utf-8")
        docs.append(Document(id_=f"d{number:03}.md", text=text))
    return docs


def _pipeline_child(index: Path, docs: list[Any]) -> None:
    from dovetail.core.embeddings import MockEmbedding
    from dovetail.core.ingestion import IngestionPipeline
    from dovetail.core.node_parser import SentenceSplitter

    pipeline = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=64, chunk_overlap=8), MockEmbedding(embed_dim=8)],
        checkpoint_dir=index,
        checkpoint_interval=0,
        docs_per_batch=4,
    )
    pipeline.run(documents=docs)


def _cli_child(index: Path, corpus: Path) -> None:
    from dovetail.core.cli import main

    code = main(["ingest", str(corpus), "--index", str(index), "--embed", "mock:8", "--quiet", "--chunk-size", "128"])
    os._exit(code)


def _index_state(index: Path) -> tuple[State, dict[str, str], dict[str, list[str]]]:
    from dovetail.core.storage import StorageContext

    storage = StorageContext.from_defaults(persist_dir=index)
    refs = {doc: sorted(info.node_ids) for doc, info in storage.docstore.get_all_ref_doc_info().items()}
    return _store_state(storage.vector_store), storage.docstore.hashes_by_document_id(), refs


def _restricted(reference: tuple[State, dict[str, str], dict[str, list[str]]], done: list[str]) -> Any:
    nodes, hashes, refs = reference
    keep = set(done)
    return (
        {key: value for key, value in nodes.items() if value[1] in keep},
        {doc: hashes[doc] for doc in done},
        {doc: refs[doc] for doc in done if doc in refs},
    )


def _ingest_trials(scenario: str, trials: int, rng: random.Random, work: Path) -> Counter[str]:
    corpus = work / "corpus"
    docs = _corpus(corpus)
    order = [doc.id_ for doc in docs]

    def child(index: Path) -> None:
        if scenario == "cli":
            _cli_child(index, corpus)
        else:
            _pipeline_child(index, docs)

    reference_dir = work / "reference"
    _kill_after(None, lambda: child(reference_dir))
    reference = _index_state(reference_dir)
    # time a second run: the first one (and loading its result) imported what every forked child now inherits
    started = time.perf_counter()
    _kill_after(None, lambda: child(work / "warm"))
    base = time.perf_counter() - started
    window = 1.2 * base
    index = work / "index"
    outcomes: Counter[str] = Counter()
    remaining = 1.0  # share of the documents still to do: a resumed run is shorter, so is its kill window
    for _ in range(trials):
        # `dovetail ingest` checkpoints every 2 s, so a run this short commits once, at its end: aim its kills at
        # the last part of the run, where that commit happens
        cli = scenario == "cli"
        delay = rng.uniform(0.7, 1.4) * base if cli else rng.uniform(0, window * max(remaining, 0.2))
        _kill_after(delay, lambda: child(index))
        if index.is_dir() and list(index.glob(".staging-*")):
            CUT["commits cut mid-way"] += 1
        remaining = 1.0
        if not (index / "index_store.json").is_file() and not (index / "docstore.json").is_file():
            outcomes["old (nothing committed yet)"] += 1
            window = min(window * 1.3, 20 * base)  # on a loaded machine, give later kills longer
            continue
        try:
            state = _index_state(index)
        except Exception as exc:
            outcomes[f"unloadable: {type(exc).__name__}: {exc}"[:200]] += 1
            shutil.rmtree(index)
            continue
        done = [doc for doc in order if doc in state[1]]
        prefix = done == order[: len(done)]
        if not prefix or state != _restricted(reference, done):
            outcomes["mixed"] += 1
            shutil.rmtree(index)
        elif len(done) == len(order):
            outcomes["complete"] += 1
            shutil.rmtree(index)
        else:
            outcomes["prefix (a checkpoint)"] += 1
            remaining = 1.0 - len(done) / len(order)
    return outcomes


# ------------------------------------------------------------------------------------------- fork + kill


def _kill_after(delay: float | None, work: Any) -> None:
    """Run ``work`` in a forked child; SIGKILL it after ``delay`` seconds (``None``: let it finish)."""
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:  # child
        try:
            work()
        finally:
            os._exit(0)
    if delay is not None:
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return
            time.sleep(min(0.002, max(0.0, deadline - time.monotonic())))
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if delay is None and status != 0:
        msg = f"the reference run failed with status {status}"
        raise RuntimeError(msg)


def main() -> None:
    scenario, trials, seed, work = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    rng = random.Random(seed)
    started = time.perf_counter()
    if scenario == "persist":
        outcomes = _persist_trials(trials, rng, work)
    else:
        outcomes = _ingest_trials(scenario, trials, rng, work)
    summary = {
        "scenario": scenario,
        "trials": trials,
        "seed": seed,
        "seconds": round(time.perf_counter() - started, 1),
        "outcomes": dict(outcomes),
        "kills_inside_a_write": dict(CUT),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
