"""LlamaIndex's ``get_prompts`` / ``update_prompts`` on query engines, response synthesizers and retrievers.

A component lists its own prompts in ``_prompt_attributes`` (prompt key -> attribute holding the template) and
the components it is built from in ``_get_prompt_modules()``; a submodule's prompts appear as
``"<module>:<key>"``, e.g. ``"response_synthesizer:text_qa_template"`` on a query engine. Unlike LlamaIndex,
``update_prompts`` refuses a key the component does not have (a typo would otherwise leave the old prompt in
use) and checks every key and value before it changes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import ClassVar

from dovetail.core._exceptions import InvalidInputError

__all__ = ["PromptMixin"]


class PromptMixin:
    """Read and replace the prompt templates of a component and of the components it is built from.

    Example:
        ```python
        engine = index.as_query_engine(llm=llm)
        prompts = engine.get_prompts()          # {"response_synthesizer:text_qa_template": ..., ...}
        engine.update_prompts({"response_synthesizer:text_qa_template": PromptTemplate("{context_str} {query_str}")})
        ```
    """

    _prompt_attributes: ClassVar[Mapping[str, str]] = {}
    """Prompt key -> name of the attribute that holds the template (read by the default hooks)."""

    def _get_prompts(self) -> dict[str, Any]:
        """This component's own prompts (LlamaIndex's hook; default: :attr:`_prompt_attributes`)."""
        return {key: getattr(self, attribute) for key, attribute in self._prompt_attributes.items()}

    def _update_prompts(self, prompts: dict[str, Any]) -> None:
        """Set this component's own prompts; the keys are already checked (LlamaIndex's hook)."""
        for key, prompt in prompts.items():
            setattr(self, self._prompt_attributes[key], prompt)

    def _get_prompt_modules(self) -> dict[str, Any]:
        """Components whose prompts this one exposes under ``"<name>:"`` (objects with ``get_prompts``)."""
        return {}

    def get_prompts(self) -> dict[str, Any]:
        """Every prompt template of this component and its submodules, by key."""
        prompts = dict(self._get_prompts())
        for name, module in self._get_prompt_modules().items():
            prompts.update({f"{name}:{key}": prompt for key, prompt in module.get_prompts().items()})
        return prompts

    def update_prompts(self, prompts_dict: Mapping[str, Any]) -> None:
        """Replace prompt templates by key (keys as :meth:`get_prompts` gives them).

        Raises:
            InvalidInputError: a key the component does not have, or a value that is not a prompt template;
                nothing is changed.
        """
        from dovetail.core.prompts import BasePromptTemplate

        known = self.get_prompts()
        unknown = sorted(set(prompts_dict) - set(known))
        if unknown:
            msg = f"{type(self).__name__} has no prompt {unknown[0]!r}; its prompts are {sorted(known)}"
            raise InvalidInputError(msg)
        for key, prompt in prompts_dict.items():
            if not isinstance(prompt, BasePromptTemplate):
                msg = f"prompt {key!r} must be a PromptTemplate or ChatPromptTemplate, got {type(prompt).__name__}"
                raise InvalidInputError(msg)
        own = {key: prompt for key, prompt in prompts_dict.items() if ":" not in key}
        if own:
            self._update_prompts(own)
        modules = self._get_prompt_modules()
        for key, prompt in prompts_dict.items():
            if ":" in key:
                name, sub_key = key.split(":", 1)
                modules[name].update_prompts({sub_key: prompt})
