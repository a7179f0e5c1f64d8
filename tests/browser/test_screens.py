"""Every public page kind on a phone (375 px) and a desktop (1280 px), in English and Spanish
(issue 13, item 8): axe-core finds nothing, the page never pans sideways, the ``<title>`` names
the page (a different one per page kind and language), the h1 is visible and the skip link is
there.

One live server for the module and one browser context per width (its HTTP cache keeps the
script bundle between pages), so the 32 screens cost page loads, not app starts. To cover a
new page kind, add it to :data:`PAGES` (a page whose route does not exist yet is left out:
see :data:`PLANNED`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from dashboard.core import languages
from dashboard.core.routes import resolve
from dashboard.core.settings import Settings
from tests.browser.conftest import LiveServer, axe_violations

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)
LANGUAGES = ("en", "es")
#: page kind -> a URL of that kind on the demo store.
PAGES = {
    "home": "/",
    "agency": "/agency/dmv",
    "service": "/agency/dmv/driver-license-renewal",
    "review": "/review",
    "changes": "/changes",
    "methodology": "/methodology",
    "open-data": "/data",
    "not-found": "/nowhere-at-all",
}
#: Page kinds issue 13 adds (item 6): tested as soon as their route exists.
PLANNED = {
    "compare": "/compare",
    "equity": "/equity",
}
PAGES.update({kind: path for kind, path in PLANNED.items() if resolve(path) is not None})

#: Failures on pages being fixed under other parts of issue 13: strict, so that each fix turns
#: its entry into an XPASS that fails until the entry is taken off. Keys: (kind, width,
#: language), None standing for every width or language; ("<kind>-title", None, None) for
#: the test that the page kind's titles are its own.
KNOWN: dict[tuple[str, int | None, str | None], str] = {}


def known_failure(kind: str, width: int | None, language: str | None) -> str | None:
    for key in ((kind, width, language), (kind, width, None), (kind, None, language)):
        if key in KNOWN:
            return KNOWN[key]
    return KNOWN.get((kind, None, None))


#: (kind, language) -> the <title> seen, for the test that compares them.
TITLES: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def site(demo_database: str) -> Iterator[LiveServer]:
    with LiveServer(Settings(database_url=demo_database)) as server:
        yield server


@pytest.fixture(scope="module", params=WIDTHS, ids=["phone", "desktop"])
def screen(browser, request):  # type: ignore[no-untyped-def]
    """(browser context, width): one context per width, shared by that width's pages."""
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 900})
    yield context, width
    context.close()


@pytest.fixture
def tab(screen, site):  # type: ignore[no-untyped-def]
    """A new tab in the width's context; fails the test on a console error or a request to
    another host."""
    # Another module's app may have configured other languages since this server was made.
    languages.configure_from_settings(Settings())
    context, width = screen
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda r: None if r.url.startswith((site.url, "data:", "blob:")) else outside.append(r.url),
    )
    yield page, width
    page.close()
    ignorable = ("the server responded with a status of 404",)  # the 404 page's own status
    assert [e for e in errors if not any(i in e for i in ignorable)] == []
    assert outside == []


def open_screen(page, url: str, language: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=90_000)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == language


def page_title(page) -> str:  # type: ignore[no-untyped-def]
    """The <title> as the page has it once drawn (served with the page, or set by the router
    once the page is drawn: either way before the network is idle)."""
    return page.title().strip()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_kind_fits_the_screen_and_is_axe_clean(site, tab, kind, language, request):
    page, width = tab
    reason = known_failure(kind, width, language)
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    open_screen(page, f"{site.url}{PAGES[kind]}?lang={language}", language)
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_have_count(1)
    assert skip_link.get_attribute("href") == "#main-content"
    expect(page.locator("#main-content")).to_have_count(1)
    title = page_title(page)
    assert title, "the page has no <title>"
    TITLES[(kind, language)] = title
    assert axe_violations(page) == []
    # Nothing wider than the screen (a table may scroll inside its own region).
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("kind", list(PAGES))
def test_each_page_kind_has_a_title_of_its_own_in_each_language(site, browser, kind, request):
    """The titles seen above (read now for those screens that did not run) differ from every
    other page kind's and language's."""
    reason = known_failure(f"{kind}-title", None, None)
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    missing = [(k, lang) for k in PAGES for lang in LANGUAGES if (k, lang) not in TITLES]
    if missing:
        languages.configure_from_settings(Settings())
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            for other, language in missing:
                page = context.new_page()
                open_screen(page, f"{site.url}{PAGES[other]}?lang={language}", language)
                TITLES[(other, language)] = page_title(page)
                page.close()
        finally:
            context.close()
    for language in LANGUAGES:
        title = TITLES[(kind, language)]
        shared = [
            key for key, other in TITLES.items() if other == title and key != (kind, language)
        ]
        assert shared == [], f"{kind} in {language}: {title!r} is also the title of {shared}"
