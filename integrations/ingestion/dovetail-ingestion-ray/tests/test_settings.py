"""RayRunner's arguments are validated when it is built, before any cluster is touched."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.ingestion.ray import RayRunner


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"num_actors": 0}, "num_actors"),
        ({"batch_size": True}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"max_batches_in_flight": 0}, "max_batches_in_flight"),
        ({"num_cpus_per_actor": -1}, "num_cpus_per_actor"),
        ({"num_gpus_per_actor": "1"}, "num_gpus_per_actor"),
        ({"max_restarts": -1}, "max_restarts"),
        ({"max_task_retries": None}, "max_task_retries"),
    ],
)
def test_bad_arguments_are_typed_errors_naming_the_argument(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(InvalidInputError, match=name):
        RayRunner(**kwargs)


def test_defaults_and_repr() -> None:
    runner = RayRunner(num_actors=3)
    assert runner.max_batches_in_flight == 6
    assert runner.batch_size == 64
    assert repr(runner) == "RayRunner(address=None, num_actors=3, batch_size=64, max_batches_in_flight=6)"
    assert runner.progress_hint() == "ray: 3 actor(s) at local"


@pytest.mark.parametrize(
    ("typo", "closest"),
    [("num_actor", "num_actors"), ("batchsize", "batch_size"), ("max_restart", "max_restarts"), ("adress", "address")],
)
def test_a_misspelt_keyword_names_the_closest_parameter(typo: str, closest: str) -> None:
    with pytest.raises(
        TypeError, match=rf"^RayRunner\(\) got an unexpected keyword argument '{typo}'; did you mean '{closest}'"
    ):
        RayRunner(**{typo: 2})  # type: ignore[arg-type]  # deliberately a misspelt keyword


def test_valid_keywords_and_positional_arguments_still_work() -> None:
    runner = RayRunner(None, 3, batch_size=8)
    assert (runner.num_actors, runner.batch_size) == (3, 8)
