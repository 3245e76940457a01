"""LlamaIndex's ``llama_index.core.indices.utils`` import path: keyword and choice-parsing helpers."""

from dovetail.core.indices._choices import default_parse_choice_select_answer_fn
from dovetail.core.indices._keyword_utils import expand_tokens_with_subtokens

__all__ = ["default_parse_choice_select_answer_fn", "expand_tokens_with_subtokens"]
