"""The chart rules (issue 13) in a real browser, on a phone (375 px) and a desktop (1280 px):
no mode bar tab stops, the summary as the chart's accessible name, legends inside the chart,
the target's value written on it and within the axis, fiscal period ticks, series told apart
without colour, actions only within the data, "Copy link", and charts that fit a printed page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.charts import chart_facts, open_page

pytestmark = pytest.mark.browser

WIDTHS = [375, 1280]
PAGES = {
    "home": "/",
    "home-es": "/?lang=es",
    "agency": "/agency/dmv",
    "breakdown-es": "/agency/dmv?segment=channel&lang=es",
}
#: Plotly lays text out to whole pixels; a box may pass its container by a rounding.
SLACK = 1.5


@pytest.fixture
def sized(browser, live_server, request):  # type: ignore[no-untyped-def]
    """A page at the requested width that may write to and read the clipboard."""
    context = browser.new_context(
        viewport={"width": request.param, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, request.param
    context.close()
    assert errors == []


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["left"] >= outer["left"] - SLACK
        and inner["right"] <= outer["right"] + SLACK
        and inner["top"] >= outer["top"] - SLACK
        and inner["bottom"] <= outer["bottom"] + SLACK
    )


@pytest.mark.parametrize("sized", WIDTHS, indirect=True, ids=["phone", "desktop"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_every_chart_follows_the_rules(sized, live_server, kind):
    page, width = sized
    open_page(page, live_server.url + PAGES[kind])
    charts = chart_facts(page)
    assert charts
    # No mode bar at all: no tab stops with English labels inside a chart.
    assert page.locator(".modebar, .modebar-btn").count() == 0
    for chart in charts:
        label = chart["id"]
        assert chart["focusable"] == 0, label
        # One image, named by its summary: never by its tick labels.
        assert chart["role"] == "img", label
        assert chart["name"] and chart["name"] == chart["summary"], label
        expect(page.get_by_role("img", name=chart["summary"], exact=True).first).to_be_attached()
        # The legend is all inside the chart: no entry cut at the right ("…one business da").
        for entry in chart["legend"]:
            assert _inside(entry, chart["svg"]), (label, width, entry, chart["svg"])
        # Period ticks say FY (or name a month), never a bare calendar year.
        assert chart["ticks"], label
        assert not any(re.fullmatch(r"\d{4}", tick) for tick in chart["ticks"]), chart["ticks"]
        low, high = chart["yrange"]
        targets = [t for t in chart["traces"] if t["name"] in ("Target in force", "Meta vigente")]
        for target in targets:
            values = [y for y in target["y"] if y is not None]
            # The axis includes the target.
            assert all(low <= y <= high for y in values), (label, values, chart["yrange"])
        if targets:
            # Its value is written on the chart, inside the plot (never above the top tick).
            written = [a for a in chart["annotations"] if re.match(r"(Target|Meta) ", a["text"])]
            assert written, (label, chart["annotations"])
            assert all(_inside(a["box"], chart["plot"]) for a in written), (label, written)
        # Lines differ by marker and dash as well as colour.
        lines = [t for t in chart["traces"] if t["mode"] == "lines+markers"]
        assert len({(t["symbol"], t["dash"]) for t in lines}) == len(lines), label


@pytest.mark.parametrize("sized", [375], indirect=True, ids=["phone"])
def test_a_long_spanish_legend_wraps_instead_of_being_cut(sized, live_server):
    page, _width = sized
    open_page(page, live_server.url + "/agency/dmv?metric=ack_within_1bd&lang=es")
    (chart,) = chart_facts(page)
    texts = " ".join(chart["legendTexts"])
    # Every word of the measure's name is in the legend, whole.
    name = page.locator("#chart-ack_within_1bd-title").inner_text()
    for word in name.split():
        assert word in texts, (word, texts)


@pytest.mark.parametrize("sized", [1280], indirect=True, ids=["desktop"])
def test_channels_are_told_apart_by_marker_and_keep_their_look(sized, live_server):
    page, _width = sized
    open_page(page, live_server.url + "/agency/dmv?segment=channel")
    styles: dict[str, set] = {}
    for chart in chart_facts(page):
        lines = [t for t in chart["traces"] if t["mode"] == "lines+markers"]
        if len(lines) < 2:
            continue
        assert len({t["symbol"] for t in lines}) == len(lines), chart["id"]
        assert len({t["colour"] for t in lines}) == len(lines), chart["id"]
        for line in lines:
            styles.setdefault(line["name"], set()).add((line["symbol"], line["colour"]))
    assert {"Email", "Phone"} <= set(styles)
    # A channel looks the same on every chart it is on.
    assert all(len(looks) == 1 for looks in styles.values()), styles


@pytest.mark.parametrize("sized", [1280], indirect=True, ids=["desktop"])
def test_actions_are_drawn_only_within_the_data_and_labelled(sized, live_server):
    page, _width = sized
    open_page(page, live_server.url + "/agency/dmv")
    drawn = 0
    for chart in chart_facts(page):
        lines = [t for t in chart["traces"] if t["mode"] == "lines+markers"]
        first = min(x for t in lines for x in t["x"])
        last = max(x for t in lines for x in t["x"])
        for trace in chart["traces"]:
            if trace["name"] in ("Actions taken", "Planned actions"):
                # Labelled on the chart, and never outside the data (no axis to 2027).
                assert trace["mode"] == "markers+text", chart["id"]
                assert all(first <= x[:10] <= last for x in trace["x"]), (chart["id"], trace)
                drawn += len(trace["x"])
    assert drawn >= 1
    # The DMV's plan for November 2026 is after its latest result: listed, not drawn.
    csat = next(c for c in chart_facts(page) if c["id"] == "chart-csat_overall")
    assert not any(t["name"] == "Actions taken" for t in csat["traces"]), csat["traces"]
    assert max(x for t in csat["traces"] for x in t["x"]) < "2026-10-01"


@pytest.mark.parametrize("sized", WIDTHS, indirect=True, ids=["phone", "desktop"])
def test_copy_link_copies_the_charts_permalink_and_says_so(sized, live_server):
    page, _width = sized
    open_page(page, live_server.url + "/agency/dmv?lang=es")
    link = page.locator("#chart-accuracy_rate-link")
    expect(link).to_have_text("Copiar enlace")
    expected = f"{live_server.url}/agency/dmv?lang=es#chart-accuracy_rate-title"
    # Without JavaScript it is a plain link to the chart.
    assert link.get_attribute("href") == expected.removeprefix(live_server.url)
    link.click()
    status = page.locator("#chart-accuracy_rate-link-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text(re.compile("^Enlace a «.+» copiado$"))
    assert page.evaluate("navigator.clipboard.readText()") == expected
    # The page did not move on; the link opens the page at the chart's title.
    assert page.url == f"{live_server.url}/agency/dmv?lang=es"
    page.goto("about:blank")  # a new load, not a jump within the same page
    open_page(page, expected)
    expect(page.locator("#chart-accuracy_rate-title")).to_be_in_viewport()


@pytest.mark.parametrize("sized", [1280], indirect=True, ids=["desktop"])
def test_copy_link_without_a_clipboard_shows_the_address(sized, live_server):
    page, _width = sized
    open_page(page, live_server.url + "/agency/dmv")
    page.evaluate(
        "Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true})"
    )
    page.locator("#chart-accuracy_rate-link").click()
    expect(page.locator("#chart-accuracy_rate-link-status")).to_have_text(
        f"Could not copy: the link is {live_server.url}/agency/dmv#chart-accuracy_rate-title"
    )


@pytest.mark.parametrize("sized", [1280], indirect=True, ids=["desktop"])
def test_a_chart_drawn_on_a_desktop_fits_a_printed_page(sized, live_server):
    page, _width = sized
    open_page(page, live_server.url + "/agency/dmv")
    # Printing lays the page out at the paper's width without drawing the charts again:
    # Plotly's resize is stopped, then the page is made as narrow as an A4 page's text.
    page.evaluate("window.Plotly.Plots.resize = () => Promise.resolve()")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    page.evaluate("document.body.style.width = '680px'")
    overflowing = page.evaluate(
        """[...document.querySelectorAll('.chart-graph')].map(wrapper => {
            const panel = wrapper.closest('.chart-panel').getBoundingClientRect();
            const layers = [...wrapper.querySelectorAll('.main-svg')].map(
                svg => svg.getBoundingClientRect());
            return {id: wrapper.firstElementChild.id, right: Math.max(...layers.map(r => r.right)),
                    width: Math.max(...layers.map(r => r.width)), panel: panel.right,
                    height: Math.max(...layers.map(r => r.height))};
        }).filter(c => c.right > c.panel + 1.5 || c.width > 681 || c.height < 50)"""
    )
    assert overflowing == []
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert page.locator(".main-svg[viewBox]").count() == 0
