"""Pydantic schemas of the ``dovetail.toml`` sections: defaults and one section per provider."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import SecretStr

__all__ = [
    "ENV_VARS",
    "AnthropicSettings",
    "DefaultsSection",
    "GeminiSettings",
    "LangfuseSettings",
    "MongoDBSettings",
    "OllamaSettings",
    "OpenAISettings",
    "PineconeSettings",
    "PostgresSettings",
    "ProviderSettings",
    "provider_schema",
]


class DefaultsSection(BaseModel):
    """``[defaults]``: provider specs used when nothing is given explicitly."""

    model_config = ConfigDict(extra="forbid")

    llm: str | None = Field(default=None, description="e.g. 'openai:gpt-4o-mini'; unset = extractive answers")
    embed_model: str | None = Field(default=None, description="e.g. 'onnx:all-MiniLM-L6-v2'")
    index_dir: str | None = Field(default=None, description="default --index directory of the CLI")


class ProviderSettings(BaseModel):
    """Settings every provider section may hold. Unknown providers may add their own keys."""

    model_config = ConfigDict(extra="allow")

    api_key: SecretStr | None = None
    base_url: str | None = None
    timeout: float | None = Field(default=None, ge=1, le=300, description="seconds, 1–300")
    max_retries: int | None = Field(default=None, ge=0, le=10, description="0–10")


class _KnownProviderSettings(ProviderSettings):
    """A section of a provider dovetail knows: a key it does not know is an error (a typo would be ignored)."""

    model_config = ConfigDict(extra="forbid")


class _LLMProviderSettings(_KnownProviderSettings):
    """The generation settings the LLM providers share."""

    model: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2, description="0–2")
    max_tokens: int | None = Field(default=None, gt=0)


class OpenAISettings(_LLMProviderSettings):
    """``[providers.openai]`` (also used by ``openai_like``)."""

    organization: str | None = None


class PineconeSettings(_KnownProviderSettings):
    """``[providers.pinecone]``."""

    host: str | None = None
    index_name: str | None = None
    namespace: str | None = None
    batch_size: int | None = Field(default=None, ge=1, le=1000, description="1–1000")


class MongoDBSettings(_KnownProviderSettings):
    """``[providers.mongodb]``; the URI may hold a password, so it is a secret."""

    uri: SecretStr | None = None
    db_name: str | None = None
    collection_name: str | None = None


class PostgresSettings(_KnownProviderSettings):
    """``[providers.postgres]``; the connection string and the password are secrets."""

    connection_string: SecretStr | None = None
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535, description="1–65535")
    database: str | None = None
    user: str | None = None
    password: SecretStr | None = None
    schema_name: str | None = None
    table_name: str | None = None


class LangfuseSettings(_KnownProviderSettings):
    """``[providers.langfuse]``."""

    public_key: SecretStr | None = None
    secret_key: SecretStr | None = None
    host: str | None = None
    user_id: str | None = None
    session_id: str | None = None


class AnthropicSettings(_LLMProviderSettings):
    """``[providers.anthropic]``."""

    temperature: float | None = Field(default=None, ge=0, le=1, description="0–1")


class GeminiSettings(_LLMProviderSettings):
    """``[providers.gemini]`` (Gemini API keys; ``base_url`` for a proxy or a local stand-in)."""


class OllamaSettings(_KnownProviderSettings):
    """``[providers.ollama]``: no key; ``base_url`` is the Ollama server (``http://localhost:11434``)."""

    model: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2, description="0–2")
    keep_alive: str | None = Field(default=None, description="how long the server keeps the model loaded: '5m'")
    context_window: int | None = Field(default=None, gt=0)


_SCHEMAS: dict[str, type[ProviderSettings]] = {
    "anthropic": AnthropicSettings,
    "gemini": GeminiSettings,
    "ollama": OllamaSettings,
    "openai": OpenAISettings,
    "openai_like": OpenAISettings,
    "pinecone": PineconeSettings,
    "mongodb": MongoDBSettings,
    "postgres": PostgresSettings,
    "langfuse": LangfuseSettings,
}


ENV_VARS: dict[str, dict[str, str]] = {
    "anthropic": {"api_key": "ANTHROPIC_API_KEY", "base_url": "ANTHROPIC_BASE_URL"},
    "gemini": {"api_key": "GOOGLE_API_KEY"},
    "ollama": {"base_url": "OLLAMA_HOST"},
    "openai": {"api_key": "OPENAI_API_KEY", "base_url": "OPENAI_BASE_URL"},
    "openai_like": {"api_key": "OPENAI_API_KEY", "base_url": "OPENAI_BASE_URL"},
    "pinecone": {"api_key": "PINECONE_API_KEY"},
    "mongodb": {"uri": "MONGODB_URI"},
    "postgres": {
        "host": "PGHOST",
        "port": "PGPORT",
        "database": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
    },
    "langfuse": {"public_key": "LANGFUSE_PUBLIC_KEY", "secret_key": "LANGFUSE_SECRET_KEY", "host": "LANGFUSE_HOST"},
}
"""Environment variables read for each provider setting when neither an argument nor the config file sets it."""


def provider_schema(provider: str) -> type[ProviderSettings]:
    """The schema of ``[providers.<provider>]`` (the permissive base for providers dovetail does not know)."""
    return _SCHEMAS.get(provider, ProviderSettings)
