"""Find, read and validate ``dovetail.toml``; resolve settings in the order explicit > config > environment."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Literal
from typing import overload

from dovetail.core._exceptions import ConfigurationError
from dovetail.core.config._errors import describe_errors
from dovetail.core.config._schema import DefaultsSection
from dovetail.core.config._schema import ProviderSettings
from dovetail.core.config._schema import provider_schema
from pydantic import SecretStr
from pydantic import ValidationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = [
    "CONFIG_ENV_VAR",
    "CONFIG_FILE_NAME",
    "DovetailConfig",
    "find_config_file",
    "load_config",
    "resolve_secret",
    "resolve_setting",
]

CONFIG_ENV_VAR = "DOVETAIL_CONFIG"
CONFIG_FILE_NAME = "dovetail.toml"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _user_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "dovetail"


def find_config_file(cwd: Path | None = None) -> Path | None:
    """The config file in effect: ``$DOVETAIL_CONFIG``, else ``./dovetail.toml``, else the user config dir.

    Raises:
        ConfigurationError: ``DOVETAIL_CONFIG`` names a file that does not exist.
    """
    override = os.environ.get(CONFIG_ENV_VAR)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            msg = f"{CONFIG_ENV_VAR}={override} does not name a file; create it or unset {CONFIG_ENV_VAR}"
            raise ConfigurationError(msg)
        return path
    for candidate in ((cwd or Path.cwd()) / CONFIG_FILE_NAME, _user_config_dir() / CONFIG_FILE_NAME):
        if candidate.is_file():
            return candidate
    return None


def _interpolate(value: Any, where: str) -> Any:
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            resolved = os.environ.get(name, default)
            if resolved is None:
                msg = (
                    f"{where} refers to ${{{name}}}, which is not set; export {name} or give a default ${{{name}:-...}}"
                )
                raise ConfigurationError(msg)
            return resolved

        return _ENV_REF.sub(replace, value)
    if isinstance(value, dict):
        return {key: _interpolate(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, where) for item in value]
    return value


def _describe(error: ValidationError, source: str, section: str) -> str:
    return f"{source}: [{section}] {describe_errors(error)}"


@dataclass
class DovetailConfig:
    """The parsed config file. Sections are validated (and ``${VAR}`` references resolved) when read.

    Attributes:
        path: the file it came from, or ``None`` for the empty config.
        raw: the TOML document.
    """

    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """The file name for error messages."""
        return str(self.path) if self.path else "<no config file>"

    def defaults(self) -> DefaultsSection:
        """The validated ``[defaults]`` section."""
        section = _interpolate(self.raw.get("defaults", {}), "defaults")
        try:
            return DefaultsSection.model_validate(section)
        except ValidationError as exc:
            problem = _describe(exc, self.source, "defaults")
        raise ConfigurationError(problem)  # outside the except: the ValidationError holds the raw (secret) input

    def provider_names(self) -> list[str]:
        """Providers that have a section in the file."""
        providers = self.raw.get("providers", {})
        return sorted(providers) if isinstance(providers, dict) else []

    def provider(self, name: str) -> ProviderSettings:
        """The validated ``[providers.<name>]`` section (empty settings when absent)."""
        providers = self.raw.get("providers", {})
        section = providers.get(name, {}) if isinstance(providers, dict) else {}
        where = f"providers.{name}"
        schema = provider_schema(name)
        try:
            return schema.model_validate(_interpolate(section, where))
        except ValidationError as exc:
            problem = _describe(exc, self.source, where)
        raise ConfigurationError(problem)  # outside the except: the ValidationError holds the raw (secret) input

    def validate_all(self) -> None:
        """Validate every section now (``dovetail config show`` does this)."""
        unknown = sorted(set(self.raw) - {"defaults", "providers"})
        if unknown:
            msg = f"{self.source}: unknown top-level section(s) {unknown}; allowed: [defaults], [providers.<name>]"
            raise ConfigurationError(msg)
        self.defaults()
        for name in self.provider_names():
            self.provider(name)


def load_config(path: Path | str | None = None) -> DovetailConfig:
    """Read the config file (``path``, else :func:`find_config_file`); no file gives an empty config.

    Raises:
        ConfigurationError: the file cannot be read or is not valid TOML; the message names the file.
    """
    file = Path(path) if path is not None else find_config_file()
    if file is None:
        return DovetailConfig()
    try:
        data = file.read_bytes()
    except OSError as exc:
        msg = f"cannot read config file {file}: {exc}"
        raise ConfigurationError(msg) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # ``from None``: the decode error carries the whole file (keys included) in ``exc.object``
        msg = (
            f"config file {file} is not UTF-8 text (byte {exc.start} cannot be decoded); "
            "save it as UTF-8 (TOML files must be UTF-8)"
        )
        raise ConfigurationError(msg) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"config file {file} is not valid TOML: {exc}; fix it or point DOVETAIL_CONFIG elsewhere"
        raise ConfigurationError(msg) from None
    except RecursionError:
        msg = f"config file {file} nests arrays or tables too deeply to read; flatten it"
        raise ConfigurationError(msg) from None
    return DovetailConfig(path=file, raw=raw)


def _is_set(value: Any) -> bool:
    """``None``, a blank string and a blank ``SecretStr`` all mean "not set"."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return value is not None and not (isinstance(value, str) and not value.strip())


def resolve_setting(explicit: Any, provider: str, key: str, env_var: str | Sequence[str] | None = None) -> Any:
    """The value of one setting: ``explicit``, else the config file, else the first set variable of ``env_var``.

    A blank value (``None``, ``""``, whitespace) at any level counts as not set; ``None`` when nothing is set.
    """
    if _is_set(explicit):
        return explicit
    value = getattr(load_config().provider(provider), key, None)
    if _is_set(value):
        return value
    for name in (env_var,) if isinstance(env_var, str) else env_var or ():
        from_env = os.environ.get(name)
        if _is_set(from_env):
            return from_env
    return None


@overload
def resolve_secret(
    explicit: str | SecretStr | None,
    provider: str,
    key: str = "api_key",
    env_var: str | None = None,
    *,
    required: Literal[True] = True,
) -> SecretStr: ...


@overload
def resolve_secret(
    explicit: str | SecretStr | None, provider: str, key: str = "api_key", env_var: str | None = None, *, required: bool
) -> SecretStr | None: ...


def resolve_secret(
    explicit: str | SecretStr | None,
    provider: str,
    key: str = "api_key",
    env_var: str | None = None,
    *,
    required: bool = True,
) -> SecretStr | None:
    """Resolve a secret (explicit > config > environment) as a ``SecretStr``.

    Raises:
        ConfigurationError: ``required`` and nothing was found; the message names ``env_var`` and the config key.
    """
    value = resolve_setting(explicit, provider, key, env_var)
    if value is None:
        if not required:
            return None
        where = f" or set {env_var}" if env_var else ""
        msg = f"no {key} for {provider}: pass {key}=..., add it to [providers.{provider}] in {CONFIG_FILE_NAME}{where}"
        raise ConfigurationError(msg)
    return value if isinstance(value, SecretStr) else SecretStr(str(value))
