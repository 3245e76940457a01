"""``suggest_keywords``: a typo in a keyword of a function with named parameters names the closest one."""
# The calls pass wrong keywords on purpose: the type checker would refuse them.
# mypy: disable-error-code="call-arg,misc"

from __future__ import annotations

import inspect
from typing import Any

import pytest
from dovetail.core._kwargs import suggest_keywords


class Runner:
    @suggest_keywords
    def __init__(self, address: str | None = None, num_actors: int = 2, *, batch_size: int = 64) -> None:
        self.values = (address, num_actors, batch_size)


@suggest_keywords
def connect(host: str, port: int = 80) -> tuple[str, int]:
    return host, port


def test_a_typo_names_the_closest_parameter_and_the_owner() -> None:
    with pytest.raises(
        TypeError, match=r"^Runner\(\) got an unexpected keyword argument 'num_actor'; did you mean 'num_actors'\?$"
    ):
        Runner(num_actor=3)
    with pytest.raises(
        TypeError, match=r"^connect\(\) got an unexpected keyword argument 'prot'; did you mean 'port'\?$"
    ):
        connect("h", prot=1)


def test_self_is_never_suggested() -> None:
    with pytest.raises(TypeError, match="did you mean") as info:
        Runner(sefl=1)
    assert "'self'" not in str(info.value)


def test_valid_calls_and_the_signature_are_unchanged() -> None:
    assert Runner("a", 3, batch_size=8).values == ("a", 3, 8)
    assert connect("h", port=1) == ("h", 1)
    assert list(inspect.signature(Runner).parameters) == ["address", "num_actors", "batch_size"]
    with pytest.raises(TypeError, match="multiple values"):  # Python's own checks still apply
        connect("h", host="x")


def test_a_function_taking_any_keyword_is_left_as_it_is() -> None:
    def anything(**kwargs: Any) -> dict[str, Any]:
        return kwargs

    assert suggest_keywords(anything) is anything
