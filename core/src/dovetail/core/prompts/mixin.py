"""LlamaIndex's ``llama_index.core.prompts.mixin`` import path: ``PromptMixin``, the ``get_prompts`` /
``update_prompts`` base of query engines, response synthesizers and retrievers (subclass it for a custom
component whose prompts should be readable and replaceable the same way)."""

from dovetail.core.retrievers._prompt_mixin import PromptMixin

__all__ = ["PromptMixin"]
