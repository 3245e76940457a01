"""Public import path of dovetail's typed errors; see ``dovetail.core._exceptions`` for the tree."""

from dovetail.core._exceptions import *  # noqa: F403
from dovetail.core._exceptions import __all__ as __all__
