"""MarkdownNodeParser, MarkdownElementNodeParser and HierarchicalNodeParser as LlamaIndex documents them."""

from __future__ import annotations

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.node_parser import HierarchicalNodeParser
from dovetail.core.node_parser import MarkdownElementNodeParser
from dovetail.core.node_parser import MarkdownNodeParser
from dovetail.core.node_parser import get_deeper_nodes
from dovetail.core.node_parser import get_leaf_nodes
from dovetail.core.node_parser import get_root_nodes
from dovetail.core.schema import Document
from dovetail.core.schema import IndexNode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode

GUIDE = """Intro line before any header.

# Guide

Welcome.

## Setup

Install it.

```python
# not a header
print("hi")
```

### Linux

Use apt.

## Usage

Run it.

# Appendix

Extra.
"""


def test_markdown_sections_and_header_paths() -> None:
    doc = Document(id_="g", text=GUIDE, metadata={"file": "guide.md"})
    nodes = MarkdownNodeParser().get_nodes_from_documents([doc])
    texts = [n.get_content() for n in nodes]
    assert texts[0] == "Intro line before any header."
    assert texts[1] == "# Guide\n\nWelcome."
    assert texts[2].startswith("## Setup")
    assert "# not a header" in texts[2]
    assert [n.metadata["header_path"] for n in nodes] == ["/", "/", "/Guide/", "/Guide/Setup/", "/Guide/", "/"]
    assert all(n.metadata["file"] == "guide.md" for n in nodes)
    for node in nodes:
        assert isinstance(node, TextNode)
        assert doc.text[node.start_char_idx : node.end_char_idx] == node.text
        assert node.ref_doc_id == "g"
    previous = nodes[1].relationships[NodeRelationship.PREVIOUS]
    assert isinstance(previous, RelatedNodeInfo)
    assert previous.node_id == nodes[0].node_id
    dotted = MarkdownNodeParser(header_path_separator=" > ").get_nodes_from_documents([doc])
    assert dotted[3].metadata["header_path"] == " > Guide > Setup > "


TABLE_DOC = """# Prices

Our timber prices:

| wood | price |
|------|------:|
| oak  | 12    |
| pine | 4     |

Prices change monthly.
"""


def test_markdown_elements_put_tables_behind_summaries() -> None:
    parser = MarkdownElementNodeParser()
    nodes = parser.get_nodes_from_documents([Document(id_="p", text=TABLE_DOC)])
    kinds = [n.metadata["element_type"] for n in nodes]
    assert kinds == ["text", "table", "table_summary", "text"]
    table, summary = nodes[1], nodes[2]
    assert isinstance(table, TextNode)
    assert isinstance(summary, IndexNode)
    assert table.text.startswith("| wood | price |")
    assert table.text.rstrip().endswith("| pine | 4     |")
    assert summary.index_id == table.node_id
    assert "wood, price" in summary.text
    assert "2 rows" in summary.text
    base, objects = parser.get_nodes_and_objects(nodes)
    assert objects == [table]
    assert table not in base


def test_table_summary_retrieval_returns_the_table() -> None:
    parser = MarkdownElementNodeParser()
    base, objects = parser.get_nodes_and_objects(parser.get_nodes_from_documents([Document(text=TABLE_DOC)]))
    index = VectorStoreIndex(nodes=base + objects, embed_model=MockEmbedding(embed_dim=8))
    summary = next(n for n in base if isinstance(n, IndexNode))
    hits = index.as_retriever(similarity_top_k=10).retrieve(summary.text)
    texts = [h.get_content() for h in hits]
    assert any(t.startswith("| wood | price |") for t in texts)
    assert summary.text not in texts  # followed to the table, not returned itself


def test_hierarchical_levels_and_helpers() -> None:
    text = " ".join(f"Sentence number {i} talks about joinery." for i in range(60))
    doc = Document(id_="h", text=text)
    parser = HierarchicalNodeParser.from_defaults(chunk_sizes=[256, 64, 16], chunk_overlap=0)
    nodes = parser.get_nodes_from_documents([doc])
    roots, leaves = get_root_nodes(nodes), get_leaf_nodes(nodes)
    middle = get_deeper_nodes(nodes, depth=1)
    assert 0 < len(roots) < len(middle) < len(leaves)
    assert len(roots) + len(middle) + len(leaves) == len(nodes)
    by_id = {n.node_id: n for n in nodes}
    for leaf in leaves:
        parent = by_id[leaf.parent_node.node_id]  # type: ignore[union-attr]
        assert leaf.node_id in {c.node_id for c in parent.child_nodes or []}
        assert isinstance(leaf, TextNode)
        assert isinstance(parent, TextNode)
        assert parent.text.find(leaf.text.split(" ")[0]) >= 0
        assert doc.text[leaf.start_char_idx : leaf.end_char_idx] == leaf.text
        assert leaf.ref_doc_id == "h"
    assert get_deeper_nodes(nodes, depth=2) == leaves
    with pytest.raises(InvalidInputError, match="decrease"):
        HierarchicalNodeParser.from_defaults(chunk_sizes=[64, 256])


def test_hierarchical_nodes_survive_ingestion_ids() -> None:
    text = " ".join(f"Sentence {i} is about dovetails." for i in range(40))
    parser = HierarchicalNodeParser.from_defaults(chunk_sizes=[128, 32], chunk_overlap=0)
    index = VectorStoreIndex.from_documents(
        [Document(id_="x", text=text)], transformations=[parser], embed_model=MockEmbedding(embed_dim=8)
    )
    stored = index.docstore.docs
    for node in stored.values():
        if node.parent_node is not None:
            assert node.parent_node.node_id in stored  # relationships follow the ingestion's stable ids
