"""One secret-leak case of an integration, run with a unique secret in a clean environment.

Example:
    ```python
    def _scenario(key: str) -> ErrorPath:
        return MyStore(api_key=key, host=unreachable), lambda store: store.query(query)

    def test_the_key_leaks_nowhere(request):
        assert_secret_leaks_nowhere(request, _scenario, "MYPROVIDER_API_KEY", "mp-leak-")
    ```
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from dovetail.core.testing.fixtures import isolate_env
from dovetail.core.testing.leaks import ErrorPath
from dovetail.core.testing.leaks import LeakProbe
from dovetail.core.testing.leaks import assert_error_path_is_clean
from dovetail.core.testing.leaks import unique_secret

__all__ = ["assert_secret_leaks_nowhere", "isolated_secret"]


def isolated_secret(monkeypatch: pytest.MonkeyPatch, workdir: Path, env_var: str, prefix: str) -> str:
    """A new unique secret, also set as ``env_var``, in an environment :func:`isolate_env` cleaned (``workdir``
    the current directory, no ``DOVETAIL_CONFIG``), so only the configuration the test writes (e.g.
    ``workdir/dovetail.toml``) is read."""
    isolate_env(monkeypatch, workdir, ["DOVETAIL_CONFIG"])
    secret = unique_secret(prefix)
    monkeypatch.setenv(env_var, secret)
    return secret


def assert_secret_leaks_nowhere(
    request: pytest.FixtureRequest, scenario: Callable[[str], ErrorPath], env_var: str, prefix: str
) -> LeakProbe:
    """Run the error path ``scenario(secret)`` builds, in the test's ``tmp_path`` (see :func:`isolated_secret`)
    with DEBUG logging captured by its ``caplog``, and fail naming every place the secret appears.

    Returns:
        The probe, for checks of further texts (callback payloads, CLI output).
    """
    workdir: Path = request.getfixturevalue("tmp_path")
    secret = isolated_secret(request.getfixturevalue("monkeypatch"), workdir, env_var, prefix)
    return assert_error_path_is_clean(secret, lambda: scenario(secret), request.getfixturevalue("caplog"))
