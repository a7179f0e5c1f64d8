"""Chart images rendered on the server: PNG, SVG and PDF with Kaleido and Debian's Chromium.

One Chromium process is kept warm per worker process. It is started lazily, on the first
export (never at import), and driven from its own event-loop thread; every export waits for
its result with a time limit. A render that times out or fails restarts the browser (the old
one is killed) and raises :class:`ExportError`, so a broken browser never hangs a worker.
Renders are serialized by a lock (one browser tab), which makes the module safe under
gunicorn's threads; a thread that cannot get the browser within the time limit also gets an
:class:`ExportError`.

Nothing here knows about pages or requests: ``callbacks.exports`` serves the routes and
``layouts.report_figures`` builds the stand-alone figures.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import signal
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

FORMATS: dict[str, str] = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}
MAX_WIDTH = 3000
MAX_HEIGHT = 3000
MAX_SCALE = 4.0
#: Largest image (bytes) an export may return.
MAX_BYTES = 20 * 1024 * 1024
#: Time limit of one export when the caller gives none.
DEFAULT_TIMEOUT_S = 20.0
#: Time limit of starting Chromium (the first export of a worker).
START_TIMEOUT_S = 30.0

_log = logging.getLogger(__name__)


class ExportError(Exception):
    """An image could not be made; ``message`` is written for the person who asked for it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def render_figure(
    figure: dict,
    fmt: str,
    *,
    width: int,
    height: int,
    scale: float = 1.0,
    timeout_s: float | None = None,
) -> bytes:
    """The image of a Plotly figure dict, as bytes (``fmt`` is "png", "svg" or "pdf").

    ``width`` and ``height`` are CSS pixels; ``scale`` multiplies the pixels of a PNG (a
    1000 × 600 figure at scale 2 is 2000 × 1200 pixels). A PDF page is the same size at 96
    CSS pixels an inch: 750 × 450 points for 1000 × 600. Raises :class:`ExportError` on a bad
    format, a size out of bounds, a time-out or a browser failure.
    """
    fmt = fmt.lower() if isinstance(fmt, str) else fmt
    if fmt not in FORMATS:
        raise ExportError(f"Unknown image format {fmt!r}: choose PNG, SVG or PDF.")
    check_bounds(width, height, scale)
    limit = DEFAULT_TIMEOUT_S if timeout_s is None else float(timeout_s)
    if limit <= 0:
        raise ExportError("The export time limit must be positive.")
    opts = {"format": fmt, "width": int(width), "height": int(height), "scale": float(scale)}
    body = _renderer.render(figure, opts, limit)
    if len(body) > MAX_BYTES:
        raise ExportError(
            f"The {fmt.upper()} image is larger than {MAX_BYTES // (1024 * 1024)} MB; "
            "choose a smaller size."
        )
    return body


def check_bounds(width: int, height: int, scale: float) -> None:
    """Raise :class:`ExportError` unless the size is within the export bounds."""
    if not (isinstance(width, int) and 1 <= width <= MAX_WIDTH):
        raise ExportError(f"The image width must be 1 to {MAX_WIDTH} pixels.")
    if not (isinstance(height, int) and 1 <= height <= MAX_HEIGHT):
        raise ExportError(f"The image height must be 1 to {MAX_HEIGHT} pixels.")
    if not (isinstance(scale, int | float) and 0.1 <= scale <= MAX_SCALE):
        raise ExportError(f"The image scale must be between 0.1 and {MAX_SCALE:g}.")


def warm_up(timeout_s: float = START_TIMEOUT_S) -> None:
    """Start Chromium now (a bench or a worker that wants its first export fast)."""
    _renderer.ensure_started(timeout_s)


def shutdown() -> None:
    """Stop the warm browser (it restarts on the next export)."""
    _renderer.restart()


def is_running() -> bool:
    return _renderer.running


async def _kaleido_call(kaleido: Any, figure: dict, opts: dict[str, Any]) -> bytes:
    """The one call into Kaleido (a seam the tests replace with a hanging one)."""
    return await kaleido.calc_fig(figure, opts=opts)


class _Renderer:
    """A Kaleido browser on an event loop in a daemon thread, started on first use."""

    def __init__(self) -> None:
        self._state_lock = threading.Lock()  # guards starting and stopping
        self._render_lock = threading.Lock()  # one render at a time (one tab)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._process: Any = None
        self._owner_pid: int | None = None
        self._exit_hook = False

    @property
    def running(self) -> bool:
        return self._kaleido is not None and self._owner_pid == os.getpid()

    def ensure_started(self, timeout_s: float) -> tuple[asyncio.AbstractEventLoop, Any]:
        with self._state_lock:
            if self._owner_pid is not None and self._owner_pid != os.getpid():
                # A forked worker inherited the parent's handles, not its threads: start anew.
                self._forget()
            if self._kaleido is not None and self._loop is not None:
                return self._loop, self._kaleido
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="cxdash-kaleido", daemon=True)
            thread.start()
            self._loop, self._thread, self._owner_pid = loop, thread, os.getpid()
            future = asyncio.run_coroutine_threadsafe(_open_kaleido(), loop)
            try:
                kaleido = future.result(timeout_s)
            except FutureTimeout:
                future.cancel()
                self._stop_locked()
                raise ExportError(
                    "The chart image service did not start in time; please try again later."
                ) from None
            except Exception as error:
                self._stop_locked()
                _log.exception("could not start Kaleido")
                raise ExportError(
                    "The chart image service could not start (is Chromium installed?)."
                ) from error
            self._kaleido = kaleido
            self._process = getattr(kaleido, "subprocess", None)
            if not self._exit_hook:
                # A daemon thread dies with the interpreter; Chromium would not: close it.
                atexit.register(self.restart)
                self._exit_hook = True
            return loop, kaleido

    def render(self, figure: dict, opts: dict[str, Any], timeout_s: float) -> bytes:
        deadline = time.monotonic() + timeout_s
        if not self._render_lock.acquire(timeout=timeout_s):
            raise ExportError("The chart image service is busy; please try again in a minute.")
        try:
            loop, kaleido = self.ensure_started(max(timeout_s, START_TIMEOUT_S))
            remaining = max(deadline - time.monotonic(), 0.5)
            future: Future[bytes] = asyncio.run_coroutine_threadsafe(
                _kaleido_call(kaleido, figure, opts), loop
            )
            try:
                body = future.result(remaining)
            except FutureTimeout:
                future.cancel()
                _log.warning("chart export timed out after %.1f s; restarting Chromium", timeout_s)
                self.restart()
                raise ExportError(
                    f"Making the chart image took longer than {timeout_s:g} seconds; "
                    "please try again."
                ) from None
            except ExportError:
                raise
            except Exception as error:
                _log.exception("chart export failed; restarting Chromium")
                self.restart()
                raise ExportError(
                    "The chart image could not be made; please try again later."
                ) from error
            if not isinstance(body, bytes | bytearray):
                raise ExportError("The chart image could not be made; please try again later.")
            return bytes(body)
        finally:
            self._render_lock.release()

    def restart(self) -> None:
        """Stop the browser (killing it if it does not close); the next use starts a new one."""
        with self._state_lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        loop, kaleido, process = self._loop, self._kaleido, self._process
        if self._owner_pid != os.getpid():
            self._forget()
            return
        if loop is not None and kaleido is not None:
            future = asyncio.run_coroutine_threadsafe(kaleido.close(), loop)
            with contextlib.suppress(Exception):
                future.result(5)
        if process is not None and process.poll() is None:
            _kill_group(process)
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(2)
            if not loop.is_running():
                with contextlib.suppress(Exception):
                    loop.close()
        self._forget()

    def _forget(self) -> None:
        self._loop = self._thread = self._kaleido = None
        self._process = self._owner_pid = None


async def _open_kaleido() -> Any:
    import kaleido  # imported on first export only: it is not needed to serve pages

    # mathjax=False: Kaleido would fetch MathJax from a CDN, and no request may leave this
    # server. Plotly.js comes from the installed plotly package.
    browser = kaleido.Kaleido(n=1, timeout=None, mathjax=False)
    await browser.open()
    return browser


def _kill_group(process: Any) -> None:
    """Kill a browser that did not close (Chromium runs in its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(Exception):
            process.kill()
    with contextlib.suppress(Exception):
        process.wait(2)


_renderer = _Renderer()
