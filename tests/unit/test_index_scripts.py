"""Dash's scripts in a prerendered index run after the first chart (issue 13,
factory.dash_after_first_chart; assets/prerender.js runs them)."""

from __future__ import annotations

import re

from dashboard.web.factory import LATER_TYPE, dash_after_first_chart

DASH_START = (
    '<script id="_dash-renderer" type="application/javascript">'
    "var renderer = new DashRenderer();</script>"
)
INDEX = f"""<html><body><div id="react-entry-point"></div><div class="dash-scripts">
<script id="_dash-config" type="application/json">{{"url_base_pathname": "/"}}</script>
<script src="/_dash-component-suites/dash/deps/react@18.v4_1_0m1.3.1.min.js"></script>
<script src="/assets/charts.js?m=1"></script>
<script src="/assets/prerender.js?m=2"></script>
<script src="/assets/vendor/plotly-basic-4.1.1.min.js?m=3"></script>
<script src="/_dash-component-suites/dash/dash-renderer/dash_renderer.v4_1_0m1.min.js"></script>
<script>var clientside = window.dash_clientside = {{}};</script>
{DASH_START}
</div></body></html>"""


def _run_by_the_parser(page: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', page)


def _later(page: str) -> list[str]:
    return re.findall(rf'<script type="{LATER_TYPE.decode()}" data-src="([^"]+)"></script>', page)


def test_only_the_prerender_script_and_plotly_run_while_the_page_is_parsed():
    page = dash_after_first_chart(INDEX.encode()).decode()
    assert _run_by_the_parser(page) == [
        "/assets/prerender.js?m=2",
        "/assets/vendor/plotly-basic-4.1.1.min.js?m=3",
    ]
    # The others keep their places and their order.
    assert _later(page) == [
        "/_dash-component-suites/dash/deps/react@18.v4_1_0m1.3.1.min.js",
        "/assets/charts.js?m=1",
        "/_dash-component-suites/dash/dash-renderer/dash_renderer.v4_1_0m1.min.js",
    ]
    assert page.index("react@18") < page.index("prerender.js") < page.index("dash_renderer")
    # Dash's start is left to assets/prerender.js; the inline clientside code stays.
    assert DASH_START not in page and "new DashRenderer" not in page
    assert f'<script id="_dash-renderer" type="{LATER_TYPE.decode()}"></script>' in page
    assert "<script>var clientside" in page
    assert '<script id="_dash-config" type="application/json">' in page


def test_an_index_nothing_would_start_is_left_as_it_is():
    # No prerender script (the 404 page's index is not prerendered, but say it were).
    without_prerender = INDEX.replace('<script src="/assets/prerender.js?m=2"></script>', "")
    assert dash_after_first_chart(without_prerender.encode()) == without_prerender.encode()
    # Another app.renderer: only Dash's default start is known to assets/prerender.js.
    other_start = INDEX.replace("new DashRenderer();", "new DashRenderer(hooks);")
    assert dash_after_first_chart(other_start.encode()) == other_start.encode()
