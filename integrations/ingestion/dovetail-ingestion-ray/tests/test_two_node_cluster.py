"""RayRunner on a real two-node Ray cluster (head + worker started with ``ray start``) on this machine.

Both nodes and the driver run inside one network namespace that has only loopback (and one PID namespace, so
every Ray process ends with it): outside one, Ray advertises the machine's external address.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import RAY_ENV
from .conftest import corpus
from .conftest import make_pipeline
from .conftest import stored

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        sys.platform != "linux" or os.geteuid() != 0 or shutil.which("unshare") is None,
        reason="the two-node cluster runs in a network namespace: needs Linux, root and unshare",
    ),
]

COUNT = 300

CLUSTER = """
set -e
ip link set lo up
PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$RAY" start --head --node-ip-address=127.0.0.1 --port="$PORT" --num-cpus=1 --include-dashboard=false \\
    --disable-usage-stats --temp-dir="$RAY_TMP" > "$WORK/head.log" 2>&1
"$RAY" start --address="127.0.0.1:$PORT" --node-ip-address=127.0.0.1 --num-cpus=1 > "$WORK/worker.log" 2>&1
"$PYTHON" "$WORK/driver.py" "127.0.0.1:$PORT"
"""

DRIVER = """
import json, sys
sys.path.insert(0, {tests!r})
import ray
from conftest import corpus, make_pipeline, stored
from dovetail.ingestion.ray import RayRunner

ray.init(address=sys.argv[1], log_to_driver=False, _node_ip_address="127.0.0.1")
nodes = [node["NodeID"] for node in ray.nodes() if node["Alive"]]
pipeline = make_pipeline()
runner = RayRunner(num_actors=2, batch_size=10, num_cpus_per_actor=1)
pipeline.run(documents=iter(corpus({count})), runner=runner)
result = {{
    "nodes": nodes,
    "stats": runner.last_stats,
    "store": stored(pipeline),
    "ledger": pipeline.docstore.hashes_by_document_id(),
}}
with open({out!r}, "w") as fh:
    json.dump(result, fh)
"""


def test_two_nodes_both_work_and_the_store_equals_an_in_process_run(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    (tmp_path / "driver.py").write_text(
        DRIVER.format(tests=str(Path(__file__).parent), count=COUNT, out=str(out)), encoding="utf-8"
    )
    env = {**os.environ, **RAY_ENV, "WORK": str(tmp_path), "PYTHON": sys.executable}
    env["RAY"] = str(Path(sys.executable).with_name("ray"))
    command = ["unshare", "--net", "--pid", "--fork", "--mount-proc", "bash", "-c", CLUSTER]
    # Ray's socket paths must stay under 108 bytes: a short directory of its own
    with tempfile.TemporaryDirectory(prefix="dvray-", dir="/tmp") as ray_tmp:
        env["RAY_TMP"] = ray_tmp
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    logs = "".join(p.read_text(errors="replace")[-2000:] for p in tmp_path.glob("*.log"))
    assert done.returncode == 0, f"cluster run failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}\n{logs}"
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))

    assert len(result["nodes"]) == 2
    working = {s["node_id"] for s in result["stats"] if s["batches"] > 0}
    assert working == set(result["nodes"])  # both nodes received work
    assert sum(s["documents"] for s in result["stats"]) == COUNT

    reference = make_pipeline()
    reference.run(documents=corpus(COUNT))
    want = stored(reference)
    got = {node_id: tuple(value) for node_id, value in result["store"].items()}
    assert sorted(got) == sorted(want)
    for node_id, (text, metadata, vector) in want.items():
        assert got[node_id][0] == text
        assert got[node_id][1] == json.loads(json.dumps(metadata))
        assert max(abs(a - b) for a, b in zip(got[node_id][2], vector, strict=True)) <= 1e-6
    assert reference.docstore is not None
    assert result["ledger"] == reference.docstore.hashes_by_document_id()
