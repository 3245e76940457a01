"""Getting a pipeline's work to Ray actors: models that cannot be pickled travel as their spec string."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.ingestion import BatchWork

__all__ = ["ModelSpec", "rebuild", "safe_error", "shippable"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSpec:
    """An embedding model to build in the actor from ``spec`` (e.g. ``"onnx:all-MiniLM-L6-v2"``, ``"mock:64"``)."""

    spec: str


def _picklable(value: Any) -> bool:
    from ray import cloudpickle

    try:
        cloudpickle.dumps(value)  # type: ignore[no-untyped-call]
    except Exception:  # any failure means "cannot travel as is"
        return False
    return True


def shippable(work: BatchWork) -> BatchWork:
    """``work`` with every transformation that cannot be pickled replaced by its :class:`ModelSpec`.

    Raises:
        ConfigurationError: a transformation can neither be pickled nor rebuilt from a spec string.
    """
    from dovetail.core.settings import embed_spec_of

    shipped: list[Any] = []
    for transformation in work.transformations:
        if _picklable(transformation):
            shipped.append(transformation)
            continue
        spec = embed_spec_of(transformation)  # None for anything but an embedding model the registry can build
        if spec is None:
            msg = (
                f"transformation {type(transformation).__name__} cannot be sent to Ray workers (it does not "
                "pickle) and has no 'provider:model' spec to rebuild it from; make it picklable or use a model "
                "that the registry can build by name (e.g. 'onnx:all-MiniLM-L6-v2')"
            )
            raise ConfigurationError(msg)
        logger.info("ray: %s does not pickle; each actor builds it from %r", type(transformation).__name__, spec)
        shipped.append(ModelSpec(spec))
    return BatchWork(shipped, work.stable_node_ids, dict(work.kwargs))


def rebuild(work: BatchWork) -> BatchWork:
    """The actor's side of :func:`shippable`: build every :class:`ModelSpec` (once per actor)."""
    from dovetail.core.settings import resolve_embed_model

    built = [resolve_embed_model(t.spec) if isinstance(t, ModelSpec) else t for t in work.transformations]
    return BatchWork(built, work.stable_node_ids, dict(work.kwargs))


def safe_error(error: BaseException) -> BaseException:
    """``error`` when it pickles (to travel back to the driver), else an ``InvalidInputError`` with its text."""
    if _picklable(error):
        return error
    msg = f"{type(error).__name__}: {error}"
    return InvalidInputError(msg)
