"""A TCP proxy on 127.0.0.1 in front of secantusdb that stalls or cuts connections on chosen wire messages.

It forwards bytes both ways. A test arms it with :meth:`StallingProxy.stall_on` (client messages containing the
marker are swallowed: the server never sees them and the client waits forever for an answer) or
:meth:`StallingProxy.drop_on` (the ``nth`` client message containing the marker closes both sockets: the client
sees a reset in the middle of a read). Markers are BSON command names, e.g. ``b"\\x02find\\x00"`` (a ``find``
command) or ``b"\\x12getMore\\x00"``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

__all__ = ["FIND", "GET_MORE", "StallingProxy"]

FIND = b"\x02find\x00"
GET_MORE = b"\x12getMore\x00"


class _Pair:
    """A client connection and its upstream connection, closed when both directions' pumps have ended."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self._running = 2
        self._lock = threading.Lock()

    def pump_done(self) -> None:
        with self._lock:
            self._running -= 1
            last = self._running == 0
        if last:
            self.client.close()
            self.upstream.close()


class StallingProxy:
    """The proxy; ``uri`` is the ``mongodb://`` URI to give the reader."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.seen: dict[bytes, int] = {}
        self._stall: bytes | None = None
        self._drop: tuple[bytes, int] | None = None
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def uri(self) -> str:
        """``mongodb://127.0.0.1:<port>/?directConnection=true`` plus a short server selection timeout."""
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true&serverSelectionTimeoutMS=3000"

    def stall_on(self, marker: bytes | None) -> None:
        """Swallow every client message containing ``marker`` (``None``: stop stalling)."""
        with self._lock:
            self._stall = marker

    def drop_on(self, marker: bytes, nth: int) -> None:
        """Cut the connection when the ``nth`` client message containing ``marker`` (counted from now) arrives."""
        with self._lock:
            self._drop = (marker, self.seen.get(marker, 0) + nth)

    def count(self, marker: bytes) -> int:
        """Client messages containing ``marker`` seen so far."""
        with self._lock:
            return self.seen.get(marker, 0)

    def close(self) -> None:
        """Stop accepting and close every connection (a stalled client then gets a reset)."""
        with self._lock:
            self._closed = True
            sockets = list(self._sockets)
        self._listener.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    # -- plumbing -------------------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:  # the server is gone: the client sees its connection closed
                client.close()
                continue
            with self._lock:
                closed = self._closed  # close() ran while this connection was being accepted
                if not closed:
                    self._sockets += [client, upstream]
            if closed:
                client.close()
                upstream.close()
                return
            pair = _Pair(client, upstream)
            threading.Thread(target=self._pump, args=(pair, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(pair, False), daemon=True).start()

    def _action(self, chunk: bytes) -> str:
        with self._lock:
            for marker in (FIND, GET_MORE):
                if marker in chunk:
                    self.seen[marker] = self.seen.get(marker, 0) + 1
            if self._drop is not None and self._drop[0] in chunk and self.seen[self._drop[0]] >= self._drop[1]:
                self._drop = None
                return "drop"
            if self._stall is not None and self._stall in chunk:
                return "stall"
        return "forward"

    def _pump(self, pair: _Pair, from_client: bool) -> None:
        source, target = (pair.client, pair.upstream) if from_client else (pair.upstream, pair.client)
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                action = self._action(chunk) if from_client else "forward"
                if action == "drop":
                    break
                if action == "stall":
                    continue
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            pair.pump_done()

    def __enter__(self) -> StallingProxy:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
