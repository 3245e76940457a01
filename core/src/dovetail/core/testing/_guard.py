"""The no-override guard of the conformance kit: a provider's subclass may add tests, never replace kit tests."""

from __future__ import annotations

from typing import Any
from typing import ClassVar

__all__ = ["ConformanceBase", "KitTestOverriddenError"]


class KitTestOverriddenError(TypeError):
    """A subclass redefined a kit test. Fix the integration instead, or turn the capability flag off."""


class ConformanceBase:
    """Base of every kit class. Kit classes set ``_kit_class = True`` in their own body.

    When a non-kit subclass defines a ``test_*`` attribute that a kit class in its MRO defines, class creation
    fails with :class:`KitTestOverriddenError`: a kit test that does not pass is fixed in the integration or
    switched off with the documented capability flag (``supports_*``), not silenced.
    """

    _kit_class: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_kit_class", False):
            return
        kit_tests = {
            name
            for base in cls.__mro__[1:]
            if base.__dict__.get("_kit_class", False)
            for name in base.__dict__
            if name.startswith("test_")
        }
        overridden = sorted(kit_tests & {name for name in cls.__dict__ if name.startswith("test_")})
        if overridden:
            msg = (
                f"{cls.__qualname__} overrides conformance kit tests {overridden}; kit tests may not be "
                "overridden. Fix the integration, or turn off the matching supports_* capability flag."
            )
            raise KitTestOverriddenError(msg)
