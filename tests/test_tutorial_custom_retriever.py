"""LlamaIndex's custom-retriever tutorial (vector AND/OR keyword retrieval) with only the import prefix changed.

Left out of the tutorial: the OpenAI ``Settings.llm`` line and the notebook's download of the essay (the data is
written by the test, and a setup step makes chunks small enough for a one-page essay). Without an LLM, dovetail
answers extractively from the retrieved nodes.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import onnx_tutorial_marks
from .conftest import run_offline
from .tutorial_essay import as_dovetail
from .tutorial_essay import write_essay

pytestmark = onnx_tutorial_marks("the tutorial embeds with the default (ONNX) embedding model")

# Not part of the tutorial: its essay is 75 kB, ours a page, so smaller chunks keep several nodes to combine.
SETUP = """
from dovetail.core.settings import Settings as _Settings

_Settings.chunk_size = 96
_Settings.chunk_overlap = 0
"""

CUSTOM_RETRIEVER = """
from llama_index.core import SimpleDirectoryReader

documents = SimpleDirectoryReader("./data").load_data()
from llama_index.core import Settings

nodes = Settings.node_parser.get_nodes_from_documents(documents)

from llama_index.core import StorageContext

# initialize storage context (by default it's in-memory)
storage_context = StorageContext.from_defaults()
storage_context.docstore.add_documents(nodes)

from llama_index.core import SimpleKeywordTableIndex, VectorStoreIndex

vector_index = VectorStoreIndex(nodes, storage_context=storage_context)
keyword_index = SimpleKeywordTableIndex(nodes, storage_context=storage_context)

# import QueryBundle
from llama_index.core import QueryBundle

# import NodeWithScore
from llama_index.core.schema import NodeWithScore

# Retrievers
from llama_index.core.retrievers import (
    BaseRetriever,
    VectorIndexRetriever,
    KeywordTableSimpleRetriever,
)

from typing import List


class CustomRetriever(BaseRetriever):
    \"\"\"Custom retriever that performs both semantic search and hybrid search.\"\"\"

    def __init__(
        self,
        vector_retriever: VectorIndexRetriever,
        keyword_retriever: KeywordTableSimpleRetriever,
        mode: str = "AND",
    ) -> None:
        \"\"\"Init params.\"\"\"

        self._vector_retriever = vector_retriever
        self._keyword_retriever = keyword_retriever
        if mode not in ("AND", "OR"):
            raise ValueError("Invalid mode.")
        self._mode = mode
        super().__init__()

    def _retrieve(self, query_bundle: QueryBundle) -> List[NodeWithScore]:
        \"\"\"Retrieve nodes given query.\"\"\"

        vector_nodes = self._vector_retriever.retrieve(query_bundle)
        keyword_nodes = self._keyword_retriever.retrieve(query_bundle)

        vector_ids = {n.node.node_id for n in vector_nodes}
        keyword_ids = {n.node.node_id for n in keyword_nodes}

        combined_dict = {n.node.node_id: n for n in vector_nodes}
        combined_dict.update({n.node.node_id: n for n in keyword_nodes})

        if self._mode == "AND":
            retrieve_ids = vector_ids.intersection(keyword_ids)
        else:
            retrieve_ids = vector_ids.union(keyword_ids)

        retrieve_nodes = [combined_dict[rid] for rid in retrieve_ids]
        return retrieve_nodes


from llama_index.core import get_response_synthesizer
from llama_index.core.query_engine import RetrieverQueryEngine

# define custom retriever
vector_retriever = VectorIndexRetriever(index=vector_index, similarity_top_k=2)
keyword_retriever = KeywordTableSimpleRetriever(index=keyword_index)
custom_retriever = CustomRetriever(vector_retriever, keyword_retriever)

# define response synthesizer
response_synthesizer = get_response_synthesizer()

# assemble query engine
custom_query_engine = RetrieverQueryEngine(
    retriever=custom_retriever,
    response_synthesizer=response_synthesizer,
)

# vector query engine
vector_query_engine = vector_index.as_query_engine()
# keyword query engine
keyword_query_engine = keyword_index.as_query_engine()

response = custom_query_engine.query(
    "What did the author do during his time at YC?"
)
print(response)
"""

CHECKS = """
print("NODES", len(nodes))
question = "What did the author do during his time at YC?"
and_ids = {n.node_id for n in custom_retriever.retrieve(question)}
or_ids = {n.node_id for n in CustomRetriever(vector_retriever, keyword_retriever, mode="OR").retrieve(question)}
vector_ids = {n.node_id for n in vector_retriever.retrieve(question)}
keyword_ids = {n.node_id for n in keyword_retriever.retrieve(question)}
print("AND_OK", and_ids == vector_ids & keyword_ids, "OR_OK", or_ids == vector_ids | keyword_ids,
      "NONEMPTY", bool(and_ids))
print("VECTOR", vector_query_engine.query(question))
print("KEYWORD", keyword_query_engine.query(question))
try:
    CustomRetriever(vector_retriever, keyword_retriever, mode="XOR")
except ValueError as exc:
    print("MODE_ERROR", exc)
"""


def test_custom_retriever_tutorial(tmp_path: Path) -> None:
    write_essay(tmp_path)
    run = run_offline(SETUP + as_dovetail(CUSTOM_RETRIEVER) + CHECKS, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.network_attempts == []
    lines = run.stdout.strip().splitlines()
    assert "YC" in lines[0]  # the answer comes from the paragraphs about YC
    nodes = int(next(line for line in lines if line.startswith("NODES")).split()[1])
    assert nodes >= 4
    assert "AND_OK True OR_OK True NONEMPTY True" in lines
    assert any(line.startswith("VECTOR ") and "YC" in line for line in lines)
    assert any(line.startswith("KEYWORD ") and "YC" in line for line in lines)
    assert "MODE_ERROR Invalid mode." in lines
