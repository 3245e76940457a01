"""An index refuses the record of an index of another kind, naming both."""

from __future__ import annotations

import pytest
from dovetail.core import SimpleKeywordTableIndex
from dovetail.core import SummaryIndex
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import TextNode


def test_a_keyword_table_refuses_a_summary_record_and_back() -> None:
    summary = SummaryIndex([TextNode(text="dovetail joints")])
    with pytest.raises(InvalidInputError, match=r"is a 'list' index, not a keyword table"):
        SimpleKeywordTableIndex(storage_context=summary.storage_context, index_struct=summary.index_struct)
    table = SimpleKeywordTableIndex([TextNode(text="mortise and tenon")])
    with pytest.raises(InvalidInputError, match=r"not a summary index"):
        SummaryIndex(storage_context=table.storage_context, index_struct=table.index_struct)


def test_the_same_kind_is_accepted() -> None:
    summary = SummaryIndex([TextNode(text="dovetail joints")])
    again = SummaryIndex(storage_context=summary.storage_context, index_struct=summary.index_struct)
    assert again.index_id == summary.index_id
