"""Default prompts of response synthesis: answer from context, and refine an answer with more context."""

from __future__ import annotations

from dovetail.core.prompts._base import PromptTemplate

__all__ = [
    "DEFAULT_REFINE_PROMPT",
    "DEFAULT_REFINE_PROMPT_TMPL",
    "DEFAULT_SIMPLE_INPUT_PROMPT",
    "DEFAULT_TEXT_QA_PROMPT",
    "DEFAULT_TEXT_QA_PROMPT_TMPL",
    "DEFAULT_TREE_SUMMARIZE_PROMPT",
    "DEFAULT_TREE_SUMMARIZE_TMPL",
]

DEFAULT_TEXT_QA_PROMPT_TMPL = (
    "Here is some context taken from the knowledge base.\n"
    "---------------------\n"
    "{context_str}\n"
    "---------------------\n"
    "Answer the question using only this context, not prior knowledge. "
    "If the context does not contain the answer, say so.\n"
    "Question: {query_str}\n"
    "Answer: "
)
DEFAULT_TEXT_QA_PROMPT = PromptTemplate(DEFAULT_TEXT_QA_PROMPT_TMPL, prompt_type="text_qa")
"""Variables: ``context_str``, ``query_str``."""

DEFAULT_REFINE_PROMPT_TMPL = (
    "The question was: {query_str}\n"
    "The answer so far is: {existing_answer}\n"
    "Here is more context that may help improve it.\n"
    "---------------------\n"
    "{context_msg}\n"
    "---------------------\n"
    "Using this new context, rewrite the answer so it is more complete and correct. "
    "If the new context does not help, repeat the answer so far unchanged.\n"
    "Refined answer: "
)
DEFAULT_REFINE_PROMPT = PromptTemplate(DEFAULT_REFINE_PROMPT_TMPL, prompt_type="refine")
"""Variables: ``query_str``, ``existing_answer``, ``context_msg``."""

DEFAULT_TREE_SUMMARIZE_TMPL = (
    "Below is context gathered from several sources.\n"
    "---------------------\n"
    "{context_str}\n"
    "---------------------\n"
    "Using only this context, not prior knowledge, answer the query.\n"
    "Query: {query_str}\n"
    "Answer: "
)
DEFAULT_TREE_SUMMARIZE_PROMPT = PromptTemplate(DEFAULT_TREE_SUMMARIZE_TMPL, prompt_type="summary")
"""Variables: ``context_str``, ``query_str``; used by ``tree_summarize`` at every level."""

DEFAULT_SIMPLE_INPUT_PROMPT = PromptTemplate("{query_str}", prompt_type="simple_input")
"""Variables: ``query_str``; the ``generation`` mode sends the question alone."""
