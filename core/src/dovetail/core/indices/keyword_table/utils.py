"""LlamaIndex's ``llama_index.core.indices.keyword_table.utils`` import path: keyword extraction helpers.

LlamaIndex's ``rake_extract_keywords`` (which needs NLTK and RAKE) is not offered.
"""

from dovetail.core.indices._keyword_table import simple_extract_keywords
from dovetail.core.indices._keyword_utils import expand_tokens_with_subtokens
from dovetail.core.indices._keyword_utils import extract_keywords_given_response

__all__ = ["expand_tokens_with_subtokens", "extract_keywords_given_response", "simple_extract_keywords"]
