"""Prompt templates and the default prompts of response synthesis.

Example:
    ```python
    from dovetail.core.prompts import PromptTemplate

    prompt = PromptTemplate("Summarize in {n} words:\\n{text}")
    prompt.format(n=10, text="...")
    ```
"""

from dovetail.core.prompts._base import BasePromptTemplate
from dovetail.core.prompts._base import ChatPromptTemplate
from dovetail.core.prompts._base import PromptTemplate
from dovetail.core.prompts._defaults import DEFAULT_REFINE_PROMPT
from dovetail.core.prompts._defaults import DEFAULT_REFINE_PROMPT_TMPL
from dovetail.core.prompts._defaults import DEFAULT_SIMPLE_INPUT_PROMPT
from dovetail.core.prompts._defaults import DEFAULT_TEXT_QA_PROMPT
from dovetail.core.prompts._defaults import DEFAULT_TEXT_QA_PROMPT_TMPL
from dovetail.core.prompts._defaults import DEFAULT_TREE_SUMMARIZE_PROMPT
from dovetail.core.prompts._defaults import DEFAULT_TREE_SUMMARIZE_TMPL
from dovetail.core.prompts.prompt_type import PromptType

__all__ = [
    "DEFAULT_REFINE_PROMPT",
    "DEFAULT_REFINE_PROMPT_TMPL",
    "DEFAULT_SIMPLE_INPUT_PROMPT",
    "DEFAULT_TEXT_QA_PROMPT",
    "DEFAULT_TEXT_QA_PROMPT_TMPL",
    "DEFAULT_TREE_SUMMARIZE_PROMPT",
    "DEFAULT_TREE_SUMMARIZE_TMPL",
    "BasePromptTemplate",
    "ChatPromptTemplate",
    "PromptTemplate",
    "PromptType",
]
