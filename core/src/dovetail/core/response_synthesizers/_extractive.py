"""Answers without an LLM: the sentences of the retrieved nodes that best match the query, with their sources.

Each sentence is scored by lexical overlap with the query (query terms weighted by how rare they are among the
candidate sentences, light suffix stemming) and, when an embedding model is at hand and the candidates are few,
by cosine similarity of its embedding with the query embedding. Nothing leaves the process.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Any

from dovetail.core.response_synthesizers._base import BaseSynthesizer
from dovetail.core.response_synthesizers._base import ResponseType
from dovetail.core.response_synthesizers._response import Response
from dovetail.core.response_synthesizers._response import StreamingResponse
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

__all__ = ["ExtractiveSynthesizer", "split_sentences"]

logger = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.|#)\s)")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    }
)


def split_sentences(text: str) -> list[str]:
    """Sentences (and list items / headings) of ``text``, whitespace-normalised, markdown markers stripped."""
    pieces = []
    for raw in _SENTENCE_END.split(text):
        if not raw:
            continue
        sentence = " ".join(raw.split()).lstrip("*-+> ").strip()
        if len(sentence) >= 3:
            pieces.append(sentence)
    return pieces


def _is_answer_like(sentence: str) -> bool:
    """Headings and fragments of a few words make poor answers."""
    return not sentence.startswith("#") and len(sentence.split()) >= 4


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _terms(text: str) -> list[str]:
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOP]


@dataclass
class _Candidate:
    text: str
    source: int
    node_id: str
    order: int
    score: float = 0.0


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class ExtractiveSynthesizer(BaseSynthesizer):
    """Answer with the best-matching sentences of the retrieved nodes (no LLM, no network).

    Args:
        embed_model: embeds candidate sentences to compare with the query embedding (optional).
        max_sentences: sentences in the answer.
        max_embedded: embed candidates only when there are at most this many (keeps queries fast).
        relative_floor: keep only sentences scoring at least this fraction of the best one.
        callback_manager: receives ``SYNTHESIZE`` events.
        streaming: yield the answer sentence by sentence.

    Example:
        ```python
        response = ExtractiveSynthesizer().synthesize("What holds a dovetail?", nodes)
        print(response, response.metadata["sentences"])
        ```
    """

    def __init__(
        self,
        embed_model: Any | None = None,
        max_sentences: int = 3,
        max_embedded: int = 48,
        relative_floor: float = 0.6,
        callback_manager: Any | None = None,
        streaming: bool = False,
    ) -> None:
        super().__init__(callback_manager=callback_manager, streaming=streaming)
        self.embed_model = embed_model
        self.max_sentences = max(1, max_sentences)
        self.max_embedded = max_embedded
        self.relative_floor = relative_floor

    def _candidates(self, nodes: list[NodeWithScore]) -> list[_Candidate]:
        found: list[_Candidate] = []
        seen: set[str] = set()
        for source, hit in enumerate(nodes, 1):
            for sentence in split_sentences(hit.node.get_content()):
                key = sentence.lower()
                if key not in seen and _is_answer_like(sentence):
                    seen.add(key)
                    found.append(_Candidate(sentence, source, hit.node.node_id, len(found)))
        return found

    def _lexical(self, query: QueryBundle, candidates: list[_Candidate]) -> list[float]:
        query_terms = set(_terms(query.query_str))
        if not query_terms:
            return [0.0] * len(candidates)
        term_sets = [set(_terms(c.text)) for c in candidates]
        total = len(candidates)
        weights = {term: math.log(1 + total / (1 + sum(term in terms for terms in term_sets))) for term in query_terms}
        best = sum(weights.values()) or 1.0
        return [sum(weights[t] for t in query_terms & terms) / best for terms in term_sets]

    def _semantic(self, query: QueryBundle, candidates: list[_Candidate]) -> list[float] | None:
        if self.embed_model is None or not candidates or len(candidates) > self.max_embedded:
            return None
        try:
            query_vector = query.embedding or self.embed_model.get_query_embedding(query.query_str)
            vectors = self.embed_model.get_text_embedding_batch([c.text for c in candidates])
        except Exception as exc:  # the lexical score alone still gives an answer
            logger.warning("extractive answer without sentence embeddings: %s", exc)
            return None
        return [_cosine(query_vector, vector) for vector in vectors]

    def rank(self, query: QueryBundle, nodes: list[NodeWithScore]) -> list[_Candidate]:
        """Candidate sentences, best first."""
        candidates = self._candidates(nodes)
        lexical = self._lexical(query, candidates)
        semantic = self._semantic(query, candidates)
        for position, candidate in enumerate(candidates):
            score = lexical[position]
            if semantic is not None:
                score = 0.5 * score + 0.5 * semantic[position]
            # a small preference for sentences of better-ranked nodes breaks ties
            candidate.score = score + 0.01 / candidate.source
        return sorted(candidates, key=lambda c: (-c.score, c.order))

    def _synthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        ranked = self.rank(query, nodes)
        if not ranked:
            return Response("Empty Response", nodes, {"mode": "extractive", "sentences": []})
        floor = ranked[0].score * self.relative_floor
        chosen = [c for c in ranked if c.score >= floor][: self.max_sentences]
        chosen.sort(key=lambda c: (c.source, c.order))
        pieces = [f"{c.text} [{c.source}]" for c in chosen]
        metadata = {
            "mode": "extractive",
            "sentences": [
                {"text": c.text, "source": c.source, "node_id": c.node_id, "score": round(c.score, 4)} for c in chosen
            ],
        }
        if self.streaming:
            gen = (piece + (" " if i < len(pieces) - 1 else "") for i, piece in enumerate(pieces))
            return StreamingResponse(gen, nodes, metadata)
        return Response(" ".join(pieces), nodes, metadata)
