"""``dovetail.core.testing.processes``: a real server on a free port, stopped at exit; failures show its output."""

from __future__ import annotations

import sys
import urllib.request

import pytest
from dovetail.core.testing.processes import ServerProcess
from dovetail.core.testing.processes import ServerStartError

pytestmark = pytest.mark.integration


def test_server_starts_on_a_free_port_answers_and_stops(tmp_path: object) -> None:
    command = [sys.executable, "-m", "http.server", "{port}", "--bind", "{host}", "--directory", str(tmp_path)]
    with ServerProcess(command) as server:
        assert server.alive()
        with urllib.request.urlopen(f"{server.url}/", timeout=5) as response:
            assert response.status == 200
        process = server.process
    assert process.poll() is not None
    assert not server.alive()
    with pytest.raises(ServerStartError, match="not started"):
        _ = server.process


def test_a_server_that_dies_fails_fast_with_its_output() -> None:
    command = [sys.executable, "-c", "import sys; print('cannot open the data directory'); sys.exit(3)"]
    with pytest.raises(ServerStartError) as info:
        ServerProcess(command, startup_timeout=20).start()
    assert "exited with code 3" in str(info.value)
    assert "cannot open the data directory" in str(info.value)


def test_a_server_that_never_listens_times_out_and_is_stopped() -> None:
    command = [sys.executable, "-c", "import time; print('warming up', flush=True); time.sleep(60)"]
    server = ServerProcess(command, startup_timeout=2.0)
    with pytest.raises(ServerStartError, match="warming up"):
        server.start()
    assert not server.alive()


def test_a_killed_server_stops_at_once() -> None:
    command = [
        sys.executable,
        "-c",
        "import signal, socket, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); time.sleep(60)",
        "{port}",
    ]
    with ServerProcess(command, graceful=False) as server:
        process = server.process
    assert process.returncode is not None
    assert process.returncode < 0  # killed by a signal, not asked to stop
