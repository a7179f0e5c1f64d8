"""Routes a URL to its page, in the language the URL asks for; serves the CSV downloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape as html_escape
from typing import Any
from urllib.parse import urlsplit

import flask
from dash import Dash, Input, Output, State, clientside_callback, html
from dash._utils import split_callback_id, to_json
from dash.exceptions import PreventUpdate

from callbacks.exports import chart_csv_text
from dashboard.core.i18n import normalize_language
from dashboard.core.routes import href, parse_query, resolve
from dashboard.core.settings import Settings
from dashboard.domain import navigation
from dashboard.gateway import queries
from dashboard.infra.cache import cache
from dashboard.views import NotFound
from dashboard.web import answer_cache, outage, preview, request_limits
from dashboard.web.pages import PageContext, page_day, page_for, page_title, page_view
from layouts import embed as embed_layout
from layouts import not_found, prerender, shell, static_html
from layouts import outage as outage_layout
from layouts import preview as preview_layout
from layouts.pages import layout_for

#: The router callback's answer, as Dash writes it: the page, its language, the URL drawn.
_ROUTER_OUTPUTS = ("page", "children"), ("page", "lang"), ("rendered-url", "data")


def render(settings: Settings, path: str, search: str | None) -> tuple[list, str, bool]:
    """(frame, language, found) for a URL: the page, or the 404 page.

    A staff preview URL (``/preview/agency/<slug>``) is drawn by :func:`render_preview`.
    """
    if preview.is_preview_path(path):
        return render_preview(settings, path, search)
    return _render(settings, path, search)


def _render(
    settings: Settings,
    path: str,
    search: str | None,
    *,
    shown_path: str | None = None,
    banner: Callable[[str], Any] | None = None,
) -> tuple[list, str, bool]:
    """The page at ``path`` in its frame. ``shown_path``: the URL the browser shows when it
    is not ``path`` (a preview), for the page's own links; ``banner``: language -> what goes
    above the page."""
    query = parse_query(search)
    language = normalize_language(query.get("lang"), settings.default_language)
    shown_path = shown_path or path
    route = resolve(path)
    content: list | None = None
    status = None
    view: Any = None
    if route is not None:
        page = page_for(route)
        known = page.known(query)
        try:
            view, status = page_view(settings, route, known, language)
        except NotFound as error:
            content = not_found.layout(shown_path, language, reason=error.message)
        else:
            context = PageContext(
                language=language,
                path=shown_path,
                query=known,
                settings=settings,
                site_origin=_site_origin(),
            )
            content = layout_for(route.page)(view, context)
    found = content is not None and status is not None
    if content is None:
        content = not_found.layout(shown_path, language)
    if banner is not None:
        content = [banner(language), *content]
    status = status or queries.data_status(settings.database_url)
    page_name = route.page if found and route is not None else None
    frame = shell.page(
        content=content,
        language=language,
        path=shown_path,
        site_name=settings.site_name,
        as_of=status.as_of,
        last_updated=status.last_updated,
        identity=shell.identity_of(settings, language),
        current=page_name,
        title=page_title(settings, page_name, view, language),
        crumbs=_crumbs(page_name, view, language),
    )
    if page_name == "embed":
        # Issue 13, item 7: one chart for another site's iframe, in a frame of its own.
        frame = embed_layout.frame(
            content=content,
            view=view,
            language=language,
            site_name=settings.government_in(language) or settings.site_name,
            as_of=status.as_of,
            home=shell.language_href("/", language),
        )
    return frame, language, found


def _crumbs(page: str | None, view: Any, language: str) -> list[tuple[str, str | None]]:
    """The page's breadcrumb trail (``navigation.breadcrumb_trail``), its links in the page's
    language."""
    trail = navigation.breadcrumb_trail(page, language, getattr(view, "agency_name", None))
    return [(name, shell.language_href(path, language) if path else None) for name, path in trail]


def render_preview(settings: Settings, path: str, search: str | None) -> tuple[list, str, bool]:
    """A staff preview: the public page drawn in a transaction where the agency's drafts are
    published, then rolled back (``dashboard.web.preview``). Anyone but signed-in staff of
    the agency gets the ordinary 404 page, and the response is never cached nor indexed."""
    if flask.has_request_context():
        flask.after_this_request(preview.mark_response)
    target = preview.preview_target(settings, path)
    if target is None:
        return _render(settings, path, search)  # names no public page: the 404 page
    with preview.previewing(settings, target) as state:

        def banner(language: str) -> Any:
            name = state.agency_name(language, target.agency_slug)
            return preview_layout.banner(name, has_drafts=state.has_drafts, refusal=state.refusal)

        return _render(settings, target.public_path, search, shown_path=path, banner=banner)


def _site_origin() -> str:
    """This site's address (for the examples a page prints); empty outside a request."""
    return flask.request.url_root.rstrip("/") if flask.has_request_context() else ""


def page_url_of_request() -> tuple[str, str] | None:
    """(path, query string with its "?") of the page that asked for Dash's layout.

    Dash's renderer fetches ``/_dash-layout`` from the page, so the Referer header names the
    page (same-origin requests carry the full URL under our Referrer-Policy). Anything else
    (no header, another host) gives None, and the router callback renders the page instead.
    """
    if not flask.has_request_context() or not flask.request.referrer:
        return None
    # Dash also builds its layout once to check it, inside whichever request comes first.
    if not flask.request.path.endswith("/_dash-layout"):
        return None
    referrer = urlsplit(flask.request.referrer)
    if referrer.netloc != flask.request.host:
        return None
    return referrer.path or "/", f"?{referrer.query}" if referrer.query else ""


def layout_for_request(settings: Settings) -> html.Div:
    """Dash's layout, with the requesting page already rendered in it when it is known.

    The first load then draws the page from the layout response instead of waiting for a
    second round trip to the router callback (~50–100 ms on the first chart).
    """
    url = page_url_of_request()
    if url is None:
        return shell.app_layout()
    path, search = url
    frame, language, found = render_answer(settings, path, search)
    return shell.app_layout(first_frame(frame, found), language, rendered_url=path + search)


def prerender_for_index() -> tuple[str | None, bytes] | None:
    """(cache key, HTML) of the page the index request names, its first layout drawn as plain
    HTML in ``#prerender`` (``layouts/prerender``; assets/prerender.js swaps it for Dash's
    page once that is drawn); None where there is none: a preview (drafts never leave it),
    a URL that names no page, a page not found, the store down.

    Drawn from the page's first ``/_dash-layout`` answer, taken from the answer cache or
    built and kept there (the layout request that follows is then a cache read: the page is
    rendered once for both), and kept beside it; the key is None when no cache is usable
    (then it is drawn each time, and the index that holds it is not kept)."""
    settings: Settings = flask.current_app.config["CXDASH_SETTINGS"]
    path = flask.request.path
    if preview.is_preview_path(path) or resolve(path) is None:
        return None
    query = flask.request.query_string.decode()
    search = f"?{query}" if query else ""
    try:
        key = _answer_key(settings, "layout", path, search) if answer_cache.usable() else None
        if key is not None:
            kept = cache.get(f"{key}|prerender")
            if isinstance(kept, bytes):
                return f"{key}|prerender", kept
            template = cache.get(key)
            if not isinstance(template, bytes):
                template, keep = _layout_template(settings, path, search)
                if not keep:
                    return None
                cache.set(key, template)  # as answer_cache.serve_page keeps it
        else:
            template, keep = _layout_template(settings, path, search)
            if not keep:
                return None
    except Exception as error:
        if outage.is_store_outage(error):
            return None
        raise
    layout = json.loads(template)
    body = prerender_container(*_page_of_layout(layout)).encode()
    if key is None:
        return None, body
    cache.set(f"{key}|prerender", body)
    return f"{key}|prerender", body


def _layout_template(settings: Settings, path: str, search: str) -> tuple[bytes, bool]:
    """The first ``/_dash-layout`` answer's template (:func:`_page_answer`'s ``build``)."""
    frame, language, keep = render_answer(settings, path, search)
    frame = first_frame(frame, keep)
    return _layout_json(frame, language, answer_cache.URL_SLOT).encode(), keep


def _page_of_layout(layout: Any) -> tuple[Any, str]:
    """(frame, language) of the ``page`` container in a serialized ``shell.app_layout``."""
    for child in layout["props"]["children"]:
        props = child.get("props") or {} if isinstance(child, dict) else {}
        if props.get("id") == "page":
            return props.get("children"), props.get("lang") or ""
    raise ValueError("the layout holds no page")


def prerender_container(frame: object, language: str) -> str:
    """The prerender's container, in the page's language (without JavaScript, the charts'
    empty boxes are hidden by assets/prerender.css: their text and tables are in the page)."""
    return (
        f'<div id="prerender" class="prerender" lang="{html_escape(language)}">'
        f"{prerender.prerender(frame)}</div>"
    )


def first_frame(frame: list, found: bool) -> list:
    """The page's frame for the first layout: a page found (not the 404 or outage page) with
    its static HTML compacted (``layouts/static_html``), since the first load is drawn from
    it, where the renderer's cost per component counts most. Components a callback names stay
    components (:func:`live_ids`); the router's later answers are not compacted."""
    return static_html.compact(frame, live_ids()) if found else frame


def live_ids() -> frozenset[str]:
    """The ids of every component a callback of the public app reads or writes."""
    if not flask.has_request_context():
        return frozenset()
    ids = flask.current_app.extensions.get(_LIVE_IDS)
    return ids() if callable(ids) else frozenset()


_LIVE_IDS = "cxdash_live_ids"


def _callback_ids(app: Dash) -> frozenset[str]:
    ids: set[str] = set()
    for output, callback in app.callback_map.items():
        outputs = split_callback_id(output)
        for item in [
            *(outputs if isinstance(outputs, list) else [outputs]),
            *callback.get("inputs", []),
            *callback.get("state", []),
        ]:
            ids.add(str(item.get("id")))
    return frozenset(ids)


def render_or_outage(settings: Settings, path: str, search: str | None) -> tuple[list, str]:
    """(frame, language) of :func:`render`; while the store is down, the outage page.

    Dash keeps the page on screen when its layout or a callback answers with an error status
    (a 503 included), so a link followed during an outage would change the URL and nothing
    else: the outage is drawn as the page instead, in a 200 answer.
    """
    frame, language, _keep = render_answer(settings, path, search)
    return frame, language


def render_answer(settings: Settings, path: str, search: str | None) -> tuple[list, str, bool]:
    """(frame, language, keep) of :func:`render_or_outage`: ``keep`` is False for the 404
    page and the outage page, which no cache may keep."""
    try:
        return render(settings, path, search)
    except Exception as error:
        if not outage.is_store_outage(error):
            raise
        outage.log_outage(error)
        language = normalize_language(parse_query(search).get("lang"), settings.default_language)
        frame = outage_layout.frame(path=path, language=language, site_name=settings.site_name)
    return frame, language, False


# -- finished answers from the cache (dashboard/web/answer_cache.py) ------------------------


def cached_page_answer(settings: Settings) -> flask.Response | None:
    """The router callback's answer, or the first ``/_dash-layout``, from the answer cache
    (built and kept on a miss); None leaves the request to Dash.

    Left to Dash, which draws them uncached as before: a router call for the page already on
    screen (Dash's "no update", a 204), a layout that names no page (no Referer), previews,
    URLs that name no page (the 404 page), and everything while the store is down. The
    answer is the very bytes Dash would send (tests/integration/test_answer_cache.py).
    """
    request = flask.request
    if request.method == "POST" and request.path == request_limits.CALLBACK_PATH:
        call = _router_call(request.get_json(silent=True))
        if call is None:
            return None
        path, search, rendered_url = call
        if path + search == rendered_url:
            return None  # the layout already holds this page: Dash answers "no update"
        return _page_answer(settings, "router", path, search, _router_json)
    if request.method == "GET" and request.path == request_limits.LAYOUT_PATH:
        url = page_url_of_request()
        if url is None:
            return None
        path, search = url
        return _page_answer(settings, "layout", path, search, _layout_json)
    return None


def _router_call(body: object) -> tuple[str, str, object] | None:
    """(path, query string, rendered-url) of a router callback body, as ``render_page``
    reads them; None for any other callback (request_guard has checked the types)."""
    if not request_limits.is_router_call(body):
        return None
    outputs = [
        (item.get("id"), item.get("property")) if isinstance(item, dict) else None
        for item in body.get("outputs") or []
    ]
    if tuple(outputs) != _ROUTER_OUTPUTS:
        return None
    values: dict[str, object] = {}
    for item in [*(body.get("inputs") or []), *(body.get("state") or [])]:
        if isinstance(item, dict):
            values[f"{item.get('id')}.{item.get('property')}"] = item.get("value")
    path, search = values.get("url.pathname"), values.get("url.search")
    if not isinstance(path, str | None) or not isinstance(search, str | None):
        return None
    return path or "/", search or "", values.get("rendered-url.data")


def _router_json(frame: list, language: str, url: str) -> str:
    """The router callback's answer as Dash's dispatch writes it (``{"multi": true, ...}``)."""
    answer = {
        "multi": True,
        "response": {
            "page": {"children": frame, "lang": language},
            "rendered-url": {"data": url},
        },
    }
    return to_json(answer)


def _layout_json(frame: list, language: str, url: str) -> str:
    """Dash's ``/_dash-layout`` answer holding the page (:func:`layout_for_request`)."""
    return to_json(shell.app_layout(frame, language, rendered_url=url))


def _page_answer(
    settings: Settings,
    kind: str,
    path: str,
    search: str,
    encode: Callable[[list, str, str], str],
) -> flask.Response | None:
    if preview.is_preview_path(path) or not answer_cache.usable():
        return None
    route = resolve(path)
    if route is None:
        return None  # the 404 page
    known = page_for(route).known(parse_query(search))
    try:
        key = _answer_key(settings, kind, path, search)
    except Exception as error:
        if outage.is_store_outage(error):
            return None  # Dash draws the outage page
        raise

    def build() -> tuple[bytes, bool]:
        if kind == "layout":
            return _layout_template(settings, path, search)
        frame, language, keep = render_answer(settings, path, search)
        return encode(frame, language, answer_cache.URL_SLOT).encode(), keep

    return answer_cache.serve_page(
        key,
        url_json=to_json(path + search).encode(),
        canonical=path + search == href(path, known),
        build=build,
    )


def _answer_key(settings: Settings, kind: str, path: str, search: str) -> str:
    """The answer cache's key of a page's answer (``kind``: "router" or "layout"); the data
    version read once per request (``data_version_of_request``)."""
    route = resolve(path)
    assert route is not None
    query = parse_query(search)
    return answer_cache.answer_key(
        kind,
        path=path,
        query=page_for(route).known(query),
        version=data_version_of_request(settings),
        language=normalize_language(query.get("lang"), settings.default_language),
        origin=_site_origin(),
        day=page_day(settings),
    )


def data_version_of_request(settings: Settings) -> str:
    """The published-data version (``answer_cache.data_version``), read at most once per
    request: the index reads it to know its page, then again for the page's prerender."""
    version = flask.g.get(_DATA_VERSION) if flask.has_request_context() else None
    if not isinstance(version, str):
        version = answer_cache.data_version(settings.database_url)
        if flask.has_request_context():
            setattr(flask.g, _DATA_VERSION, version)
    return version


_DATA_VERSION = "cxdash_data_version"


def register(app: Dash) -> None:
    settings: Settings = app.server.config["CXDASH_SETTINGS"]
    # Read at each first layout: every module registers its callbacks after this one.
    app.server.extensions[_LIVE_IDS] = lambda: _callback_ids(app)
    # After the staff guard, the rate limits and the callback body checks (registered
    # before, by the factory): a cached answer is served only where Dash's would have been.
    app.server.before_request(lambda: cached_page_answer(settings))

    @app.callback(
        Output("page", "children"),
        Output("page", "lang"),
        Output("rendered-url", "data"),
        Input("url", "pathname"),
        Input("url", "search"),
        State("rendered-url", "data"),
    )
    def render_page(
        pathname: str | None, search: str | None, rendered_url: str | None
    ) -> tuple[list, str, str]:
        url = (pathname or "/") + (search or "")
        if url == rendered_url:
            raise PreventUpdate  # the layout already holds this page
        frame, language = render_or_outage(settings, pathname or "/", search)
        return frame, language, url

    # The <html lang> follows the page's language for screen readers, and the <title> names
    # the page: the title the server gave it (``data-page-title``, ``web.pages.page_title``),
    # once the new page is drawn. assets/cxdash.js hears "cxdash:page-drawn" (a search keeps
    # its focus and says how many agencies match).
    clientside_callback(
        """
        function(lang, _url) {
            if (lang) { document.documentElement.lang = lang; }
            window.requestAnimationFrame(function () {
                var main = document.querySelector("#main-content[data-page-title]");
                var heading = document.querySelector("#main-content h1");
                if (main) {
                    var title = main.getAttribute("data-page-title");
                    // A page without a title of its own (web.pages.page_title): its heading.
                    if (title.indexOf(" \u2014 ") < 0 && heading) {
                        title = heading.textContent.trim() + " \u2014 " + title;
                    }
                    document.title = title;
                }
                document.dispatchEvent(new CustomEvent("cxdash:page-drawn"));
            });
            return lang || "";
        }
        """,
        Output("document-language", "data"),
        Input("page", "lang"),
        Input("rendered-url", "data"),
    )

    @app.server.get("/download/<path:target>")
    def download_csv(target: str) -> flask.Response:
        page_path, _, file_name = target.rpartition("/")
        if not file_name.endswith(".csv"):
            flask.abort(404)
        route = resolve("/" + page_path)
        if route is None:
            flask.abort(404)
        page = page_for(route)
        query = page.known(flask.request.args.to_dict())
        language = normalize_language(flask.request.args.get("lang"), settings.default_language)
        try:
            view, status = page_view(settings, route, query, language)
        except NotFound:
            flask.abort(404)
        chart_id = file_name.removesuffix(".csv")
        spec = next((c for c in page.charts(view) if c.chart_id == chart_id), None)
        if spec is None:
            flask.abort(404)
        # The tidy CSV each page's view writes (callbacks.exports), with a byte-order mark.
        body = chart_csv_text(view, spec, status.as_of)
        return flask.Response(
            body.encode("utf-8"),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{spec.file_stem}.csv"',
                "Content-Type": "text/csv; charset=utf-8",
            },
        )
