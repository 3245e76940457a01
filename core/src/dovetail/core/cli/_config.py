"""``dovetail config show`` / ``dovetail config path``: the effective configuration, secrets masked."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from dovetail.core.cli._commands import add_command
from dovetail.core.cli._errors import EXIT_OK

__all__ = ["MASK", "add_parser", "effective_config", "run"]

MASK = "**********"


_SUMMARY = "show the effective configuration (secrets masked) or where it is read from"
_DESCRIPTION = """\
dovetail reads dovetail.toml from $DOVETAIL_CONFIG, else ./dovetail.toml, else the user config dir
(~/.config/dovetail/dovetail.toml). Every setting resolves explicit argument > config file > environment
variable. `config show` validates the file and prints each value with its source.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``config``."""
    parser = add_command(subparsers, "config", _SUMMARY, _DESCRIPTION)
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="print the effective configuration with secrets masked")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=run)
    path = actions.add_parser("path", help="print the config file in effect (or nothing)")
    path.set_defaults(handler=run)


def _render(value: Any, key: str = "") -> Any:
    """``value`` as shown: ``SecretStr`` values and values under secret-looking names (``token``,
    ``secret_key``, ``password``... of providers dovetail does not know) are masked, and ``user:password@`` is
    stripped from every URL."""
    from dovetail.core.redact import is_secret_name
    from dovetail.core.redact import strip_url_credentials

    if hasattr(value, "get_secret_value") or (key and is_secret_name(key) and value not in (None, "")):
        return MASK
    if isinstance(value, str):
        return strip_url_credentials(value)
    if isinstance(value, dict):
        return {k: _render(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_render(item, key) for item in value]
    return value


def effective_config() -> dict[str, Any]:
    """The validated config with each value's source; secret values are replaced by :data:`MASK`."""
    from dovetail.core.config import ENV_VARS
    from dovetail.core.config import load_config

    config = load_config()
    config.validate_all()
    result: dict[str, Any] = {
        "file": str(config.path) if config.path else None,
        "defaults": {k: _render(v, k) for k, v in config.defaults().model_dump().items() if v is not None},
        "providers": {},
    }
    for name in sorted(set(config.provider_names()) | set(ENV_VARS)):
        settings = config.provider(name)
        schema = type(settings)
        section: dict[str, dict[str, Any]] = {}
        for key, value in settings:
            if value is not None:
                section[key] = {"value": _render(value, key), "source": "config file"}
        for key, env_var in ENV_VARS.get(name, {}).items():
            if key not in section and os.environ.get(env_var):
                # the schema decides what is secret: SecretStr fields are masked
                value = _render(getattr(schema.model_validate({key: os.environ[env_var]}), key), key)
                section[key] = {"value": value, "source": f"${env_var}"}
        if section:
            result["providers"][name] = section
    return result


def run(args: argparse.Namespace) -> int:
    """Run ``dovetail config show|path``."""
    from dovetail.core.config import find_config_file

    if args.config_action == "path":
        path = find_config_file()
        if path:
            sys.stdout.write(f"{path}\n")
        return EXIT_OK
    effective = effective_config()
    if args.json:
        sys.stdout.write(json.dumps(effective, indent=2, default=str) + "\n")
        return EXIT_OK
    lines = [f"# config file: {effective['file'] or 'none (defaults and environment only)'}", "[defaults]"]
    lines += [f"{key} = {json.dumps(value, default=str)}" for key, value in effective["defaults"].items()]
    for name, section in effective["providers"].items():
        lines.append(f"\n[providers.{name}]")
        for key, item in section.items():
            lines.append(f"{key} = {json.dumps(item['value'], default=str)}  # from {item['source']}")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK
