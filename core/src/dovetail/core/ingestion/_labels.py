"""LlamaIndex's ``IngestionPipeline`` constructor keywords ``name``, ``project_name`` and ``readers``.

``name`` and ``project_name`` are labels (LlamaIndex uses them for its hosted service; here the pipeline keeps
them as attributes and shows a non-default name in its ``repr``). ``readers`` are
:class:`~dovetail.core.readers.ReaderConfig` s read again at the start of every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dovetail.core._exceptions import InvalidInputError

if TYPE_CHECKING:
    from dovetail.core.readers import ReaderConfig
    from dovetail.core.schema import BaseNode

__all__ = ["DEFAULT_PIPELINE_NAME", "DEFAULT_PROJECT_NAME", "check_labels", "check_readers", "read_all"]

DEFAULT_PIPELINE_NAME = "default"
DEFAULT_PROJECT_NAME = "default"


def check_labels(name: object, project_name: object) -> tuple[str, str]:
    """``(name, project_name)`` when both are non-empty strings.

    Raises:
        InvalidInputError: either is not a non-empty ``str``.
    """
    for keyword, value in (("name", name), ("project_name", project_name)):
        if not isinstance(value, str) or not value.strip():
            msg = f"IngestionPipeline({keyword}=...) takes a non-empty str, got {value!r}"
            raise InvalidInputError(msg)
    return str(name), str(project_name)


def check_readers(readers: object) -> list[ReaderConfig]:
    """The pipeline's readers as a list, each a ``ReaderConfig``.

    Raises:
        InvalidInputError: ``readers`` is not a list of ``ReaderConfig`` (a bare reader says how to wrap it).
    """
    from dovetail.core.readers import BaseReader
    from dovetail.core.readers import ReaderConfig

    if readers is None:
        return []
    if isinstance(readers, (str, bytes)) or not isinstance(readers, Sequence):
        msg = f"IngestionPipeline(readers=...) takes a list of ReaderConfig, got {type(readers).__name__}"
        raise InvalidInputError(msg)
    for item in readers:
        if isinstance(item, BaseReader):
            msg = (
                f"IngestionPipeline(readers=...) takes ReaderConfig items; wrap the {type(item).__name__} as "
                "ReaderConfig(reader=..., reader_kwargs={...}) (from dovetail.core.readers)"
            )
            raise InvalidInputError(msg)
        if not isinstance(item, ReaderConfig):
            msg = f"IngestionPipeline(readers=...) takes ReaderConfig items, got {type(item).__name__}"
            raise InvalidInputError(msg)
    return list(readers)


def read_all(readers: Sequence[ReaderConfig]) -> list[BaseNode]:
    """The documents of every reader, in order."""
    return [doc for config in readers for doc in config.read()]
