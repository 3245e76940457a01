"""``RayRunner``: an ``IngestionPipeline``'s transform + embed stage on a pool of Ray actors.

The driver (the process that calls ``pipeline.run``) streams the documents, decides from the docstore's ledger
which need work, and commits the results through the pipeline's checkpointed commit, exactly as an in-process
run does. Only the batches of documents in flight (at most ``max_batches_in_flight``) are held by the driver.
The actors are created once per run; each builds the pipeline's transformations (and embedding model) once.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError
from dovetail.core.ingestion import BatchResult
from dovetail.core.ingestion import BatchWork
from dovetail.core.ingestion import Runner
from dovetail.core.keywords import suggest_keywords
from dovetail.core.schema import BaseNode
from dovetail.ingestion.ray._actor import IngestWorker
from dovetail.ingestion.ray._ship import shippable

if TYPE_CHECKING:
    from ray import ObjectRef

__all__ = ["RayRunner"]

logger = logging.getLogger(__name__)


def _positive(name: str, value: object, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        msg = f"RayRunner {name} must be an integer >= {low}, got {value!r}"
        raise InvalidInputError(msg)
    return value


class RayRunner(Runner):
    """Run transform + embed of an ``IngestionPipeline`` on Ray; dedup, commits and checkpoints stay local.

    Args:
        address: the Ray cluster to join (``"auto"``, ``"127.0.0.1:6379"``, ``"ray://head:10001"``); ``None``
            joins the cluster named by ``RAY_ADDRESS`` or, without it, starts a local one. When Ray is already
            initialised in this process, that connection is used and ``address`` must be ``None``.
        num_actors: actors in the pool (each holds its own copy of the embedding model).
        batch_size: documents per batch sent to an actor.
        max_batches_in_flight: batches submitted and not yet committed (default ``2 * num_actors``); bounds
            the driver's memory whatever the size of the input.
        num_cpus_per_actor: CPUs Ray reserves for each actor (``0`` lets actors share CPUs, e.g. for an
            embedder that mostly waits on a remote API).
        num_gpus_per_actor: GPUs Ray reserves for each actor.
        max_restarts: how often Ray restarts an actor whose process died (its batches are retried).
        max_task_retries: how often a batch is retried after its actor died.
        init_options: extra keyword arguments for ``ray.init`` when this runner starts or joins Ray (Ray refuses
            unknown ones); when Ray is already initialised in this process they cannot apply, and a run raises
            ``ConfigurationError``.

    Raises:
        TypeError: an unknown keyword; the message names the closest parameter (``num_actor`` → ``num_actors``).
        InvalidInputError: a value out of range, naming the parameter.

    Example:
        ```python
        from dovetail.ingestion.ray import RayRunner

        with RayRunner(address="auto", num_actors=8) as runner:
            pipeline.run(documents=reader.lazy_load_data(), runner=runner)
        ```
    """

    @suggest_keywords
    def __init__(
        self,
        address: str | None = None,
        num_actors: int = 2,
        batch_size: int = 64,
        max_batches_in_flight: int | None = None,
        num_cpus_per_actor: float = 1.0,
        num_gpus_per_actor: float = 0.0,
        max_restarts: int = 3,
        max_task_retries: int = 3,
        init_options: dict[str, Any] | None = None,
    ) -> None:
        self.address = address
        self.num_actors = _positive("num_actors", num_actors)
        self.batch_size = _positive("batch_size", batch_size)
        in_flight = 2 * self.num_actors if max_batches_in_flight is None else max_batches_in_flight
        self.max_batches_in_flight = _positive("max_batches_in_flight", in_flight)
        for name, amount in (("num_cpus_per_actor", num_cpus_per_actor), ("num_gpus_per_actor", num_gpus_per_actor)):
            if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
                msg = f"RayRunner {name} must be a number >= 0, got {amount!r}"
                raise InvalidInputError(msg)
        self.num_cpus_per_actor = float(num_cpus_per_actor)
        self.num_gpus_per_actor = float(num_gpus_per_actor)
        self.max_restarts = _positive("max_restarts", max_restarts, allow_zero=True)
        self.max_task_retries = _positive("max_task_retries", max_task_retries, allow_zero=True)
        self.init_options = dict(init_options or {})
        self.peak_in_flight = 0
        """The most batches in flight at once during the last run."""
        self.last_stats: list[dict[str, Any]] = []
        """Per actor of the last complete run: ``node_id``, ``pid``, ``batches``, ``documents``, ``nodes``, ``seconds``
        (busy time); empty after a run that failed or had nothing to do."""
        self._owns_ray = False

    def __repr__(self) -> str:
        return (
            f"RayRunner(address={self.address!r}, num_actors={self.num_actors}, batch_size={self.batch_size}, "
            f"max_batches_in_flight={self.max_batches_in_flight})"
        )

    def progress_hint(self) -> str:
        """``ray: N actors at ADDRESS``, for logs."""
        return f"ray: {self.num_actors} actor(s) at {self.address or 'local'}"

    # ---------------------------------------------------------------- connection
    def _connect(self) -> Any:
        try:
            import ray
        except ImportError as exc:  # pragma: no cover - ray is a dependency of this wheel
            msg = "RayRunner needs ray; install dovetail-ingestion-ray (pip install dovetail-ingestion-ray)"
            raise ConfigurationError(msg) from exc
        if ray.is_initialized():
            if self.address is not None:
                msg = (
                    f"Ray is already initialised in this process; RayRunner(address={self.address!r}) cannot join "
                    "another cluster: pass address=None to use the current one, or call ray.shutdown() first"
                )
                raise ConfigurationError(msg)
            if self.init_options:  # they would have no effect on the connection already made
                msg = (
                    f"Ray is already initialised in this process, so RayRunner's init_options "
                    f"{sorted(self.init_options)} cannot apply: pass them to your own ray.init() call, or call "
                    "ray.shutdown() first"
                )
                raise ConfigurationError(msg)
            return ray
        options = {"include_dashboard": False, "logging_level": logging.WARNING, **self.init_options}
        try:
            ray.init(address=self.address, **options)
        except ConnectionError as exc:
            msg = f"cannot reach the Ray cluster at {self.address!r}: {exc}; check the address and that it runs"
            raise ConfigurationError(msg) from exc
        self._owns_ray = True
        return ray

    def close(self) -> None:
        """Disconnect from Ray when this runner connected (or started a local cluster); otherwise nothing."""
        if self._owns_ray:
            import ray

            ray.shutdown()
            self._owns_ray = False

    def __enter__(self) -> RayRunner:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---------------------------------------------------------------- the pool
    def _actors(self, ray: Any, work: BatchWork) -> list[Any]:
        worker = ray.remote(IngestWorker).options(
            num_cpus=self.num_cpus_per_actor,
            num_gpus=self.num_gpus_per_actor,
            max_restarts=self.max_restarts,
            max_task_retries=self.max_task_retries,
        )
        # By value, not through the object store: a restarted actor must still find its arguments.
        shipped = shippable(work)
        return [worker.remote(shipped) for _ in range(self.num_actors)]

    def map_batches(self, work: BatchWork, batches: Iterator[list[BaseNode]]) -> Iterator[BatchResult]:
        """Spread batches over the actor pool (least loaded first); yield results in batch order.

        Nothing is started when there is no batch (a rerun over an unchanged corpus costs no actor).
        """
        self.peak_in_flight = 0
        self.last_stats = []
        first = next(batches, None)
        if first is None:
            return
        batches = itertools.chain([first], batches)
        ray = self._connect()
        actors = self._actors(ray, work)
        load = [0] * len(actors)
        in_flight: deque[tuple[int, ObjectRef[BatchResult]]] = deque()
        complete = False
        try:
            exhausted = False
            while True:
                while not exhausted and len(in_flight) < self.max_batches_in_flight:
                    batch = next(batches, None)
                    if batch is None:
                        exhausted = True
                        break
                    slot = min(range(len(actors)), key=load.__getitem__)
                    in_flight.append((slot, actors[slot].process.remote(batch)))
                    load[slot] += 1
                    self.peak_in_flight = max(self.peak_in_flight, len(in_flight))
                if not in_flight:
                    complete = True
                    return
                slot, ref = in_flight.popleft()
                result: BatchResult = self._get(ray, ref)
                load[slot] -= 1
                yield result
        finally:
            self._finish(ray, actors, collect=complete)

    def _get(self, ray: Any, ref: Any) -> BatchResult:
        try:
            return ray.get(ref)  # type: ignore[no-any-return]
        except ray.exceptions.RayError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            msg = (
                f"a Ray worker failed and the batch could not be retried (max_restarts={self.max_restarts}, "
                f"max_task_retries={self.max_task_retries}): {first_line}. The batches before it are committed; "
                "run again to resume, with more retries or more memory per worker if workers keep dying"
            )
            raise ProviderError(msg, provider="ray") from exc

    def _finish(self, ray: Any, actors: list[Any], collect: bool) -> None:
        """Read the actors' statistics (after a complete run only: they queue behind pending batches), kill them."""
        if collect:
            try:
                self.last_stats = ray.get([actor.stats.remote() for actor in actors], timeout=30)
            except Exception as exc:  # stats are informative; never hide the run's own outcome
                logger.warning("ray: could not read the actors' statistics: %s", exc)
        for actor in actors:
            ray.kill(actor)
