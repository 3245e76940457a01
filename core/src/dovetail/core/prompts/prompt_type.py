"""``PromptType``: LlamaIndex's labels of what a prompt is for (``PromptTemplate(prompt_type=...)``).

Members are ``str`` values, so ``PromptType.QUESTION_ANSWER == "text_qa"`` and plain strings keep working.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["PromptType"]


class PromptType(str, Enum):
    """What a prompt template is for."""

    SUMMARY = "summary"
    TREE_INSERT = "insert"
    TREE_SELECT = "tree_select"
    TREE_SELECT_MULTIPLE = "tree_select_multiple"
    QUESTION_ANSWER = "text_qa"
    REFINE = "refine"
    KEYWORD_EXTRACT = "keyword_extract"
    QUERY_KEYWORD_EXTRACT = "query_keyword_extract"
    SCHEMA_EXTRACT = "schema_extract"
    TEXT_TO_SQL = "text_to_sql"
    TABLE_CONTEXT = "table_context"
    KNOWLEDGE_TRIPLET_EXTRACT = "knowledge_triplet_extract"
    SIMPLE_INPUT = "simple_input"
    JSON_PATH = "json_path"
    SINGLE_SELECT = "single_select"
    MULTI_SELECT = "multi_select"
    VECTOR_STORE_QUERY = "vector_store_query"
    SUB_QUESTION = "sub_question"
    CONVERSATION = "conversation"
    DECOMPOSE = "decompose"
    CHOICE_SELECT = "choice_select"
    CUSTOM = "custom"
    RANKGPT_RERANK = "rankgpt_rerank"
