"""Real local servers for integration tests: start a command on a free loopback port, wait, stop, show its logs.

A provider's ``conftest.py`` turns a server command into a fixture in a few lines; the process gets a free port
on 127.0.0.1, the fixture waits until the port accepts connections (failing at once if the process exits), and
stops it at teardown. When the server dies or never listens, the error carries the tail of its output, so a
broken server is diagnosed from the test report alone.

Example:
    ```python
    import pytest
    from dovetail.core.testing.processes import ServerProcess

    @pytest.fixture(scope="session")
    def server(tmp_path_factory):
        data = tmp_path_factory.mktemp("acme")
        with ServerProcess(["acme-server", "--host", "127.0.0.1", "--port", "{port}", "--data", str(data)]) as srv:
            yield srv  # srv.url == "http://127.0.0.1:<port>"
    ```
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from dovetail.core.testing.loopback import free_port
from dovetail.core.testing.loopback import wait_for_port

__all__ = ["ServerProcess", "ServerStartError"]

_LOG_TAIL = 4000


class ServerStartError(RuntimeError):
    """The server process exited or never listened; the message ends with the tail of its output."""


class ServerProcess:
    """A server subprocess on a free loopback port, as a context manager.

    Args:
        command: the argv; every ``{port}`` and ``{host}`` in it is replaced by the chosen port and host.
        env: extra environment variables for the process.
        host: the interface to bind (always loopback in tests).
        startup_timeout: seconds to wait for the port.
        scheme: the URL scheme of :attr:`url`.
        graceful: stop with SIGTERM (then SIGKILL after a timeout); ``False`` kills at once, for servers with
            nothing to flush whose SIGTERM handling is slow.
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        startup_timeout: float = 30.0,
        scheme: str = "http",
        graceful: bool = True,
    ) -> None:
        self.host = host
        self.port = free_port(host)
        self.command = [part.replace("{port}", str(self.port)).replace("{host}", host) for part in command]
        self.env = {**os.environ, **(env or {})}
        self.startup_timeout = startup_timeout
        self.graceful = graceful
        self.url = f"{scheme}://{host}:{self.port}"
        self._log = Path(tempfile.mkstemp(prefix="dovetail-server-", suffix=".log")[1])
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def process(self) -> subprocess.Popen[bytes]:
        """The running process.

        Raises:
            ServerStartError: :meth:`start` was not called.
        """
        if self._process is None:
            msg = "the server is not started; use it as a context manager or call start()"
            raise ServerStartError(msg)
        return self._process

    def logs(self) -> str:
        """The tail of what the server wrote to stdout and stderr."""
        try:
            return self._log.read_text(encoding="utf-8", errors="replace")[-_LOG_TAIL:]
        except OSError:
            return ""

    def start(self) -> ServerProcess:
        """Start the process and wait for its port; on failure stop it and raise with its logs."""
        with self._log.open("wb") as sink:
            self._process = subprocess.Popen(self.command, stdout=sink, stderr=subprocess.STDOUT, env=self.env)
        try:
            wait_for_port(self.host, self.port, self.startup_timeout, self._process)
        except (RuntimeError, TimeoutError) as exc:
            self.stop()
            msg = f"{exc}\ncommand: {' '.join(self.command)}\n--- server output ---\n{self.logs()}"
            raise ServerStartError(msg) from exc
        return self

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the process (kill it after ``timeout``); idempotent."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None and not self.graceful:
            process.kill()
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self) -> None:
        """Stop the process and delete its log file."""
        self.stop()
        self._log.unlink(missing_ok=True)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
