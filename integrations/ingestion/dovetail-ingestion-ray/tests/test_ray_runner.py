"""RayRunner on a local Ray instance: same store as in process, streaming, failures, retries, resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from typing import cast

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError
from dovetail.core.ingestion import BatchWork
from dovetail.core.schema import BaseNode
from dovetail.core.testing.transformations import FailOn
from dovetail.ingestion.ray import RayRunner
from dovetail.ingestion.ray._ship import ModelSpec
from dovetail.ingestion.ray._ship import shippable
from ray import cloudpickle

from .conftest import assert_same_store
from .conftest import corpus
from .conftest import make_pipeline
from .conftest import stored

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("ray_local")]

# ray's vendored cloudpickle has no annotations: the two functions used here, with their types
register_pickle_by_value = cast("Callable[[ModuleType], None]", cloudpickle.register_pickle_by_value)
pickle_dumps = cast("Callable[[object], bytes]", cloudpickle.dumps)

register_pickle_by_value(sys.modules[__name__])  # the workers cannot import test modules


class KillOnce:
    """Kills its own worker process the first time it sees ``joint <number>`` (a marker file remembers)."""

    def __init__(self, number: int, marker: Path) -> None:
        self.needle = f"joint {number} "
        self.marker = str(marker)

    def __call__(self, nodes: list[BaseNode], **kwargs: Any) -> list[BaseNode]:
        if any(self.needle in node.get_content() for node in nodes) and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return nodes


def unpicklable_mock(dim: int) -> MockEmbedding:
    """A MockEmbedding holding a lock (like a model holding a session): it cannot be pickled."""
    model = MockEmbedding(embed_dim=dim)
    object.__setattr__(model, "session_lock", threading.Lock())
    return model


def test_result_equals_the_in_process_run() -> None:
    documents = corpus(120)
    local = make_pipeline()
    local_nodes = local.run(documents=documents)
    remote = make_pipeline()
    runner = RayRunner(num_actors=2, batch_size=16)
    remote_nodes = remote.run(documents=iter(documents), runner=runner)
    assert [n.node_id for n in remote_nodes] == [n.node_id for n in local_nodes]
    assert_same_store(remote, local)
    assert sum(s["documents"] for s in runner.last_stats) == len(documents)
    assert all(s["batches"] > 0 for s in runner.last_stats)  # both actors got work

    # unchanged input: nothing is sent anywhere; one changed document: only it is redone
    changed = corpus(120)
    changed[7] = corpus(1, start=999)[0].model_copy(update={"id_": "doc-00007"})
    changed[7].id_ = "doc-00007"
    assert remote.run(documents=corpus(120), runner=runner) == []
    assert runner.last_stats == []
    remote.run(documents=changed, runner=runner)
    assert sum(s["documents"] for s in runner.last_stats) == 1
    local.run(documents=changed)
    assert_same_store(remote, local)


def test_failing_document_is_named_and_earlier_documents_are_kept() -> None:
    pipeline = make_pipeline(FailOn("joint 37 "))
    with pytest.raises(InvalidInputError, match="doc-00037") as info:
        pipeline.run(documents=corpus(60), runner=RayRunner(num_actors=2, batch_size=8))
    assert "containing 'joint 37 '" in str(info.value)
    assert pipeline.docstore is not None
    assert sorted(pipeline.docstore.hashes_by_document_id()) == [f"doc-{i:05d}" for i in range(37)]
    reference = make_pipeline()
    reference.run(documents=corpus(37))
    assert_same_store(pipeline, reference)


def test_driver_holds_only_the_batches_in_flight() -> None:
    state = {"pulled": 0, "committed": 0, "peak": 0}

    def documents() -> Iterator[BaseNode]:
        for doc in corpus(200):
            state["pulled"] += 1
            state["peak"] = max(state["peak"], state["pulled"] - state["committed"])
            yield doc

    def progress(done: int, total: int) -> None:
        state["committed"] = done

    runner = RayRunner(num_actors=2, batch_size=5, max_batches_in_flight=3)
    pipeline = make_pipeline()
    pipeline.run(documents=documents(), runner=runner, progress=progress)
    assert state["committed"] == 200
    assert runner.peak_in_flight == 3
    assert state["peak"] <= 3 * 5  # 200 documents went through, never more than three batches at once
    assert len(stored(pipeline)) > 200


def test_killed_worker_batches_are_retried_nothing_lost_or_duplicated(tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    pipeline = make_pipeline(KillOnce(33, marker))
    runner = RayRunner(num_actors=2, batch_size=6, max_restarts=2, max_task_retries=2)
    pipeline.run(documents=corpus(80), runner=runner)
    killed = int(marker.read_text())
    assert killed not in {s["pid"] for s in runner.last_stats}  # that process really died and was replaced
    reference = make_pipeline()
    reference.run(documents=corpus(80))
    assert_same_store(pipeline, reference)
    assert pipeline.vector_store is not None
    assert len(pipeline.vector_store.get_nodes()) == len(stored(reference))


def test_worker_death_without_retries_is_a_provider_error_and_earlier_batches_are_kept(tmp_path: Path) -> None:
    pipeline = make_pipeline(KillOnce(45, tmp_path / "killed"))
    runner = RayRunner(num_actors=1, batch_size=10, max_restarts=0, max_task_retries=0)
    with pytest.raises(ProviderError, match="could not be retried") as info:
        pipeline.run(documents=corpus(80), runner=runner)
    assert info.value.provider == "ray"
    assert pipeline.docstore is not None
    assert sorted(pipeline.docstore.hashes_by_document_id()) == [f"doc-{i:05d}" for i in range(40)]


def test_model_that_cannot_be_pickled_is_rebuilt_from_its_spec() -> None:
    model = unpicklable_mock(16)
    with pytest.raises(TypeError):
        pickle_dumps(model)
    shipped = shippable(BatchWork([model]))
    assert shipped.transformations == [ModelSpec("mock:16")]
    pipeline = make_pipeline(embed=model)
    pipeline.run(documents=corpus(30), runner=RayRunner(num_actors=1, batch_size=10))
    reference = make_pipeline()
    reference.run(documents=corpus(30))
    assert_same_store(pipeline, reference)


def test_transformation_without_pickle_or_spec_is_a_configuration_error() -> None:
    class Local:
        def __init__(self) -> None:
            self.lock = threading.Lock()

        def __call__(self, nodes: list[BaseNode], **kwargs: Any) -> list[BaseNode]:
            return nodes

    with pytest.raises(ConfigurationError, match="cannot be sent to Ray workers"):
        make_pipeline(Local()).run(documents=corpus(3), runner=RayRunner(num_actors=1))


def test_joining_another_cluster_while_ray_is_initialised_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="already initialised"):
        make_pipeline().run(documents=corpus(3), runner=RayRunner(address="127.0.0.1:1"))


def test_init_options_while_ray_is_initialised_are_refused_not_ignored() -> None:
    pipeline = make_pipeline()
    with pytest.raises(ConfigurationError, match=r"init_options \['num_cpus'\] cannot apply"):
        pipeline.run(documents=corpus(3), runner=RayRunner(init_options={"num_cpus": 1}))
    assert pipeline.docstore is not None
    assert pipeline.docstore.hashes_by_document_id() == {}


DRIVER = """
import sys, time
sys.path.insert(0, {tests!r})
import ray
from conftest import corpus, make_pipeline
from dovetail.ingestion.ray import RayRunner

class Slow:  # a little work per node, so that the driver can be killed half-way
    def __call__(self, nodes, **kwargs):
        time.sleep(0.01 * len(nodes))
        return nodes

def progress(done, total):
    print(done, flush=True)

ray.init(address={address!r}, log_to_driver=False)
pipeline = make_pipeline(Slow(), checkpoint_dir={checkpoint!r}, checkpoint_interval=0)
runner = RayRunner(num_actors=2, batch_size=10)
pipeline.run(documents=iter(corpus({count})), runner=runner, progress=progress)
print("finished", flush=True)
"""


@pytest.mark.slow
def test_resume_after_the_driver_is_killed_half_way(tmp_path: Path, ray_local: Any) -> None:
    count = 400
    script = DRIVER.format(
        tests=str(Path(__file__).parent),
        address=ray_local.get_runtime_context().gcs_address,
        checkpoint=str(tmp_path / "ckpt"),
        count=count,
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as driver:
        assert driver.stdout is not None
        for line in driver.stdout:
            if line.strip().isdigit() and int(line) >= count // 2:
                driver.kill()  # SIGKILL: no cleanup, no final checkpoint
                break
        driver.wait(timeout=60)
    assert driver.returncode == -signal.SIGKILL

    resumed = make_pipeline(checkpoint_dir=tmp_path / "ckpt")
    assert resumed.docstore is not None
    committed = len(resumed.docstore.hashes_by_document_id())
    assert count // 2 <= committed < count
    runner = RayRunner(num_actors=2, batch_size=10)
    resumed.run(documents=iter(corpus(count)), runner=runner)
    assert sum(s["documents"] for s in runner.last_stats) == count - committed  # only the remainder
    reference = make_pipeline()
    reference.run(documents=corpus(count))
    assert_same_store(resumed, reference)
