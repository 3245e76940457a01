"""Ingestion progress: a tqdm bar on a terminal, a plain line every ~10 s in logs, and the hooks the pipeline calls.

The pipeline reports four things (:class:`ProgressHooks`): the plan (documents to do, their characters), each
embedding call (chunks and the share of their documents' characters they stand for), each commit (documents),
and the end. :class:`IngestProgress` turns them into a bar with documents, chunks, chunks/s and an ETA; the
ETA follows characters, not documents, so one 50 MB file among small ones does not freeze it. A background
ticker redraws the bar every second even while one model call is running, and when the stream is not a
terminal (CI logs, ``nohup``) it writes one plain line every ``log_interval`` seconds instead of a bar.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from typing import Protocol
from typing import TextIO

__all__ = ["CallbackHooks", "IngestProgress", "ProgressHooks", "hooks_for"]


class ProgressHooks(Protocol):
    """What an ingestion run reports as it goes."""

    def start(self, documents: int, skipped: int, chars: int) -> None:
        """The plan: ``documents`` to process (``skipped`` unchanged ones), ``chars`` characters in them."""

    def embedded(self, chunks: int, chars: float) -> None:
        """``chunks`` texts were embedded (or found ready), standing for ``chars`` characters of documents."""

    def committed(self, documents: int, chunks: int) -> None:
        """``documents`` were fully committed, with ``chunks`` chunks stored in the same commit."""

    def finish(self) -> None:
        """The run ended (normally or not)."""


class CallbackHooks:
    """The pipeline's ``progress(done, total)`` callback and ``show_progress`` logging behind :class:`ProgressHooks`."""

    def __init__(self, callback: Callable[[int, int], None] | None, log: Callable[[int, int], None] | None) -> None:
        self._callback = callback
        self._log = log
        self._done = 0
        self._total = 0

    def _report(self) -> None:
        if self._log is not None:
            self._log(self._done, self._total)
        if self._callback is not None:
            self._callback(self._done, self._total)

    def start(self, documents: int, skipped: int, chars: int) -> None:
        """Report the unchanged documents as done."""
        self._done, self._total = skipped, documents + skipped
        self._report()

    def embedded(self, chunks: int, chars: float) -> None:
        """Not reported: the callback counts documents."""

    def committed(self, documents: int, chunks: int) -> None:
        """Report the documents done so far."""
        if documents:
            self._done += documents
            self._report()

    def finish(self) -> None:
        """Nothing to close."""


class IngestProgress:
    """Progress of an ingestion run on ``stream``: a tqdm bar on a terminal, periodic plain lines otherwise.

    Pass it as ``progress=`` to :meth:`IngestionPipeline.run` / ``VectorStoreIndex.ingest`` (``show_progress=True``
    builds one). Use it as a context manager, or call :meth:`close`.

    Args:
        label: text in front of the bar.
        stream: where to write (default ``sys.stderr``).
        enabled: write at all.
        log_interval: seconds between plain lines when ``stream`` is not a terminal.
        tick: seconds between redraws while nothing else happens (the bar's clock and ETA keep moving).

    Attributes:
        documents_done: documents committed (unchanged ones included).
        chunks: chunks embedded so far.
        chunks_stored: chunks committed to the store so far.
    """

    def __init__(
        self,
        label: str = "ingesting",
        stream: TextIO | None = None,
        enabled: bool = True,
        log_interval: float = 10.0,
        tick: float = 1.0,
    ) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.log_interval = log_interval
        self.tick = tick
        self.documents_total = 0
        self.documents_done = 0
        self.chunks = 0
        self.chunks_stored = 0
        self._finished = False
        self._chars_total = 0
        self._chars_done = 0.0
        self._started = time.monotonic()
        self._first_chunk: float | None = None
        self._last_line = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._bar: Any = None
        self._ticker: threading.Thread | None = None
        isatty = getattr(self.stream, "isatty", None)
        self._terminal = bool(isatty and isatty())

    # ---------------------------------------------------------------- hooks
    def start(self, documents: int, skipped: int, chars: int) -> None:
        """Start the clock and the bar."""
        with self._lock:
            self.documents_total = documents + skipped
            self.documents_done = skipped
            self._chars_total = max(chars, 1)
            self._started = time.monotonic()
            self._last_line = self._started
            if self.enabled and self._terminal and self._bar is None:
                from tqdm.auto import tqdm

                self._bar = tqdm(
                    total=self._chars_total,
                    file=self.stream,
                    desc=self.label,
                    bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]",
                    mininterval=0.2,
                    dynamic_ncols=True,
                    leave=True,
                )
                self._bar.set_postfix_str(self._status(), refresh=True)
            if self.enabled and not self._terminal:
                self._line()  # logs show the totals right away
        if self.enabled and self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="dovetail-progress", daemon=True)
            self._ticker.start()

    def embedded(self, chunks: int, chars: float) -> None:
        """Count embedded chunks and move the bar by the characters they stand for."""
        with self._lock:
            if self._first_chunk is None:
                self._first_chunk = time.monotonic()
            self.chunks += chunks
            step = max(0.0, min(chars, self._chars_total - self._chars_done))
            self._chars_done += step
            self._draw(step)

    def committed(self, documents: int, chunks: int) -> None:
        """Count committed documents."""
        with self._lock:
            self.documents_done += documents
            self.chunks_stored += chunks
            self._draw(0.0)

    def finish(self) -> None:
        """Stop the ticker and end the line (once; later calls do nothing)."""
        if self._finished:
            return
        self._finished = True
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
            self._ticker = None
        with self._lock:
            if self._bar is not None:
                self._bar.set_postfix_str(self._status(), refresh=False)
                self._bar.close()
                self._bar = None
            elif self.enabled and not self._terminal and self.documents_total:
                self._line()

    close = finish

    def __enter__(self) -> IngestProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.finish()

    # ---------------------------------------------------------------- drawing
    def rate(self) -> float:
        """Chunks per second since the first chunk was embedded."""
        if self._first_chunk is None:
            return 0.0
        return self.chunks / max(time.monotonic() - self._first_chunk, 1e-6)

    def _status(self) -> str:
        return (
            f"docs {self.documents_done:,}/{self.documents_total:,}, chunks {self.chunks:,}, {self.rate():.1f} chunks/s"
        )

    def _draw(self, step: float) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(self._status(), refresh=False)
            self._bar.update(step)

    def _line(self) -> None:
        from tqdm import tqdm

        elapsed = time.monotonic() - self._started
        share = self._chars_done / self._chars_total
        eta = "?" if share <= 0 else tqdm.format_interval(elapsed * (1 - share) / share)
        self.stream.write(
            f"{self.label}: {100 * share:.0f}% {self._status()}, elapsed {tqdm.format_interval(elapsed)}, ETA {eta}\n"
        )
        self.stream.flush()
        self._last_line = time.monotonic()

    def _tick(self) -> None:
        while not self._stop.wait(self.tick):
            with self._lock:
                if self._bar is not None:
                    self._bar.set_postfix_str(self._status(), refresh=False)
                    self._bar.refresh()
                elif not self._terminal and time.monotonic() - self._last_line >= self.log_interval:
                    self._line()


def hooks_for(progress: Any, show_progress: bool, log: Callable[[int, int], None] | None) -> ProgressHooks:
    """The hooks for a run: ``progress`` itself when it has them, else a bar (``show_progress``) or a callback.

    ``progress`` may be an :class:`IngestProgress` (or anything with the :class:`ProgressHooks` methods) or a
    ``progress(done, total)`` callback; ``log`` is called like the callback when neither asks for a bar.
    """
    if progress is not None and callable(getattr(progress, "embedded", None)):
        return progress  # type: ignore[no-any-return]
    if show_progress and progress is None:
        return IngestProgress()
    return CallbackHooks(progress, log if show_progress else None)
