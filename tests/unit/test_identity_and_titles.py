"""The government identity's checks, the site menu, page titles and side-by-side figures
(issue 13: trust and findability)."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.core import theme
from dashboard.core.settings import Settings, SettingsError
from dashboard.domain import navigation
from dashboard.domain.formatting import format_measure
from dashboard.domain.targets import TargetSpec
from dashboard.views.home import ServiceMatch, matches_by_agency

# -- colours ---------------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag_reference_values():
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # The figure: Bootstrap's link blue on the phone scorecard's grey rows.
    assert theme.contrast_ratio("#0d6efd", "#f1f3f5") == pytest.approx(4.04, abs=0.01)
    assert theme.contrast_ratio("#0a58ca", "#f1f3f5") >= 4.5


@pytest.mark.parametrize(("raw", "parsed"), [("#1B3A5C", "#1b3a5c"), (" #fff ", "#ffffff")])
def test_hex_colours_are_normalised(raw, parsed):
    assert theme.hex_colour("X", raw) == parsed


@pytest.mark.parametrize("raw", ["navy", "#12345", "1b3a5c", "#1b3a5cff", "rgb(0,0,0)"])
def test_anything_but_a_hex_colour_is_refused(raw):
    with pytest.raises(theme.ThemeError, match=r"X=.* is not a hex colour"):
        theme.hex_colour("X", raw)


def test_the_default_theme_passes_and_a_pale_primary_or_a_dull_accent_does_not():
    theme.check_colours("#1b3a5c", "#ffbf47")
    with pytest.raises(theme.ThemeError, match=r"THEME_PRIMARY_COLOR='#3b82f6'.*3\.68:1.*4\.5:1"):
        theme.check_colours("#3b82f6", "#ffffff")
    with pytest.raises(theme.ThemeError, match=r"THEME_ACCENT_COLOR='#2b4a6c'.*3\.0:1"):
        theme.check_colours("#1b3a5c", "#2b4a6c")


# -- links and logo --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://www.example.gov/a11y", True),
        ("http://example.gov", True),
        ("/privacy", True),
        ("//evil.example", False),
        ("javascript:alert(1)", False),
        ("data:text/html,hi", False),
        ("https://exa mple.gov", False),
        ("privacy", False),
    ],
)
def test_only_http_or_site_links(url, safe):
    assert theme.is_safe_url(url) is safe


def test_footer_links_are_label_bar_url_separated_by_semicolons():
    links = theme.footer_links(
        "FOOTER_LINKS", "Accessibility|https://x.gov/a ; Privacy | /privacy;"
    )
    assert links == (
        theme.FooterLink("Accessibility", "https://x.gov/a"),
        theme.FooterLink("Privacy", "/privacy"),
    )
    assert theme.footer_links("FOOTER_LINKS", "") == ()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("https://cdn.example.com/seal.svg", "never loaded from another host"),
        ("//cdn.example.com/seal.svg", "not another host"),
        ("../secret.svg", "inside assets/"),
        ("identity/seal.txt", "must be an image"),
    ],
)
def test_a_logo_is_served_by_this_site(raw, message):
    with pytest.raises(theme.ThemeError, match=message):
        theme.logo_path("THEME_LOGO", raw)


def test_logo_urls():
    assert theme.logo_url("identity/seal.svg") == "/assets/identity/seal.svg"
    assert theme.logo_url("/static/seal.png") == "/static/seal.png"
    assert theme.logo_url("") is None


def test_settings_read_the_theme_and_refuse_a_bad_one():
    settings = Settings.from_env(
        {
            "GOVERNMENT_NAME": "State of Oregon",
            "GOVERNMENT_NAME_TRANSLATIONS": "es=Estado de Oregón",
            "THEME_PRIMARY_COLOR": "#004B87",
            "FOOTER_LINKS": "Privacy|/privacy",
            "THEME_LOGO": "",
        }
    )
    assert settings.theme_primary_color == "#004b87"
    assert settings.government_in("es") == "Estado de Oregón"
    assert settings.government_in("fr") == "State of Oregon"
    assert settings.footer_links == (theme.FooterLink("Privacy", "/privacy"),)
    assert settings.theme_logo == ""
    default = Settings.from_env({})
    assert default.government_in("es") == "Estado de Ejemplo"
    assert default.theme_logo == "identity/state-of-example.svg"
    with pytest.raises(SettingsError, match="THEME_PRIMARY_COLOR='#ffff00' has a contrast of"):
        Settings.from_env({"THEME_PRIMARY_COLOR": "#ff0"})
    with pytest.raises(SettingsError, match="GOVERNMENT_NAME_TRANSLATIONS"):
        Settings.from_env({"GOVERNMENT_NAME_TRANSLATIONS": "Estado de Oregón"})


# -- menu and titles -------------------------------------------------------------------------


def test_the_menu_is_one_ordered_list_with_unique_pages_and_ids():
    assert [item.page for item in navigation.MENU] == [
        "home",
        "compare",
        "equity",
        "review",
        "changes",
        "methodology",
        "open_data",
    ]
    assert len({item.link_id for item in navigation.MENU}) == len(navigation.MENU)


def test_the_current_page_and_its_section_are_marked():
    assert navigation.current_marks("review") == {"review": "page"}
    assert navigation.current_marks("agency") == {"home": "true"}
    assert navigation.current_marks(None) == {}
    assert navigation.current_marks("embed") == {}


def test_titles_name_the_page_then_the_government():
    assert (
        navigation.page_title("en", "State of Example", agency="Department of Motor Vehicles")
        == "Department of Motor Vehicles — customer service results — State of Example"
    )
    assert (
        navigation.page_title(
            "es", "Estado de Ejemplo", agency="Departamento de Hacienda", service="Reembolsos"
        )
        == "Reembolsos — Departamento de Hacienda — Estado de Ejemplo"
    )
    assert (
        navigation.page_title("es", "Estado de Ejemplo", page="Metodología")
        == "Metodología — Estado de Ejemplo"
    )
    assert navigation.page_title("en", "State of Example") == "State of Example"
    assert navigation.changes_heading("es", "Departamento de Hacienda") == (
        "Qué cambió: Departamento de Hacienda"
    )


# -- figures side by side --------------------------------------------------------------------


def test_a_percentage_keeps_its_decimal_beside_others():
    assert format_measure(0.97, "fraction", "en") == "97.0%"
    assert format_measure(0.9712, "fraction", "es") == "97.1%"
    assert format_measure(0.97, "fraction", "fr") == "97,0\u00a0%"
    assert format_measure(None, "fraction", "en") == "Not reported"
    # Never contradicting the status: 79.98% does not round up to a met 80.0%.
    target = TargetSpec(
        kind="numeric",
        comparator=">=",
        value=0.8,
        effective_from=dt.date(2020, 1, 1),
        effective_to=None,
    )
    assert format_measure(0.79982, "fraction", "en", target=target) == "79.98%"
    assert format_measure(45.0, "seconds", "en") == "45 s"


def test_service_matches_are_grouped_by_agency_in_order():
    found = [
        ServiceMatch("dmv", "renewal", "Driver license renewal", "DMV"),
        ServiceMatch("tax", "refund", "Refunds", "Tax"),
        ServiceMatch("dmv", "id", "REAL ID renewal", "DMV"),
    ]
    grouped = matches_by_agency(found)
    assert [m.service_slug for m in grouped["dmv"]] == ["renewal", "id"]
    assert [m.service_slug for m in grouped["tax"]] == ["refund"]


def test_the_breadcrumb_trail_leads_from_agencies_to_the_page():
    assert navigation.breadcrumb_trail("home", "en") == []
    assert navigation.breadcrumb_trail("agency", "en") == []
    assert navigation.breadcrumb_trail("review", "es") == [
        ("Agencias", "/"),
        (navigation.menu_label("review", "es"), None),
    ]
    assert navigation.breadcrumb_trail(None, "en")[-1] == (
        navigation.not_found_heading("en"),
        None,
    )
    assert navigation.breadcrumb_trail("changes", "en", "Parks") == [
        ("Agencies", "/"),
        ("What changed", "/changes"),
        ("What changed: Parks", None),
    ]
