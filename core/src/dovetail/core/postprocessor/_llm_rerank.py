"""``LLMRerank``: an LLM reads the retrieved nodes in batches, picks the relevant ones and scores them."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import OutputParserError
from dovetail.core.postprocessor._base import BaseNodePostprocessor
from dovetail.core.prompts import BasePromptTemplate
from dovetail.core.prompts import PromptTemplate
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

__all__ = ["DEFAULT_CHOICE_SELECT_PROMPT", "DEFAULT_CHOICE_SELECT_PROMPT_TMPL", "LLMRerank"]

DEFAULT_CHOICE_SELECT_PROMPT_TMPL = (
    "Below is a numbered list of documents and a question. Pick the documents that help answer the question and "
    "rate each one's relevance from 1 (barely) to 10 (fully answers it). Leave out documents that do not help.\n"
    "Answer with one line per picked document, in this exact form and nothing else:\n"
    "Doc: <number>, Relevance: <score>\n\n"
    "{context_str}\n"
    "Question: {query_str}\n"
    "Answer:\n"
)
DEFAULT_CHOICE_SELECT_PROMPT = PromptTemplate(DEFAULT_CHOICE_SELECT_PROMPT_TMPL)

_CHOICE_RE = re.compile(r"doc(?:ument)?\s*:?\s*#?(\d+)\s*[,;]?\s*relevance\s*:?\s*(\d+(?:\.\d+)?)", re.IGNORECASE)

FormatBatch = Callable[[list[NodeWithScore]], str]
ParseAnswer = Callable[[str, int], Any]
"""``(answer, batch size) ->`` LlamaIndex's ``(numbers, relevances)``, or ``[(number, relevance), ...]``."""


def format_node_batch(nodes: list[NodeWithScore]) -> str:
    """Number the nodes from 1 for the prompt."""
    parts = [f"Document {number}:\n{hit.node.get_content(MetadataMode.LLM)}\n" for number, hit in enumerate(nodes, 1)]
    return "\n".join(parts)


def parse_choice_select_answer(answer: str, num_choices: int) -> list[tuple[int, float]]:
    """``(document number, relevance)`` pairs from the LLM's answer, in order of mention (``LLMRerank`` drops
    numbers outside ``1..num_choices`` and repeats, for this parser and a user's alike)."""
    return [(int(match.group(1)), float(match.group(2))) for match in _CHOICE_RE.finditer(answer)]


def _choices(parsed: Any, batch_size: int) -> list[tuple[int, float]]:
    """The parser's picks as ``(number, relevance)`` pairs within ``1..batch_size``, first mention of a number
    kept; LlamaIndex's ``(numbers, relevances)`` shape and a list of pairs are both read.

    Raises:
        OutputParserError: the two lists differ in length, or the result is neither shape.
    """
    if isinstance(parsed, tuple) and len(parsed) == 2 and all(isinstance(part, list) for part in parsed):
        numbers, relevances = parsed
        if len(numbers) != len(relevances):
            msg = f"parse_choice_select_answer_fn gave {len(numbers)} numbers but {len(relevances)} relevances"
            raise OutputParserError(msg)
        pairs = list(zip(numbers, relevances, strict=True))
    elif isinstance(parsed, list) and all(isinstance(pair, (tuple, list)) and len(pair) == 2 for pair in parsed):
        pairs = [(pair[0], pair[1]) for pair in parsed]
    else:
        msg = (
            "parse_choice_select_answer_fn must return (numbers, relevances) as LlamaIndex's does, or a list of "
            f"(number, relevance) pairs; got {type(parsed).__name__}"
        )
        raise OutputParserError(msg)
    seen: set[int] = set()
    out = []
    for number, relevance in pairs:
        if isinstance(number, int) and 1 <= number <= batch_size and number not in seen:
            seen.add(number)
            out.append((number, float(relevance)))
    return out


class LLMRerank(BaseNodePostprocessor):
    """Rerank with an LLM: it sees ``choice_batch_size`` nodes at a time and returns the relevant ones with a score.

    The result holds the ``top_n`` picked nodes, best first, each scored with the LLM's relevance (1-10). Nodes the
    LLM does not pick are dropped. Batches are sent concurrently on the async path.

    Args:
        llm: the LLM (default ``Settings.llm``).
        choice_select_prompt: a template with ``{context_str}`` and ``{query_str}``.
        choice_batch_size: nodes per LLM call.
        top_n: how many nodes to return.
        format_node_batch_fn: builds ``context_str`` from a batch.
        parse_choice_select_answer_fn: ``(answer, batch size) -> (numbers, relevances)`` as in LlamaIndex (two
            lists, numbers from 1), or a list of ``(number, relevance)`` pairs.

    Example:
        ```python
        engine = index.as_query_engine(similarity_top_k=10, node_postprocessors=[LLMRerank(top_n=3)])
        ```
    """

    def __init__(
        self,
        llm: Any = None,
        choice_select_prompt: BasePromptTemplate | None = None,
        choice_batch_size: int = 10,
        top_n: int = 10,
        format_node_batch_fn: FormatBatch | None = None,
        parse_choice_select_answer_fn: ParseAnswer | None = None,
    ) -> None:
        for name, value in (("choice_batch_size", choice_batch_size), ("top_n", top_n)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                msg = f"{name} must be a positive int, got {value!r}"
                raise InvalidInputError(msg)
        self._llm = llm
        self.choice_select_prompt = choice_select_prompt or DEFAULT_CHOICE_SELECT_PROMPT
        self.choice_batch_size = choice_batch_size
        self.top_n = top_n
        self._format = format_node_batch_fn or format_node_batch
        self._parse = parse_choice_select_answer_fn or parse_choice_select_answer

    @property
    def llm(self) -> Any:
        """The LLM that reranks (``Settings.llm`` unless one was given)."""
        if self._llm is not None:
            return self._llm
        from dovetail.core.settings import Settings

        return Settings.llm

    def _batches(self, nodes: list[NodeWithScore]) -> list[list[NodeWithScore]]:
        size = self.choice_batch_size
        return [nodes[start : start + size] for start in range(0, len(nodes), size)]

    def _picked(self, batch: list[NodeWithScore], answer: str) -> list[NodeWithScore]:
        choices = _choices(self._parse(answer, len(batch)), len(batch))
        return [NodeWithScore(node=batch[number - 1].node, score=score) for number, score in choices]

    def _finish(self, picked: list[NodeWithScore]) -> list[NodeWithScore]:
        picked.sort(key=lambda hit: hit.score or 0.0, reverse=True)
        return picked[: self.top_n]

    @staticmethod
    def _query(query_bundle: QueryBundle | None) -> str:
        if query_bundle is None:
            msg = "LLMRerank needs the query: pass query_bundle= or query_str= to postprocess_nodes"
            raise InvalidInputError(msg)
        return query_bundle.query_str

    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None) -> list[NodeWithScore]:
        query = self._query(query_bundle)
        picked: list[NodeWithScore] = []
        for batch in self._batches(nodes):
            answer = self.llm.predict(self.choice_select_prompt, context_str=self._format(batch), query_str=query)
            picked.extend(self._picked(batch, answer))
        return self._finish(picked)

    async def _apostprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None
    ) -> list[NodeWithScore]:
        query = self._query(query_bundle)
        batches = self._batches(nodes)
        answers = await asyncio.gather(
            *(
                self.llm.apredict(self.choice_select_prompt, context_str=self._format(batch), query_str=query)
                for batch in batches
            )
        )
        picked = [hit for batch, answer in zip(batches, answers, strict=True) for hit in self._picked(batch, answer)]
        return self._finish(picked)
