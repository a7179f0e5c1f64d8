"""The first load, drawn from a layout whose static HTML is compacted (layouts/static_html.py),
shows the very page the router draws on a later visit: same elements, attributes and text
(issue 13)."""

from __future__ import annotations

import pytest

from dashboard.gateway import queries
from tests.browser.charts import CHARTS_TIMEOUT_S, wait_for_charts

pytestmark = pytest.mark.browser

# The page as elements, attributes (sorted: React sets them in prop order) and text; charts'
# insides (drawn by Plotly) and the ids dcc.Input makes up at random left out.
SNAPSHOT = """(() => {
  const out = [];
  const walk = (node, depth) => {
    if (node.nodeType === Node.TEXT_NODE) {
      if (node.textContent.trim()) { out.push(depth + ' "' + node.textContent + '"'); }
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) { return; }
    const attributes = [...node.attributes]
      .filter(a => !(a.name === 'id' && /^input-/.test(a.value)))
      .map(a => a.name + '=' + a.value).sort();
    out.push(depth + ' <' + node.tagName.toLowerCase() + ' ' + attributes.join(' ') + '>');
    if (node.classList.contains('dash-graph')) { return; }
    node.childNodes.forEach(child => walk(child, depth + 1));
  };
  walk(document.getElementById('page'), 0);
  return out;
})()"""

# Follows a link inside the app, as assets/cxdash.js does: Dash's router draws the page.
FOLLOW = """(href) => {
  window.history.pushState({}, '', href);
  window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
}"""


@pytest.mark.parametrize("which", ["home", "agency"])
def test_the_first_load_shows_the_page_the_router_draws(page, live_server, demo_database, which):
    agency = queries.list_agencies(demo_database)[0]
    path = "/" if which == "home" else f"/agency/{agency['slug']}"
    page.goto(live_server.url + path)
    page.wait_for_selector("#main-content h1", timeout=CHARTS_TIMEOUT_S * 1000)
    charts = wait_for_charts(page)
    first = page.evaluate(SNAPSHOT)

    # Away and back inside the app: the router callback draws the page, uncompacted.
    page.evaluate(FOLLOW, "/methodology")
    page.wait_for_selector("#main-content .dash-graph", state="detached", timeout=60_000)
    page.evaluate(FOLLOW, path)
    page.wait_for_selector("#main-content .dash-graph", timeout=CHARTS_TIMEOUT_S * 1000)
    assert wait_for_charts(page) == charts
    again = page.evaluate(SNAPSHOT)

    assert len(first) > 100
    assert first == again
