"""``error_for_status``: one place that turns a provider's HTTP status into the typed error."""

from __future__ import annotations

import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import RateLimitError
from dovetail.core.errors import error_for_status


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (401, AuthenticationError, False),
        (403, AuthenticationError, False),
        (404, NotFoundError, False),
        (400, InvalidInputError, False),
        (413, InvalidInputError, False),
        (422, InvalidInputError, False),
        (409, ProviderError, True),
        (418, ProviderError, False),
        (500, ProviderError, True),
        (503, ProviderError, True),
    ],
)
def test_status_picks_the_class(status: int, cls: type[Exception], retryable: bool) -> None:
    error = error_for_status(status, f"failed with {status}", provider="p", request_id="r-1")
    assert type(error) is cls
    assert str(error) == f"failed with {status}"
    assert error.is_retryable is retryable
    if isinstance(error, (ProviderError, AuthenticationError)):
        assert (error.status, error.provider, error.request_id) == (status, "p", "r-1")


def test_rate_limit_carries_retry_after() -> None:
    error = error_for_status(429, "slow down", provider="p", request_id="r-2", retry_after=1.5)
    assert isinstance(error, RateLimitError)
    assert (error.status, error.retry_after, error.request_id, error.is_retryable) == (429, 1.5, "r-2", True)


def test_the_public_path_exports_the_whole_tree() -> None:
    import dovetail.core._exceptions as tree
    import dovetail.core.errors as errors
    from dovetail.core.testing import public_names

    assert public_names(errors) == sorted(errors.__all__) == sorted(tree.__all__)
    assert all(getattr(errors, name) is getattr(tree, name) for name in tree.__all__)
