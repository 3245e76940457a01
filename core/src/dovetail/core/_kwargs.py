"""No keyword argument is ever accepted and ignored: unknown keywords raise ``TypeError`` naming the closest one.

LlamaIndex's aliases (``doc_id``, ``extra_info``, ...) are honoured by mapping them onto dovetail's field names
before validation; anything else that is not a parameter is a mistake (a typo such as ``similarity_topk``), and
silently dropping it loses data or changes results without a trace.

Example:
    ```python
    def as_retriever(self, similarity_top_k: int = 2, **kwargs: Any) -> Retriever:
        reject_unknown_keywords("as_retriever", kwargs, {"similarity_top_k", "filters"})
    ```
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import ClassVar
from typing import TypeVar

from pydantic import BaseModel

__all__ = [
    "KeywordCheckedModel",
    "accepted_keywords",
    "reject_unknown_keywords",
    "suggest_constructor_keywords",
    "suggest_keywords",
    "unexpected_keyword",
]

_F = TypeVar("_F", bound=Callable[..., Any])
_C = TypeVar("_C", bound=type)


def closest_keyword(name: str, valid: Iterable[str]) -> str | None:
    """The valid keyword most similar to ``name`` (``None`` when there is no valid keyword at all)."""
    candidates = sorted(set(valid))
    if not candidates:
        return None
    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=0.0)
    return matches[0] if matches else candidates[0]


def unexpected_keyword(owner: str, name: str, valid: Iterable[str]) -> TypeError:
    """The ``TypeError`` for keyword ``name`` passed to ``owner``, naming the closest valid keyword."""
    close = closest_keyword(name, valid)
    hint = f"; did you mean {close!r}?" if close is not None else "; it takes no other keyword arguments"
    return TypeError(f"{owner}() got an unexpected keyword argument {name!r}{hint}")


def reject_unknown_keywords(owner: str, given: Iterable[str], valid: Collection[str]) -> None:
    """Raise :func:`unexpected_keyword` for the first name of ``given`` that is not in ``valid``.

    Raises:
        TypeError: a keyword is not valid; the message names the closest valid one.
    """
    for name in given:
        if name not in valid:
            raise unexpected_keyword(owner, name, valid)


def suggest_keywords(func: _F) -> _F:
    """Make ``func`` (a function or ``__init__`` with named parameters) name the closest keyword on a typo.

    Python's own ``TypeError`` for an unknown keyword names no alternative. The check runs before
    the call, only on the keywords' names, so the signature (and what type checkers see) is unchanged.

    Example:
        ```python
        class Runner:
            @suggest_keywords
            def __init__(self, num_actors: int = 2) -> None: ...

        Runner(num_actor=2)  # TypeError: Runner() got an unexpected keyword argument 'num_actor'; did you mean ...
        ```
    """
    parameters = inspect.signature(func).parameters.values()
    if any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters):
        return func  # it takes any keyword: nothing to check here
    valid = frozenset(
        parameter.name
        for parameter in parameters
        if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
    )
    qualname = func.__qualname__
    owner = qualname.rsplit(".", 1)[0] if qualname.endswith(".__init__") else qualname

    @functools.wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.keys() <= valid:
            reject_unknown_keywords(owner, kwargs, valid - {"self", "cls"})
        return func(*args, **kwargs)

    return checked  # type: ignore[return-value]


def suggest_constructor_keywords(cls: _C) -> _C:
    """Class decorator: :func:`suggest_keywords` for the class's own ``__init__`` (e.g. one ``@dataclass`` wrote).

    Apply it above ``@dataclass`` so the generated ``__init__`` exists when it is wrapped.

    Example:
        ```python
        @suggest_constructor_keywords
        @dataclass
        class Query:
            top_k: int = 1

        Query(topk=3)  # TypeError: Query() got an unexpected keyword argument 'topk'; did you mean 'top_k'?
        ```
    """
    cls.__init__ = suggest_keywords(cls.__init__)  # type: ignore[misc]
    return cls


class KeywordCheckedModel(BaseModel):
    """A pydantic model whose constructor refuses unknown keywords and honours LlamaIndex's aliases.

    Subclasses declare ``_keyword_aliases`` (alias → field), ``_positional`` (the fields positional arguments
    fill, in order) and ``_extra_keywords`` (keywords a ``mode="before"`` validator consumes, e.g. ``content``).
    ``model_validate`` is unchanged: it reads dovetail's own serialised form.
    """

    _keyword_aliases: ClassVar[Mapping[str, str]] = {}
    _positional: ClassVar[tuple[str, ...]] = ()
    _extra_keywords: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, /, *args: Any, **data: Any) -> None:
        cls = type(self)
        # Fast path (the ingestion hot path builds many nodes): only field names. Aliases are not in the valid
        # set, so a call using one takes the slow path too.
        valid = _VALID_CACHE.get(cls) or _valid_keywords(cls)
        if args or not data.keys() <= valid:
            data = _normalise_arguments(cls, args, data)
        super().__init__(**data)

    # Only a constructor call is checked: pydantic's own validation of nested data (a node's relationships read
    # from a file) keeps ignoring keys it does not know and reports real problems as ValidationError, so data
    # persisted by another version still loads. pydantic skips an ``__init__`` marked this way when validating.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]


_VALID_CACHE: dict[type[KeywordCheckedModel], frozenset[str]] = {}


def _valid_keywords(cls: type[KeywordCheckedModel]) -> frozenset[str]:
    cached = _VALID_CACHE.get(cls)
    if cached is not None:
        return cached
    names: set[str] = set(cls._extra_keywords)
    for name, field in cls.model_fields.items():
        names.add(name)
        if isinstance(field.alias, str):
            names.add(field.alias)
        if isinstance(field.validation_alias, str):
            names.add(field.validation_alias)
    valid = frozenset(names)
    _VALID_CACHE[cls] = valid
    return valid


def accepted_keywords(cls: type[KeywordCheckedModel]) -> frozenset[str]:
    """Every keyword ``cls(...)`` takes: its fields, their aliases, LlamaIndex's aliases and its extra keywords."""
    return _valid_keywords(cls) | frozenset(cls._keyword_aliases)


def _normalise_arguments(cls: type[KeywordCheckedModel], args: tuple[Any, ...], data: dict[str, Any]) -> dict[str, Any]:
    owner = cls.__name__
    if len(args) > len(cls._positional):
        msg = (
            f"{owner}() takes {len(cls._positional)} positional argument(s) but {len(args)} were given; "
            "pass the others by keyword"
        )
        raise TypeError(msg)
    for name, value in zip(cls._positional, args, strict=False):
        if name in data:
            msg = f"{owner}() got multiple values for argument {name!r}"
            raise TypeError(msg)
        data[name] = value
    own = _valid_keywords(cls)
    for alias, target in cls._keyword_aliases.items():
        if alias in data and alias not in own:  # a subclass may make the alias a real field of its own
            if target in data:
                msg = f"{owner}() got both {alias!r} and {target!r}; {alias!r} is an alias of {target!r}, pass one"
                raise TypeError(msg)
            data[target] = data.pop(alias)
    if cls.model_config.get("extra") not in ("allow",):
        reject_unknown_keywords(owner, data, accepted_keywords(cls))
    return data
