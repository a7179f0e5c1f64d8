"""Where a reader is: the site menu's pages and each page's ``<title>``.

The menu is one list (:data:`MENU`), in order, so that a new page (compare agencies...) is
one more entry. A title names the page first, then the government ("Department of Motor
Vehicles — customer service results — State of Example"), so that browser tabs, bookmarks
and search results tell pages apart; it is set by the server on the first load and by the
router on every later one (``callbacks.router``).
"""

from __future__ import annotations

from typing import NamedTuple

from dashboard.core.i18n import P_, Messages, messages, t, translate

TEXT: Messages = messages(
    P_("nav_agencies", "Agencies"),
    P_("nav_review", "Quarterly review"),
    P_("nav_changes", "What changed"),
    P_("nav_methodology", "Methodology"),
    P_("nav_open_data", "Open data"),
    P_("nav_compare", "Compare agencies"),
    P_("nav_equity", "Equity"),
    P_("page_title", "{page} — {government}"),
    P_("agency_title", "{agency} — customer service results — {government}"),
    P_("service_title", "{service} — {agency} — {government}"),
    P_("changes_of_title", "What changed: {agency}"),
)


class MenuItem(NamedTuple):
    #: The route's page name (``dashboard.core.routes``), which marks the current item.
    page: str
    path: str
    #: Key of its label in :data:`TEXT`.
    label_key: str
    #: The link's id, which the tests and other pages' "see also" links name.
    link_id: str


#: The site menu, in order.
MENU: tuple[MenuItem, ...] = (
    MenuItem("home", "/", "nav_agencies", "agencies-link"),
    MenuItem("compare", "/compare", "nav_compare", "compare-link"),
    MenuItem("equity", "/equity", "nav_equity", "equity-link"),
    MenuItem("review", "/review", "nav_review", "review-link"),
    MenuItem("changes", "/changes", "nav_changes", "changes-link"),
    MenuItem("methodology", "/methodology", "nav_methodology", "methodology-link"),
    MenuItem("open_data", "/data", "nav_open_data", "open-data-link"),
)

#: Pages that sit under a menu item without being it (an agency's page under "Agencies").
SECTION_OF = {"agency": "home", "service": "home"}


def label(key: str, language: str) -> str:
    return translate(TEXT, key, language)


def menu_label(page: str, language: str) -> str | None:
    """The menu's name for ``page``, None for a page that is not in the menu."""
    item = next((item for item in MENU if item.page == page), None)
    return label(item.label_key, language) if item else None


def current_marks(page: str | None) -> dict[str, str]:
    """``aria-current`` for the menu: "page" on the page itself, "true" on the section an
    inner page belongs to (the agency and service pages under "Agencies")."""
    if page is None:
        return {}
    if any(item.page == page for item in MENU):
        return {page: "page"}
    section = SECTION_OF.get(page)
    return {section: "true"} if section else {}


def page_title(
    language: str,
    government: str,
    *,
    page: str | None = None,
    agency: str | None = None,
    service: str | None = None,
) -> str:
    """The ``<title>``: a service ("Driver license renewal — Department of Motor Vehicles —
    State of Example"), an agency ("… — customer service results — …"), any other page by
    its name ("Quarterly review — State of Example"), or the government alone."""
    if service and agency:
        return translate(
            TEXT, "service_title", language, service=service, agency=agency, government=government
        )
    if agency:
        return translate(TEXT, "agency_title", language, agency=agency, government=government)
    if page:
        return translate(TEXT, "page_title", language, page=page, government=government)
    return government


def breadcrumb_trail(
    page: str | None, language: str, agency: str | None = None
) -> list[tuple[str, str | None]]:
    """(name, path or None for the current page) of an inner page's breadcrumbs: none on home
    and on the agency and service pages (they draw their own), "Agencies" then the page
    elsewhere (``page`` None: the 404 page), with "What changed" between for one agency's
    changes."""
    if page in ("home", "agency", "service"):
        return []
    home = (label("nav_agencies", language), "/")
    if page is None:
        return [home, (not_found_heading(language), None)]
    if page == "changes" and agency:
        return [
            home,
            (label("nav_changes", language), "/changes"),
            (changes_heading(language, agency), None),
        ]
    return [home, (menu_label(page, language) or page, None)]


def changes_heading(language: str, agency: str | None) -> str:
    """The "What changed" page's name, for one agency or all."""
    if agency:
        return translate(TEXT, "changes_of_title", language, agency=agency)
    return label("nav_changes", language)


def home_heading(language: str) -> str:
    return t("home_title", language)


def not_found_heading(language: str) -> str:
    return t("not_found_title", language)
