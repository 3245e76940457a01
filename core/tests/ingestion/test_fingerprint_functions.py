"""A transformation's function settings enter its cache fingerprint by name, so two functions never share output."""

from __future__ import annotations

from collections.abc import Callable

from dovetail.core.ingestion._cache import fingerprint


def _by_line(text: str) -> list[str]:
    return text.splitlines()


def _by_word(text: str) -> list[str]:
    return text.split()


class Splits:
    """A transformation configured with a function (a public attribute, so part of its configuration)."""

    def __init__(self, split: Callable[[str], list[str]]) -> None:
        self.split = split


def test_different_functions_give_different_fingerprints() -> None:
    assert fingerprint(Splits(_by_line)) != fingerprint(Splits(_by_word))


def test_the_same_function_gives_the_same_fingerprint() -> None:
    assert fingerprint(Splits(_by_line)) == fingerprint(Splits(_by_line))


def test_builtin_functions_are_told_apart() -> None:
    assert fingerprint(Splits(str.split)) != fingerprint(Splits(str.splitlines))
