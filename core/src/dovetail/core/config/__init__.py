"""dovetail's configuration file, ``dovetail.toml``.

Where it is read from: ``$DOVETAIL_CONFIG`` if set, else ``./dovetail.toml``, else
``$XDG_CONFIG_HOME/dovetail/dovetail.toml`` (``~/.config/dovetail/dovetail.toml``). Resolution order for every
setting: explicit argument > config file > environment variable. ``${VAR}`` (or ``${VAR:-default}``) references
keep secrets out of the file.

Example ``dovetail.toml``:
    ```toml
    [defaults]
    llm = "openai:gpt-4o-mini"
    embed_model = "onnx:all-MiniLM-L6-v2"

    [providers.openai]
    api_key = "${OPENAI_API_KEY}"
    timeout = 30          # seconds, 1–300
    max_retries = 3       # 0–10
    temperature = 0.2     # 0–2
    ```
"""

from dovetail.core.config._errors import describe_errors
from dovetail.core.config._loader import CONFIG_ENV_VAR
from dovetail.core.config._loader import CONFIG_FILE_NAME
from dovetail.core.config._loader import DovetailConfig
from dovetail.core.config._loader import find_config_file
from dovetail.core.config._loader import load_config
from dovetail.core.config._loader import resolve_secret
from dovetail.core.config._loader import resolve_setting
from dovetail.core.config._schema import ENV_VARS
from dovetail.core.config._schema import AnthropicSettings
from dovetail.core.config._schema import DefaultsSection
from dovetail.core.config._schema import GeminiSettings
from dovetail.core.config._schema import LangfuseSettings
from dovetail.core.config._schema import MongoDBSettings
from dovetail.core.config._schema import OllamaSettings
from dovetail.core.config._schema import OpenAISettings
from dovetail.core.config._schema import PineconeSettings
from dovetail.core.config._schema import PostgresSettings
from dovetail.core.config._schema import ProviderSettings
from dovetail.core.config._schema import provider_schema

__all__ = [
    "CONFIG_ENV_VAR",
    "CONFIG_FILE_NAME",
    "ENV_VARS",
    "AnthropicSettings",
    "DefaultsSection",
    "DovetailConfig",
    "GeminiSettings",
    "LangfuseSettings",
    "MongoDBSettings",
    "OllamaSettings",
    "OpenAISettings",
    "PineconeSettings",
    "PostgresSettings",
    "ProviderSettings",
    "describe_errors",
    "find_config_file",
    "load_config",
    "provider_schema",
    "resolve_secret",
    "resolve_setting",
]
