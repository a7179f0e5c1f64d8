"""The app factory: builds a configured Dash app (and its Flask server) from Settings."""

from __future__ import annotations

import html as html_escape
import re
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence

import flask
from dash import Dash
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.core import languages
from dashboard.core.i18n import normalize_language, t
from dashboard.core.routes import resolve
from dashboard.core.settings import PROJECT_ROOT, SECRET_KEY_MISSING, Settings, SettingsError
from dashboard.infra.cache import cache, cache_config
from dashboard.web import (
    answer_cache,
    feedback,
    health,
    outage,
    preview,
    request_guard,
    request_limits,
    staff_auth,
)
from dashboard.web.pages import known_page_title, page_day, page_for, page_title
from layouts import busy

# Dash's default page wraps its scripts in a <footer>, which screen readers announce as a second
# "contentinfo" landmark beside the site footer; scripts need no landmark. No IE shim either.
#: () -> (cache key, HTML) of the page's prerender for this index request, or None.
Prerender = Callable[[], "tuple[str | None, bytes] | None"]

#: Where the page's own <title> goes: each response names its page (IndexPages).
TITLE_SLOT = "{%cxdash_title%}"
#: Where the theme's colours go (after the style sheets, so that they win).
THEME_SLOT = "{%cxdash_theme%}"

INDEX_STRING = """<!DOCTYPE html>
<html lang="{%lang%}">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%preload%}
        {%css%}
        {%cxdash_theme%}
    </head>
    <body>
        <noscript>{%noscript%}</noscript>
        {%app_entry%}
        <div class="dash-scripts">
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>"""


def create_app(settings: Settings | None = None) -> Dash:
    if settings is None:
        settings = Settings.from_env()
        # A server started from the environment signs staff sessions with SECRET_KEY: without
        # one it refuses to start (Settings built in code, by tests, get a random key).
        if not settings.secret_key:
            raise SettingsError(SECRET_KEY_MISSING)
    app = Dash(
        __name__,
        title=TITLE_SLOT,
        assets_folder=str(PROJECT_ROOT / "assets"),
        # assets/staff/ is the staff app's (its own Bootstrap and styles): never on a public page.
        assets_path_ignore=["^staff$"],
        serve_locally=True,  # never a CDN: a government page must not call a third party
        compress=True,  # flask-compress: zstd, brotli or gzip, whichever the browser accepts
        update_title=None,  # type: ignore[arg-type]  # Dash documents None (no title change)
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    server = app.server
    server.config["CXDASH_SETTINGS"] = settings
    if settings.trusted_proxies:
        # Behind a TLS-terminating proxy the app sees plain HTTP: take the scheme from the
        # nearest proxy's X-Forwarded-Proto, so that absolute URLs (the API's Link headers, the
        # OpenID Connect redirect URI) say https. Client addresses: rate_limit.client_address.
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=0, x_proto=1, x_host=0)  # type: ignore[method-assign]
    # No request body larger than a workspace upload can need (a results file of
    # UPLOAD_MAX_MB sent base64-encoded in a callback, twice over for the margin within which
    # the upload page still says "too large" itself): anything bigger is a 413, never read.
    server.config["MAX_CONTENT_LENGTH"] = (settings.upload_max_mb * 3 + 2) * 1024 * 1024
    config = cache_config(settings)
    if config.get("CACHE_TYPE") == "SimpleCache":
        # Each worker's own cache: bounded in bytes too, not only in entries (answer_cache).
        config["CACHE_TYPE"] = answer_cache.BOUNDED_SIMPLE_CACHE
    cache.init_app(server, config=config)
    # Sessions, sign-in and the /staff and /preview guard: first, so that no other handler
    # answers a staff path for a signed-out visitor.
    staff_auth.install(server, settings)
    if settings.oidc_issuer:
        # OpenID Connect sign-in (login.gov, Entra ID, Okta); the provider is first asked at
        # the first sign-in, so the app starts while it is down.
        from dashboard.web.staff_oidc import install_oidc

        install_oidc(server, settings)
    # Per-client limits on page data and the API (PAGE_RATE_LIMIT, API_RATE_LIMIT): early, so
    # that a refused request costs a counter, not a page.
    request_limits.install(server, settings, busy)
    # POST /feedback: "Did this page help you?" (issue 14; its own rate limit and checks).
    feedback.install(server)
    # The configured languages (LANGUAGES, DEFAULT_LANGUAGE): the interface, the language
    # links and the fallback order of agency text follow them.
    languages.configure_from_settings(settings)

    # Our own component (StaticTable) must be registered before the first callback runs:
    # Dash refuses a component library first imported inside a callback.
    import layouts.static_table  # noqa: F401

    # The factory is the composition root: the one module outside callbacks/ that imports
    # callbacks/, to wire its routes into the app (tests/unit/test_layers.py).
    from callbacks import api, dcat_catalog, exports, review, router

    # {%lang%} and {%noscript%} stay in the template: each request fills them in its own
    # language (_serve_language_in_index); Dash leaves placeholders it does not know alone.
    app.index_string = INDEX_STRING.replace(
        "{%preload%}", preload_links(app.config.requests_pathname_prefix)
    ).replace(THEME_SLOT, theme_style(settings))
    app.layout = lambda: router.layout_for_request(settings)
    _serve_language_in_index(app, settings)
    _leave_staff_components_out_of_config(app)
    # Issue 13: a public page's index carries its first layout as plain HTML
    # (router.prerender_for_index, layouts/prerender.py, assets/prerender.js).
    _register_not_found(app, settings, router.prerender_for_index)
    # 404 for stray Dash paths, 400 for malformed callback bodies (web/request_guard.py).
    request_guard.install(app, settings)
    _register_health(server, settings)
    _register_store_unavailable(server, settings)

    router.register(app)
    api.register(app)
    exports.register(app)
    review.register(app)
    dcat_catalog.register(app)  # /data.json (DCAT-US), issue 13
    # Hashes of Dash's inline scripts: computed last, once every callback is registered.
    _register_security_headers(server, app.csp_hashes())
    # The staff workspace: a second Dash app under /staff/ on the same server, so that public
    # pages carry none of its code (web/staff_app.py, callbacks/staff/).
    from callbacks import staff as staff_callbacks
    from dashboard.web.staff_app import create_staff_app

    staff_callbacks.register(create_staff_app(server, settings))
    return app


def preload_links(prefix: str) -> str:
    """Start fetching what the first page needs while the scripts are still being read.

    Without these, Dash asks for its layout (which holds the page) only once every script has
    run, and for the chart code only once the page is drawn: two waits in a row before the
    first chart. The preloaded responses are the ones Dash's own requests then use.
    """
    links = [
        (f"{prefix}_dash-layout", "fetch"),
        (f"{prefix}_dash-dependencies", "fetch"),
        (f"{prefix}_dash-component-suites/dash/dcc/async-graph.js", "script"),
    ]
    return "\n        ".join(
        f'<link rel="preload" href="{href}" as="{kind}"'
        + (' crossorigin="anonymous"' if kind == "fetch" else "")
        + ">"
        for href, kind in links
    )


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """Only this server's own scripts and styles; nothing from a third party, ever.

    Plotly sets inline styles on its SVG elements, hence 'unsafe-inline' for styles only.
    """
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _register_security_headers(server: flask.Flask, script_hashes: Sequence[str]) -> None:
    policy = content_security_policy(script_hashes)

    @server.after_request
    def add_security_headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if flask.request.path.endswith("/_dash-layout"):
            # The layout holds the page its Referer names (callbacks.router): a shared cache
            # must never hand one page's layout to another page.
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Referer")
        return response


def theme_style(settings: Settings) -> str:
    """The theme's colours as CSS custom properties (assets/cxdash.css uses them); checked for
    contrast when the settings were read (``dashboard.core.theme``)."""
    return (
        "<style>:root{"
        f"--cx-header-bg:{settings.theme_primary_color};"
        f"--cx-primary:{settings.theme_primary_color};"
        f"--cx-accent:{settings.theme_accent_color};"
        "}</style>"
    )


def _request_language(settings: Settings) -> str:
    return normalize_language(flask.request.args.get("lang"), settings.default_language)


def _serve_language_in_index(app: Dash, settings: Settings) -> None:
    """Put the page's language on <html lang> in the first response, before any script runs."""
    original = app.interpolate_index

    def interpolate_index(**kwargs: str) -> str:
        page = without_babel_polyfill(original(**kwargs))
        page = without_unused_tables(without_staff_scripts(page))
        language = _request_language(settings) if flask.has_request_context() else "en"
        title = (flask.g.get("cxdash_page_title") if flask.has_request_context() else None) or (
            settings.government_in(language)
        )
        return (
            page.replace("{%lang%}", language, 1)
            .replace("{%noscript%}", html_escape.escape(t("noscript", language)), 1)
            .replace(TITLE_SLOT, html_escape.escape(title), 1)
        )

    # Replaces the bound method on this one app; Dash calls it with keyword arguments only.
    app.interpolate_index = interpolate_index  # type: ignore[method-assign, assignment]


# Dash loads all of @babel/polyfill 7 (core-js 2) for browsers older than any it supports. In
# Chromium its core-js shims still cost ~150 ms of script time on the first page load, and
# the only part Dash's own bundles use is the global ``regeneratorRuntime``, which
# assets/vendor/regenerator-runtime-*.js provides (6 KiB instead of 36).
_BABEL_POLYFILL_TAG = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>\s*')


# Issue 13: in an index that carries the page's prerender, the parser runs only the prerender's
# script and Plotly's bundle; every other script (React, Dash's renderer, dcc, the other assets)
# is a placeholder that assets/prerender.js turns into the script, in the same order, once the
# prerender's first chart is drawn. Fetched and compiled while that chart was being drawn, they
# took the CPU it needed: on two cores the first chart came 1.3-1.4 times later than on the
# same page without Dash (bench/page_load.py --static).
_PARSER_SCRIPTS = (b"/assets/prerender.js", b"/assets/vendor/plotly-")
_SCRIPT_TAG = re.compile(rb'<script src="([^"]+)"></script>')
#: Dash's own start, the last script of its index (Dash's default ``app.renderer``).
_DASH_START = (
    b'<script id="_dash-renderer" type="application/javascript">'
    b"var renderer = new DashRenderer();</script>"
)
#: The type that keeps a script from running until assets/prerender.js runs it.
LATER_TYPE = b"application/x-cxdash-later"


def dash_after_first_chart(page: bytes) -> bytes:
    """The index with Dash's scripts as placeholders that run after the first chart.

    Left as it is when it is not Dash's default index (no prerender script, or another
    ``app.renderer``): nothing would run the placeholders."""
    if _DASH_START not in page or _PARSER_SCRIPTS[0] not in page:
        return page

    def placeholder(tag: re.Match[bytes]) -> bytes:
        source = tag.group(1)
        if any(kept in source for kept in _PARSER_SCRIPTS):
            return tag.group(0)
        return b'<script type="' + LATER_TYPE + b'" data-src="' + source + b'"></script>'

    later = _SCRIPT_TAG.sub(placeholder, page)
    return later.replace(
        _DASH_START,
        b'<script id="_dash-renderer" type="' + LATER_TYPE + b'"></script>',
        1,
    )


def without_babel_polyfill(page: str) -> str:
    """The index page without Dash's @babel/polyfill script tag."""
    return _BABEL_POLYFILL_TAG.sub("", page, count=1)


# Dash loads every component library imported in the process on every app's pages; the staff
# workspace's (dash-bootstrap-components, web/staff_app.py) is not for public pages.
_STAFF_LIBRARY_TAG = re.compile(
    r'<script src="[^"]*/_dash-component-suites/dash_bootstrap_components/[^"]*"></script>\s*'
)


def without_staff_scripts(page: str) -> str:
    """The public index page without the staff workspace's component library."""
    return _STAFF_LIBRARY_TAG.sub("", page)


# Dash registers its DataTable library in every app; no page of cxdash draws a DataTable (the
# tables are StaticTables), so its bundle is one script less to fetch and run before the page.
_DATA_TABLE_TAG = re.compile(
    r'<script src="[^"]*/_dash-component-suites/dash/dash_table/[^"]*"></script>\s*'
)


def without_unused_tables(page: str) -> str:
    """The public index page without Dash's DataTable library (no public page uses it)."""
    return _DATA_TABLE_TAG.sub("", page)


_STAFF_LIBRARY = "dash_bootstrap_components"
#: Libraries whose components no public page draws: left out of the page's configuration.
_UNUSED_LIBRARIES = (_STAFF_LIBRARY, "dash_table")


def _leave_staff_components_out_of_config(app: Dash) -> None:
    """The public page's Dash configuration without the staff library's component list
    (Dash lists every library imported in the process: 1.5 KB the public never uses)."""
    original = app._config  # Dash has no public hook for its page configuration

    def public_config() -> dict:
        config = original()
        children = {
            name: props
            for name, props in (config.get("children_props") or {}).items()
            if name not in _UNUSED_LIBRARIES
        }
        return {**config, "children_props": children}

    app._config = public_config  # type: ignore[method-assign]


def _register_not_found(app: Dash, settings: Settings, prerender: Prerender | None = None) -> None:
    """A URL that names no page gets HTTP 404 (with the app's own friendly 404 page).

    The page HTML itself (Dash's index) is served from here, out of :class:`IndexPages`:
    the same bytes Dash's index view would send, drawn once per language (and compressed
    once per encoding), not per request."""
    index = IndexPages(app, settings)
    prerender = prerender or (lambda: None)
    known_pages = KnownPages(settings)
    app.server.extensions["cxdash_index_pages"] = index
    app.server.extensions["cxdash_known_pages"] = known_pages

    @app.server.before_request
    def reject_unknown_paths() -> flask.Response | tuple[str, int] | None:
        # Only what Dash's page routes matched: every other route (Dash's own files, the
        # assets, downloads, exports, the API, the review pack, the staff app) answers for
        # itself, and a path none of them claims (/assets/, /download/, /_dash-x) is a page or
        # a 404, never the app shell with a 200.
        if flask.request.method not in ("GET", "HEAD") or not request_guard.is_page_request(app):
            return None
        path = flask.request.path
        if preview.is_preview_path(path):
            # Signed out, the staff guard has already sent the browser to sign in; signed in,
            # a preview the member may not see is the ordinary 404 (web/preview.py).
            flask.after_this_request(preview.mark_response)
            if preview.preview_target(settings, path) is not None:
                return None
            return app.index(), 404
        title = known_pages.title(path, flask.request.args.to_dict())
        if title is not None:
            return index.response(200, title, prerender())
        return index.response(404, page_title(settings, None, None, _request_language(settings)))


class IndexPages:
    """Dash's index page (the HTML shell every page URL gets), kept per language and page
    title, and per ``Content-Encoding`` compressed as flask-compress would.

    Dash draws the index from its registered scripts and styles (their URLs carry the
    package version and file time), its configuration and the app's template; none of that
    changes while the process runs, except with Dash's hot reload (a development server),
    where nothing is kept. The language (``<html lang>``, the ``<noscript>`` text) and the
    page's ``<title>`` are the only parts a request changes (:func:`_serve_language_in_index`):
    one entry per language and page title, at most :attr:`LIMIT` (the oldest go first). A 404
    gets the same page, uncompressed, as flask-compress leaves error statuses.
    """

    LIMIT = 512
    #: Where the prerender goes: just before Dash's own container.
    ENTRY_POINT = b'<div id="react-entry-point">'

    def __init__(self, app: Dash, settings: Settings) -> None:
        self._app = app
        self._settings = settings
        self._pages: dict[tuple[str, str, str | None], bytes] = {}
        self._lock = threading.Lock()

    def _keeps(self) -> bool:
        return not getattr(self._app._dev_tools, "hot_reload", False)

    def _draw(self, title: str) -> str:
        flask.g.cxdash_page_title = title
        return self._app.index()

    def _keep(self, key: tuple[str, str, str | None], page: bytes) -> bytes:
        with self._lock:
            while len(self._pages) >= self.LIMIT:
                del self._pages[next(iter(self._pages))]
            self._pages[key] = page
        return page

    def response(
        self, status: int, title: str, prerender: tuple[str | None, bytes] | None = None
    ) -> flask.Response:
        if prerender is not None:
            return self._prerendered(status, title, *prerender)
        if not self._keeps():
            return flask.Response(self._draw(title), status=status, mimetype="text/html")
        language = _request_language(self._settings)
        page = self._pages.get((language, title, None))
        if page is None:
            page = self._keep((language, title, None), self._draw(title).encode())
        encoding = answer_cache.chosen_encoding() if status == 200 else None
        if encoding is None or len(page) < answer_cache.min_size():
            return flask.Response(page, status=status, mimetype="text/html")
        compressed = self._pages.get((language, title, encoding))
        if compressed is None:
            compressed = self._keep(
                (language, title, encoding), answer_cache.compress(page, encoding)
            )
        response = flask.Response(compressed, status=status, mimetype="text/html")
        # flask-compress leaves a response that says its encoding alone (and adds Vary).
        response.headers["Content-Encoding"] = encoding
        return response

    def _prerendered(
        self, status: int, title: str, key: str | None, prerender: bytes
    ) -> flask.Response:
        """The index with the page's prerender (``(key, HTML)`` of
        ``router.prerender_for_index``) before Dash's container: one page per URL, so kept,
        compressed per encoding, in the answer cache under the prerender's key (and this
        index's own fingerprint), not here."""
        language = _request_language(self._settings)
        base = self._pages.get((language, title, None)) if self._keeps() else None
        if base is None:
            base = self._draw(title).encode()
            if self._keeps():
                self._keep((language, title, None), base)
        # Dash's scripts wait for the prerender's first chart only where it has one to draw.
        charted = dash_after_first_chart(base) if b"data-prerender-graph" in prerender else base
        page = charted.replace(self.ENTRY_POINT, prerender + self.ENTRY_POINT, 1)
        encoding = answer_cache.chosen_encoding() if status == 200 else None
        if encoding is None or len(page) < answer_cache.min_size():
            return flask.Response(page, status=status, mimetype="text/html")
        variant = f"{key}|index|{zlib.crc32(base):08x}|{encoding}" if key else None
        kept = cache.get(variant) if variant and self._keeps() else None
        if not isinstance(kept, answer_cache.StoredAnswer):
            kept = answer_cache.StoredAnswer(
                answer_cache.compress(page, encoding),
                content_type="text/html; charset=utf-8",
                encoding=encoding,
                status=status,
            )
            if variant and self._keeps():
                cache.set(variant, kept)
        return kept.response()


class KnownPages:
    """The page URLs found to name a page, with their titles, for the current data version
    only.

    Whether a URL names a page (an agency that exists...) can only change with the published
    data, so a URL found once is remembered with the version it was found at
    (:func:`answer_cache.data_version`, read from the store at every request: a publication
    through any node counts at once). Only known pages are remembered (a junk URL costs its
    lookup every time, as before, and no entry); a new version empties the set, and it never
    holds more than :attr:`LIMIT` URLs (the oldest go first).
    """

    LIMIT = 2048

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._version: str | None = None
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._urls)

    def known(self, path: str, args: Mapping[str, str]) -> bool:
        return self.title(path, args) is not None

    def title(self, path: str, args: Mapping[str, str]) -> str | None:
        """The page's ``<title>``, None when the URL names no page."""
        settings = self._settings
        route = resolve(path)
        if route is None:
            return None
        if not answer_cache.usable():
            return known_page_title(settings, path, args)
        version = answer_cache.data_version(settings.database_url)
        # Read once per request: the page's prerender reuses it (router.data_version_of_request).
        if flask.has_request_context():
            flask.g.cxdash_data_version = version
        query = {
            **page_for(route).known(args),
            "lang": normalize_language(args.get("lang"), settings.default_language),
        }
        key = f"{version}|{page_day(settings)}|{path}?{answer_cache.normalized_query(query)}"
        title = self._urls.get(key)
        if title is not None:
            return title
        title = known_page_title(settings, path, args)
        if title is None:
            return None
        with self._lock:
            if self._version != version:
                self._urls.clear()
                self._version = version
            while len(self._urls) >= self.LIMIT:
                del self._urls[next(iter(self._urls))]
            self._urls[key] = title
        return title


def _register_store_unavailable(server: flask.Flask, settings: Settings) -> None:
    """A database that is down or not set up gets a 503 (HTML page, or JSON under /api/) with
    ``Retry-After``, never a 500 or traceback (dashboard/web/outage.py)."""
    outage.install(server, lambda: _request_language(settings))


def _register_health(server: flask.Flask, settings: Settings) -> None:
    """/healthz: database, cache and export browser, each with its state (web/health.py)."""
    health.register(server, settings)
