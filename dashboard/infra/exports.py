"""Chart images rendered on the server: PNG, SVG and PDF with Kaleido and Debian's Chromium.

One Chromium process is kept warm per worker process. It is started lazily, on the first
export (never at import), and driven from its own event-loop thread; every export waits for
its result with a time limit. A render that times out or fails restarts the browser (the old
one is killed) and raises :class:`ExportError`, so a broken browser never hangs a worker.
The browser has :data:`TABS` tabs, and as many renders run at once (a semaphore, safe under
gunicorn's threads): Kaleido reloads a tab after each image, so one tab draws while the
other reloads. A thread that cannot get a tab within the time limit also gets an
:class:`ExportError`.

Many images of one job (a page's ZIP, a review pack's charts) go through :class:`RenderAhead`,
which keeps every tab busy and hands the results back one by one, each with its own limit.
:func:`render_figure_cached` remembers the last images drawn, by the figure's content, in
this process: a pack rebuilt after a publication redraws only the agencies whose charts
changed.

Nothing here knows about pages or requests: ``callbacks.exports`` serves the routes and
``layouts.report_figures`` builds the stand-alone figures.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import hashlib
import json
import logging
import os
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, Generic, TypeVar

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
#: Tabs of the warm browser, and renders at once: two, one drawing while the other reloads
#: (bench/page_zip.py and bench/review_pack.py measure it; more gains little on two cores).
TABS = 2
#: Bytes of images :func:`render_figure_cached` keeps in this process.
CONTENT_CACHE_BYTES = 32 * 1024 * 1024

_K = TypeVar("_K", bound=Hashable)

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


def render_figure_cached(
    figure: dict,
    fmt: str,
    *,
    width: int,
    height: int,
    scale: float = 1.0,
    timeout_s: float | None = None,
) -> bytes:
    """:func:`render_figure`, from this process's memory when the same figure (same data,
    text and layout: the hash of its JSON) was drawn at the same size and format before."""
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    text = json.dumps([figure, opts], sort_keys=True, default=str, separators=(",", ":"))
    key = hashlib.sha256(text.encode()).hexdigest()
    found = _content_cache.get(key)
    if found is not None:
        return found
    body = render_figure(figure, fmt, width=width, height=height, scale=scale, timeout_s=timeout_s)
    _content_cache.put(key, body)
    return body


class RenderAhead(Generic[_K]):
    """``render(key)`` of every key, started at once on up to ``workers`` threads, so that
    every tab of the browser stays busy while the caller takes the images one by one, in its
    own order, saying how far it is (:meth:`get` waits for one). Each render keeps its own
    time limit; an error is raised by the :meth:`get` of its key. Leaving the ``with`` block
    cancels the renders not yet started (a build that failed or ran out of time)."""

    def __init__(
        self, keys: Sequence[_K], render: Callable[[_K], bytes], *, workers: int = TABS
    ) -> None:
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="cxdash-render")
        self._futures = {key: self._pool.submit(render, key) for key in keys}

    def get(self, key: _K) -> bytes:
        return self._futures[key].result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> RenderAhead[_K]:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def forget_rendered() -> None:
    """Empty :func:`render_figure_cached`'s memory (a bench that times drawing again)."""
    _content_cache.clear()


class _ContentCache:
    """The last images drawn, by content hash, up to :data:`CONTENT_CACHE_BYTES`."""

    def __init__(self, limit: int) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._limit = limit

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self._limit // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._size += len(body) - (len(old) if old is not None else 0)
            self._items[key] = body
            while self._size > self._limit:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


_content_cache = _ContentCache(CONTENT_CACHE_BYTES)


def print_html(path: str, *, timeout_s: float) -> bytes:
    """The PDF of an HTML file (a ``file://`` path of a self-contained document: inline
    styles and images), printed by the warm browser in a tab of its own, its CSS page size
    kept. No new Chromium to start: the review pack prints in a fraction of the time. Raises
    :class:`ExportError` on a time-out (the browser is restarted) or a failure."""
    return _renderer.run(lambda kaleido: _print_in_tab(kaleido, path), timeout_s, "print")


async def _print_in_tab(kaleido: Any, path: str) -> bytes:
    tab = await kaleido.create_tab("about:blank")
    try:
        await tab.send_command("Page.enable")
        loaded = tab.subscribe_once("Page.loadEventFired")
        await tab.send_command("Page.navigate", {"url": Path(path).as_uri()})
        await loaded
        answer = await tab.send_command(
            "Page.printToPDF",
            {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False},
        )
        if "error" in answer:
            raise RuntimeError(str(answer["error"])[:200])
        return base64.b64decode(answer["result"]["data"])
    finally:
        with contextlib.suppress(Exception):
            await kaleido.close_tab(tab)


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
        self._render_slots = threading.BoundedSemaphore(TABS)  # one render a tab
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
        return self.run(lambda kaleido: _kaleido_call(kaleido, figure, opts), timeout_s)

    def run(
        self, call: Callable[[Any], Any], timeout_s: float, what: str = "chart export"
    ) -> bytes:
        """``call(kaleido)``, a coroutine, on the browser's loop in one of its slots."""
        deadline = time.monotonic() + timeout_s
        if not self._render_slots.acquire(timeout=timeout_s):
            raise ExportError("The chart image service is busy; please try again in a minute.")
        try:
            loop, kaleido = self.ensure_started(max(timeout_s, START_TIMEOUT_S))
            remaining = max(deadline - time.monotonic(), 0.5)
            future: Future[bytes] = asyncio.run_coroutine_threadsafe(call(kaleido), loop)
            try:
                body = future.result(remaining)
            except FutureTimeout:
                future.cancel()
                _log.warning("%s timed out after %.1f s; restarting Chromium", what, timeout_s)
                self.restart(kaleido)
                raise ExportError(
                    f"Making the chart image took longer than {timeout_s:g} seconds; "
                    "please try again."
                ) from None
            except ExportError:
                raise
            except Exception as error:
                _log.exception("%s failed; restarting Chromium", what)
                self.restart(kaleido)
                raise ExportError(
                    "The chart image could not be made; please try again later."
                ) from error
            if not isinstance(body, bytes | bytearray):
                raise ExportError("The chart image could not be made; please try again later.")
            return bytes(body)
        finally:
            self._render_slots.release()

    def restart(self, used: Any = None) -> None:
        """Stop the browser (killing it if it does not close); the next use starts a new one.

        ``used``: the browser a failed render used. With renders in several tabs, another
        render may have restarted it already: a newer browser is left alone."""
        with self._state_lock:
            if used is not None and self._kaleido is not used:
                return
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
    browser = kaleido.Kaleido(n=TABS, timeout=None, mathjax=False)
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
