"""``LabelledQuestions``: the questions of a retrieval evaluation and the ids that answer each."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import NotFoundError

__all__ = ["LabelledQuestion", "LabelledQuestions"]

_FIELDS = {"question", "expected_ids", "id", "note"}


@dataclass(frozen=True)
class LabelledQuestion:
    """One question and the ids (document ids by default) of the texts that answer it."""

    question: str
    expected_ids: tuple[str, ...]
    id: str | None = None


def _parse(row: object, where: str) -> LabelledQuestion:
    if not isinstance(row, dict):
        msg = f"{where}: expected a JSON object with 'question' and 'expected_ids', got {type(row).__name__}"
        raise InvalidInputError(msg)
    unknown = set(row) - _FIELDS
    if unknown:
        msg = f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_FIELDS)}"
        raise InvalidInputError(msg)
    question = row.get("question")
    expected = row.get("expected_ids")
    if not isinstance(question, str) or not question.strip():
        msg = f"{where}: 'question' must be a non-empty string"
        raise InvalidInputError(msg)
    if not isinstance(expected, list) or not expected or not all(isinstance(i, str) and i for i in expected):
        msg = f"{where}: 'expected_ids' must be a non-empty list of ids (strings)"
        raise InvalidInputError(msg)
    ident = row.get("id")
    if ident is not None and not isinstance(ident, str):
        msg = f"{where}: 'id' must be a string"
        raise InvalidInputError(msg)
    return LabelledQuestion(question=question.strip(), expected_ids=tuple(expected), id=ident)


class LabelledQuestions:
    """A labelled set of questions.

    ``query_docid_pairs`` gives ``(question, expected ids)`` pairs, the shape LlamaIndex's evaluation datasets
    expose, so :meth:`RetrieverEvaluator.evaluate_dataset` accepts either.

    Example:
        ```python
        questions = LabelledQuestions.from_jsonl("questions.jsonl")
        len(questions), questions.query_docid_pairs[0]
        ```
    """

    def __init__(self, questions: Iterable[LabelledQuestion]) -> None:
        self.questions = list(questions)

    def __len__(self) -> int:
        return len(self.questions)

    @property
    def query_docid_pairs(self) -> list[tuple[str, list[str]]]:
        """``(question, expected ids)`` for every question."""
        return [(q.question, list(q.expected_ids)) for q in self.questions]

    @classmethod
    def from_jsonl(cls, path: str | Path) -> LabelledQuestions:
        """Read one JSON object per line (blank lines and lines starting with ``#`` are skipped).

        Raises:
            NotFoundError: the file does not exist.
            InvalidInputError: a line is not valid JSON or lacks ``question``/``expected_ids``; the file has no
                questions.
        """
        file = Path(path)
        if not file.is_file():
            msg = f"no labelled questions at {file}; write one JSON object per line: question, expected_ids"
            raise NotFoundError(msg)
        questions = []
        with file.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                try:
                    row = json.loads(text)
                except ValueError as exc:
                    msg = f"{file}:{number}: not valid JSON ({exc.args[0] if exc.args else exc})"
                    raise InvalidInputError(msg) from None
                questions.append(_parse(row, f"{file}:{number}"))
        if not questions:
            msg = f"{file} holds no questions"
            raise InvalidInputError(msg)
        return cls(questions)
