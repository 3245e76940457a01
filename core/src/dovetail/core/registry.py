"""Provider registry: integrations register through entry points and are found lazily.

Each integration declares ``[project.entry-points."dovetail.<domain>"] <provider> = "module:Class"``; nothing
is imported until a provider is resolved. A spec is ``"provider:model"`` (the model part may itself contain
colons, e.g. ``"ollama:llama3:8b"``); the class is built as ``Class(model=..., **overrides)``.

Example:
    ```python
    from dovetail.core.registry import list_providers, resolve_llm

    llm = resolve_llm("openai:gpt-4o-mini", temperature=0)
    for info in list_providers("llms"):
        print(info.name, info.version, info.installed)
    ```
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from dovetail.core._exceptions import ConfigurationError
from dovetail.core._exceptions import InvalidInputError
from dovetail.core.domains import domain_names
from dovetail.core.domains import domain_spec

if TYPE_CHECKING:
    from dovetail.core.embeddings import BaseEmbedding
    from dovetail.core.llms import LLM

__all__ = [
    "DOMAINS",
    "Domain",
    "ProviderInfo",
    "list_providers",
    "load_provider_class",
    "package_name",
    "parse_spec",
    "resolve",
    "resolve_embedding",
    "resolve_llm",
]

logger = logging.getLogger(__name__)

# A domain id: one of DOMAINS (the table in ``dovetail/core/domains.json``) or the suffix of any installed
# ``dovetail.<domain>`` entry-point group, so a plugin can bring a domain the table does not list yet.
Domain = str
DOMAINS: tuple[Domain, ...] = domain_names()
_GROUP_PREFIX = "dovetail."


@dataclass(frozen=True)
class ProviderInfo:
    """One provider of one domain.

    Attributes:
        name: provider id used in specs (``"openai"``).
        domain: one of :data:`DOMAINS`.
        package: the distribution to ``pip install``.
        installed: whether an entry point for it is installed.
        version: installed distribution version, if installed.
        target: the entry point's ``module:Class`` reference, if installed.
    """

    name: str
    domain: Domain
    package: str
    installed: bool
    version: str | None = None
    target: str | None = None


def package_name(domain: str, provider: str) -> str:
    """The distribution that provides ``provider`` for ``domain`` (``dovetail-vector-stores-pinecone``)."""
    override = domain_spec(domain).package_overrides.get(provider) if domain in DOMAINS else None
    if override:
        return override
    return f"dovetail-{domain.replace('_', '-')}-{provider.replace('_', '-')}"


def _installed_domains() -> tuple[Domain, ...]:
    """Domains of installed ``dovetail.<domain>`` entry-point groups that the table does not list."""
    groups = {group for group in metadata.entry_points().groups if group.startswith(_GROUP_PREFIX)}
    return tuple(sorted(name for name in (g[len(_GROUP_PREFIX) :] for g in groups) if name not in DOMAINS))


def _check_domain(domain: str) -> Domain:
    if domain in DOMAINS or domain in _installed_domains():
        return domain
    msg = f"unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}"
    raise InvalidInputError(msg)


def _known(domain: Domain) -> tuple[str, ...]:
    return domain_spec(domain).known_providers if domain in DOMAINS else ()


def _entry_points(domain: Domain) -> dict[str, metadata.EntryPoint]:
    found: dict[str, metadata.EntryPoint] = {}
    for entry_point in metadata.entry_points(group=f"{_GROUP_PREFIX}{domain}"):
        found.setdefault(entry_point.name, entry_point)
    return found


def list_providers(domain: str | None = None) -> list[ProviderInfo]:
    """Installed and known providers, sorted by domain then name; imports no integration."""
    domains = (*DOMAINS, *_installed_domains()) if domain is None else (_check_domain(domain),)
    infos: list[ProviderInfo] = []
    for dom in domains:
        installed = _entry_points(dom)
        for name in sorted(set(installed) | set(_known(dom))):
            entry_point = installed.get(name)
            if entry_point is None:
                infos.append(ProviderInfo(name, dom, package_name(dom, name), installed=False))
                continue
            dist = entry_point.dist
            infos.append(
                ProviderInfo(
                    name,
                    dom,
                    dist.name if dist else package_name(dom, name),
                    installed=True,
                    version=dist.version if dist else None,
                    target=entry_point.value,
                )
            )
    return infos


def parse_spec(spec: str) -> tuple[str, str | None]:
    """Split ``"provider:model"`` into ``("provider", "model")``; ``"provider"`` alone gives ``(provider, None)``."""
    if not isinstance(spec, str) or not spec.strip():
        msg = f"provider spec must be a non-empty string like 'openai:gpt-4o-mini', got {spec!r}"
        raise InvalidInputError(msg)
    provider, _, model = spec.strip().partition(":")
    provider = provider.strip().lower()
    if not provider:
        msg = f"provider spec {spec!r} has no provider before ':'; write it like 'openai:gpt-4o-mini'"
        raise InvalidInputError(msg)
    return provider, (model.strip() or None)


def load_provider_class(domain: str, provider: str) -> type[Any]:
    """Import and return the class registered for ``provider`` in ``domain``.

    Raises:
        ConfigurationError: the provider is not installed; the message names the package to install.
    """
    dom = _check_domain(domain)
    entry_point = _entry_points(dom).get(provider)
    if entry_point is None:
        installed = ", ".join(sorted(_entry_points(dom))) or "none"
        msg = (
            f"no {dom} provider {provider!r} is installed (installed: {installed}). "
            f"Install it with `pip install {package_name(dom, provider)}`."
        )
        raise ConfigurationError(msg)
    try:
        loaded = entry_point.load()
    except ImportError as exc:
        msg = (
            f"{dom} provider {provider!r} is registered but failed to import ({exc}). "
            f"Reinstall it with `pip install --force-reinstall {package_name(dom, provider)}`."
        )
        raise ConfigurationError(msg) from exc
    return cast(type[Any], loaded)


# Model-name prefixes of providers dovetail publishes, for "did you mean" hints when a bare model is given.
_MODEL_PREFIXES: dict[str, tuple[str, ...]] = {
    "openai": ("gpt-", "gpt4", "chatgpt", "o1", "o3", "o4", "text-embedding-", "davinci", "babbage", "dall-e"),
}


def suggest_spec(domain: str, name: str) -> str | None:
    """``"provider:name"`` when ``name`` looks like a model of a known provider rather than a provider."""
    dom = _check_domain(domain)
    if name in _entry_points(dom) or name in _known(dom):
        return None
    from dovetail.core.catalog import list_models

    try:
        for provider, info in list_models(domain=dom):
            if info.id == name:
                return f"{provider}:{name}"
    except Exception:  # a broken catalog must not hide the real error
        logger.debug("model catalogs could not be read for a suggestion", exc_info=True)
    lowered = name.lower()
    for provider, prefixes in _MODEL_PREFIXES.items():
        if provider in _known(dom) and lowered.startswith(prefixes):
            return f"{provider}:{name}"
    return None


def resolve(domain: str, spec: str, **overrides: Any) -> Any:
    """Build the object for ``"provider:model"`` in ``domain`` with ``overrides`` as constructor arguments.

    Raises:
        ConfigurationError: the provider is not installed; when the spec is a bare model name such as
            ``"gpt-4o-mini"``, the message asks "did you mean ``openai:gpt-4o-mini``?".
    """
    provider, model = parse_spec(spec)
    if model is None:
        suggestion = suggest_spec(domain, provider)
        if suggestion is not None:
            msg = (
                f"{spec!r} is a model name, not a provider; did you mean `{suggestion}`? "
                "Specs are written PROVIDER:MODEL."
            )
            raise ConfigurationError(msg)
    cls = load_provider_class(domain, provider)
    kwargs = dict(overrides)
    if model is not None:
        kwargs.setdefault("model", model)
    logger.debug("resolving %s provider %s (model=%s)", domain, provider, model)
    return cls(**kwargs)


def resolve_llm(spec: str, **overrides: Any) -> LLM:
    """Build an LLM from ``"provider:model"``, e.g. ``resolve_llm("openai:gpt-4o-mini", temperature=0)``."""
    return cast("LLM", resolve("llms", spec, **overrides))


def resolve_embedding(spec: str, **overrides: Any) -> BaseEmbedding:
    """Build an embedding model from ``"provider:model"``, e.g. ``resolve_embedding("onnx:all-MiniLM-L6-v2")``."""
    return cast("BaseEmbedding", resolve("embeddings", spec, **overrides))
