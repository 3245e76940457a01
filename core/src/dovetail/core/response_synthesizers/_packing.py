"""Fitting retrieved text into an LLM's context window: the token budget, and texts cut and packed to it.

The budget of a prompt is ``context_window - 2 * num_output - tokens(template)``: the query and the running
answer also take room, so ``num_output`` is reserved for each. Tokens are counted with
:func:`dovetail.core.tokenizers.get_tokenizer`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeWithScore
from dovetail.core.tokenizers import get_tokenizer

if TYPE_CHECKING:
    from dovetail.core.llms import LLM
    from dovetail.core.prompts import BasePromptTemplate

__all__ = ["SEPARATOR", "context_budget", "cut", "node_texts", "pack", "pack_texts"]

SEPARATOR = "\n\n"
"""Joins the texts packed into one prompt."""


def node_texts(nodes: list[NodeWithScore]) -> list[str]:
    """The nodes' content as the LLM sees it (with their LLM metadata)."""
    return [hit.node.get_content(MetadataMode.LLM) for hit in nodes]


def context_budget(llm: LLM, *templates: BasePromptTemplate) -> int:
    """Tokens of retrieved text that fit in a prompt of the largest of ``templates`` (at least 64).

    ``Settings.context_window`` / ``Settings.num_output``, when set, take the place of the LLM's metadata (as
    LlamaIndex's do for its prompt helper).
    """
    from dovetail.core.settings import Settings

    metadata = llm.metadata
    window = Settings.context_window if Settings.context_window is not None else metadata.context_window
    output = Settings.num_output if Settings.num_output is not None else metadata.num_output
    tokenizer = get_tokenizer()
    template_tokens = max(len(tokenizer(_blank(template))) for template in templates)
    return max(64, window - 2 * output - template_tokens)


def _blank(template: BasePromptTemplate) -> str:
    """``template`` with its variables empty (partial values kept: they are part of every prompt)."""
    return template.format(**{name: "" for name in template.template_vars if name not in template.kwargs})


def cut(text: str, budget: int, tokenizer: Any) -> list[str]:
    """``text`` in pieces of about ``budget`` tokens, cut between words (the text itself when it fits)."""
    tokens = len(tokenizer(text))
    if tokens <= budget:
        return [text]
    words = text.split(" ")
    per_piece = max(1, int(len(words) * budget / tokens * 0.9))
    return [" ".join(words[start : start + per_piece]) for start in range(0, len(words), per_piece)]


def pack(texts: list[str], budget: int) -> list[str]:
    """Join ``texts`` (over-long ones cut first) into as few pieces of at most ``budget`` tokens as they fill."""
    tokenizer = get_tokenizer()
    packed: list[str] = []
    current: list[str] = []
    used = 0
    for text in texts:
        for piece in cut(text, budget, tokenizer):
            size = len(tokenizer(piece)) + 2
            if current and used + size > budget:
                packed.append(SEPARATOR.join(current))
                current, used = [], 0
            current.append(piece)
            used += size
    if current:
        packed.append(SEPARATOR.join(current))
    return packed


def pack_texts(texts: list[str], llm: LLM, template: BasePromptTemplate) -> list[str]:
    """Join ``texts`` into as few pieces as fit ``template`` in the LLM's window (over-long texts are cut)."""
    return pack(texts, context_budget(llm, template))
