"""LlamaIndex's starter tutorial (load, index, query, persist, reload) run with only the import prefix changed.

The tutorial code below is LlamaIndex's text; ``as_dovetail`` swaps ``llama_index.`` for ``dovetail.`` and
nothing else. It runs in a child interpreter with the network cut off: dovetail's defaults are local (the
bundled ONNX embedding model, and extractive answers when no LLM is configured).
"""

from __future__ import annotations

from pathlib import Path

from .conftest import onnx_tutorial_marks
from .conftest import run_offline
from .tutorial_essay import as_dovetail
from .tutorial_essay import write_essay

pytestmark = onnx_tutorial_marks("the starter tutorial uses the default (ONNX) embedding model")

STARTER = """
import os.path
from llama_index.core import (
    VectorStoreIndex,
    SimpleDirectoryReader,
    StorageContext,
    load_index_from_storage,
)

# check if storage already exists
PERSIST_DIR = "./storage"
if not os.path.exists(PERSIST_DIR):
    # load the documents and create the index
    documents = SimpleDirectoryReader("data").load_data()
    index = VectorStoreIndex.from_documents(documents)
    # store it for later
    index.storage_context.persist(persist_dir=PERSIST_DIR)
else:
    # load the existing index
    storage_context = StorageContext.from_defaults(persist_dir=PERSIST_DIR)
    index = load_index_from_storage(storage_context)

# Either way we can now query the index
query_engine = index.as_query_engine()
response = query_engine.query("What did the author do growing up?")
print(response)
"""


def test_starter_tutorial_builds_persists_and_reloads(tmp_path: Path) -> None:
    write_essay(tmp_path)
    code = as_dovetail(STARTER)
    first = run_offline(code, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.network_attempts == []
    assert "short stories" in first.stdout
    assert (tmp_path / "storage" / "docstore.json").is_file()
    second = run_offline(code, cwd=tmp_path)  # now takes the load_index_from_storage branch
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
