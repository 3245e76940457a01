"""A real PostgreSQL 16 + pgvector for the tests, from the binaries the ``pgserver`` wheel ships.

The server listens on 127.0.0.1 at a free port with password (SCRAM) authentication, so the store is driven
over TCP exactly as against a production server. As root, PostgreSQL refuses to run, so the server runs as the
unprivileged system user ``pgserver`` (created on first use, as the ``pgserver`` package itself does).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from dovetail.core.testing.loopback import free_port

__all__ = ["LocalPostgres"]


def _bin_dir() -> Path:
    # Located without importing ``pgserver`` (its import warns about XDG_RUNTIME_DIR, and warnings are errors).
    spec = importlib.util.find_spec("pgserver")
    if (spec is None or not spec.submodule_search_locations) and sys.version_info >= (3, 13):
        import pytest

        pytest.skip(
            "pgserver (the local PostgreSQL + pgvector) has no wheel for Python >= 3.13; these tests run on 3.10-3.12"
        )
    if spec is None or not spec.submodule_search_locations:
        msg = "the pgserver wheel is not installed; run `make install`"
        raise RuntimeError(msg)
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


_SYSTEM_USER = "pgserver"
_SETTINGS = (
    # Durability is not under test here; these keep a test server fast on a shared 2-core machine.
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB "
    "-c max_connections=60 -c maintenance_work_mem=128MB"
)


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", _SYSTEM_USER], check=True, capture_output=True)
    return _SYSTEM_USER


class LocalPostgres:
    """One PostgreSQL cluster: ``start``, ``restart``, ``stop``, ``dsn``.

    Args:
        root: keep the cluster in this folder across runs (a benchmark's cache); default: a temporary folder
            removed by :meth:`stop`.
        settings: extra server options (``-c name=value ...``), after the defaults so they win.
    """

    def __init__(self, root: Path | None = None, settings: str = "") -> None:
        self.user = _run_as()
        self.keep = root is not None
        if root is None:
            self.root = Path(tempfile.mkdtemp(prefix="dovetail-pg-"))
        else:
            self.root = root
            root.mkdir(parents=True, exist_ok=True)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.host = "127.0.0.1"
        self.port = free_port()
        self.role = "postgres"
        self.settings = f"{_SETTINGS} {settings}".strip()
        secret = self.root / "password"
        if self.keep and secret.exists() and self.data.exists():
            self.password = secret.read_text().strip()
        else:
            self.password = "pw-" + secrets.token_hex(12)
            if self.keep:
                secret.write_text(self.password)
        self.database = "postgres"
        os.chmod(self.root, 0o755)
        self.bin_dir = _bin_dir()
        if self.user is not None:
            shutil.chown(self.root, self.user, self.user)
            # The venv may sit in a folder the unprivileged user cannot enter (a checkout under a 0700 temporary
            # directory): run a copy of the installation from the cluster's own folder.
            # The binaries find their libraries at $ORIGIN/../../../pgserver.libs: copy both, keeping that layout.
            package = self.bin_dir.parent.parent
            copy = self.root / "site" / package.name
            shutil.copytree(package / "pginstall", copy / "pginstall", symlinks=True, dirs_exist_ok=True)
            shutil.copytree(
                package.parent / f"{package.name}.libs",
                copy.parent / f"{package.name}.libs",
                symlinks=True,
                dirs_exist_ok=True,
            )
            self.bin_dir = copy / "pginstall" / "bin"

    @property
    def dsn(self) -> str:
        """``postgresql://`` URI with the password in it."""
        return f"postgresql://{self.role}:{self.password}@{self.host}:{self.port}/{self.database}"

    def _bin(self, name: str, *args: str, timeout: float = 60) -> None:
        # Output goes to a file, not a pipe: the postmaster inherits pg_ctl's stdout and would hold a pipe open.
        with tempfile.TemporaryFile("w+") as output:
            result = subprocess.run(
                [str(self.bin_dir / name), *args],
                user=self.user,
                cwd=self.root,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
                check=False,
            )
            output.seek(0)
            text = output.read()
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            msg = f"{name} {' '.join(args)} failed: {text}\n{log[-2000:]}"
            raise RuntimeError(msg)

    def start(self) -> None:
        """initdb (first time) and start the server; returns once it accepts connections."""
        if not self.data.exists():
            pwfile = self.root / "pwfile"
            pwfile.write_text(self.password + "\n")
            if self.user is not None:
                shutil.chown(pwfile, self.user, self.user)
            self._bin(
                "initdb",
                "-D", str(self.data), "-U", self.role, "--pwfile", str(pwfile),
                "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C",
            )  # fmt: skip
            pwfile.unlink()
        options = f"-h {self.host} -p {self.port} -k {self.root} {self.settings}"
        self._bin("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every open connection is cut, the server comes back on the same port."""
        self._bin("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-m", "fast", "restart")

    def stop(self) -> None:
        """Stop the server and remove its directory (a kept ``root``: a clean shutdown, the data stays)."""
        mode = "fast" if self.keep else "immediate"
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._bin("pg_ctl", "-D", str(self.data), "-w", "-m", mode, "stop", timeout=60)
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
