"""What the provider LLMs built on a model catalog share: metadata from the catalog entry and the user's
overrides, built once; and the checks every call goes through before anything is sent.

Example:
    ```python
    class AcmeLLM(TypedSettingsErrors, CheckedRequestLLM, ChatFirstFunctionCallingLLM):
        _request_keys: ClassVar[RequestKeys] = RequestKeys("Acme request parameter(s)", frozenset({"stop", "seed"}))

        def model_post_init(self, context: Any, /) -> None:
            info = find_model(self.model)
            check_output_limit(self.model, self.max_tokens, info.max_output_tokens if info else None)
            self._metadata = chat_metadata(self.model, info, num_output=256, default_window=8192)

        def _check_call(self, messages: Sequence[ChatMessage] | None, kwargs: dict[str, Any]) -> None:
            if messages is not None:
                to_acme_messages(messages)  # shape errors raise before sending
    ```
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import ClassVar
from typing import TypeVar

from dovetail.core._kwargs import KeywordCheckedModel
from dovetail.core.catalog import ModelInfo
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MessageRole
from dovetail.core.llms import validate_request
from dovetail.core.provider_settings import reject_unknown_keys
from pydantic import PrivateAttr

__all__ = ["CheckedRequestLLM", "RequestKeys", "StoredMetadata", "chat_metadata", "check_output_limit", "pick"]

T = TypeVar("T")


def pick(override: T | None, from_catalog: T | None, default: T) -> T:
    """The user's ``override`` when given, else the catalog's value when known, else ``default``."""
    if override is not None:
        return override
    return from_catalog if from_catalog is not None else default


def check_output_limit(model: str, max_tokens: int | None, limit: int | None) -> None:
    """Refuse a ``max_tokens`` setting over the model's output ``limit`` (``None``: unknown, anything goes).

    Raises:
        InvalidInputError: ``max_tokens`` is over the limit.
    """
    if limit is not None and max_tokens is not None and max_tokens > limit:
        msg = f"max_tokens={max_tokens} is over the {limit}-token output limit of {model!r}; lower it"
        raise InvalidInputError(msg)


def chat_metadata(
    model: str,
    info: ModelInfo | None,
    *,
    num_output: int,
    default_window: int,
    context_window: int | None = None,
    is_function_calling_model: bool | None = None,
    supports_vision: bool | None = None,
    default_vision: bool = True,
) -> LLMMetadata:
    """Metadata of a chat model with native structured output: each capability is the user's override, else
    the catalog entry ``info``'s, else the default (a model the catalog does not know is assumed to call tools).

    Args:
        model: the model id as the user gave it.
        info: its catalog entry (``None``: not in the catalog).
        num_output: the output tokens a call may use.
        default_window: the context window of a model the catalog does not know.
        context_window / is_function_calling_model / supports_vision: the user's overrides (``None``: none).
        default_vision: whether a model the catalog does not know takes images.
    """
    return LLMMetadata(
        context_window=pick(context_window, info.context_window if info else None, default_window),
        num_output=num_output,
        is_chat_model=True,
        is_function_calling_model=pick(is_function_calling_model, info.supports_tools if info else None, True),
        model_name=model,
        system_role=MessageRole.SYSTEM,
        supports_vision=pick(supports_vision, info.supports_vision if info else None, default_vision),
        supports_structured_output=True,
    )


class StoredMetadata(KeywordCheckedModel):
    """Mixin of a provider LLM whose metadata is built once, in ``model_post_init``, into ``_metadata``.
    List it before the LLM base class."""

    _metadata: LLMMetadata = PrivateAttr()

    @property
    def metadata(self) -> LLMMetadata:
        """Context window, output size and capabilities (the catalog's entry plus the user's overrides)."""
        return self._metadata


@dataclass(frozen=True)
class RequestKeys:
    """The keyword arguments a provider's requests take, and what to call them in an error message.

    Args:
        what: e.g. ``"Acme request parameter(s)"``.
        known: the accepted keys.
    """

    what: str
    known: frozenset[str]


class CheckedRequestLLM(StoredMetadata):
    """:class:`StoredMetadata` whose calls are checked before anything is sent: keyword arguments against the
    provider's known request keys, then the default checks against the metadata, then the provider's own
    (:meth:`_check_call`).

    List it before the LLM base class. Set ``_request_keys`` in the subclass.
    """

    _request_keys: ClassVar[RequestKeys] = RequestKeys("request parameter(s)", frozenset())

    def _check_request_keys(self, keys: Iterable[str], where: str) -> None:
        """Refuse the ``keys`` (found in ``where``) that the provider does not know."""
        reject_unknown_keys(keys, self._request_keys.known, what=f"{self._request_keys.what} in {where}")

    def _check_call(self, messages: Sequence[ChatMessage] | None, kwargs: dict[str, Any]) -> None:
        """The provider's own checks of one call (message shapes, limits); nothing by default."""

    def _validate_request(self, *, prompt: Any = None, messages: Any = None, tools: Any = None, **kwargs: Any) -> None:
        """Known keyword arguments, the default checks against :attr:`metadata`, then :meth:`_check_call`."""
        # a ``messages`` keyword is the conversation itself, not a request parameter
        self._check_request_keys(set(kwargs) - {"messages"}, "the call's keyword arguments")
        validate_request(self.metadata, prompt=prompt, messages=messages, tools=tools, **kwargs)
        self._check_call(messages, kwargs)
