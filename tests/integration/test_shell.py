"""The frame of every page (issue 13): the government's identity, the site menu with the current
page marked, breadcrumbs, and a <title> per page and language, in the first HTML and in the
router's answer alike."""

from __future__ import annotations

import html
import json
import re

import pytest

from dashboard.core.settings import Settings, SettingsError
from dashboard.infra import db
from dashboard.web.factory import create_app
from tests.components import router_request


@pytest.fixture(scope="module")
def client(demo_store):
    app = create_app(Settings(database_url=demo_store))
    yield app.server.test_client()
    db.dispose_all()


def _title(body: str) -> str:
    found = re.search(r"<title>(.*?)</title>", body, flags=re.S)
    assert found, body[:500]
    return html.unescape(found.group(1).strip())


TITLES = {
    ("/", "en"): "Customer service performance — State of Example",
    (
        "/agency/dmv",
        "en",
    ): "Department of Motor Vehicles — customer service results — State of Example",
    (
        "/agency/dmv",
        "es",
    ): "Departamento de Vehículos Motorizados — resultados de atención al público "
    "— Estado de Ejemplo",
    ("/agency/dmv/driver-license-renewal", "en"): "Driver License Renewal — Department of Motor "
    "Vehicles — State of Example",
    ("/review", "en"): "Quarterly review — State of Example",
    ("/review", "es"): "Revisión trimestral — Estado de Ejemplo",
    ("/methodology", "en"): "Methodology — State of Example",
    ("/data", "es"): "Datos abiertos — Estado de Ejemplo",
    ("/changes", "en"): "What changed — State of Example",
    ("/nowhere", "en"): "Page not found — State of Example",
    ("/nowhere", "es"): "Página no encontrada — Estado de Ejemplo",
}


@pytest.mark.parametrize(("path", "language"), list(TITLES))
def test_the_first_html_names_the_page_in_its_language(client, path, language):
    response = client.get(path + ("" if language == "en" else f"?lang={language}"))
    assert response.status_code == (404 if path == "/nowhere" else 200)
    assert _title(response.get_data(as_text=True)) == TITLES[(path, language)]


def test_titles_differ_per_page_and_language(client):
    seen = {
        _title(client.get(path + f"?lang={language}").get_data(as_text=True))
        for path in ("/", "/agency/dmv", "/review", "/methodology", "/data", "/changes")
        for language in ("en", "es")
    }
    assert len(seen) == 12


def _router_frame(client, path: str, search: str = "") -> list:
    answer = client.post("/_dash-update-component", json=router_request(path, search)).get_json()
    return answer["response"]["page"]["children"]


def _props(node) -> dict:
    return node.get("props", {}) if isinstance(node, dict) else {}


def _nodes(frame) -> list[dict]:
    found: list[dict] = []

    def visit(node) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict) and "props" in node:
            found.append(node)
            visit(node["props"].get("children"))

    visit(frame)
    return found


def test_the_router_sets_the_title_and_marks_the_current_page(client):
    frame = _router_frame(client, "/review", "?lang=es")
    nodes = _nodes(frame)
    main = next(n for n in nodes if _props(n).get("id") == "main-content")
    assert main["props"]["data-page-title"] == "Revisión trimestral — Estado de Ejemplo"
    menu = next(n for n in nodes if _props(n).get("id") == "site-menu")
    assert menu["props"]["aria-label"] == "Menú del sitio"
    links = [n for n in _nodes(menu) if n["type"] == "A"]
    assert [link["props"]["href"] for link in links] == [
        "/?lang=es",
        "/compare?lang=es",
        "/equity?lang=es",
        "/review?lang=es",
        "/changes?lang=es",
        "/methodology?lang=es",
        "/data?lang=es",
    ]
    current = [link["props"]["id"] for link in links if link["props"].get("aria-current")]
    assert current == ["review-link"]


def test_inner_pages_have_breadcrumbs_ending_at_the_page(client):
    nodes = _nodes(_router_frame(client, "/methodology"))
    trail = next(n for n in nodes if "site-breadcrumbs" in (_props(n).get("className") or ""))
    assert trail["type"] == "Nav" and trail["props"]["aria-label"] == "Breadcrumb"
    items = [n for n in _nodes(trail) if n["type"] == "Li"]
    assert items[-1]["props"]["aria-current"] == "page"
    assert items[-1]["props"]["children"] == "Methodology"
    assert _nodes(items[0])[1]["props"]["href"] == "/?lang=en"


def test_an_agency_page_marks_its_section(client):
    nodes = _nodes(_router_frame(client, "/agency/dmv"))
    agencies = next(n for n in nodes if _props(n).get("id") == "agencies-link")
    assert agencies["props"]["aria-current"] == "true"
    assert not any("site-breadcrumbs" in (_props(n).get("className") or "") for n in nodes)


def test_the_header_shows_the_identity_and_the_theme_colours(client):
    body = client.get("/").get_data(as_text=True)
    assert "--cx-primary:#1b3a5c" in body
    nodes = _nodes(_router_frame(client, "/"))
    logo = next(n for n in nodes if n["type"] == "Img")
    assert logo["props"]["src"] == "/assets/identity/state-of-example.svg"
    assert logo["props"]["alt"] == ""  # the name is written beside it
    assert any(_props(n).get("children") == "State of Example" for n in nodes)
    assert client.get("/assets/identity/state-of-example.svg").status_code == 200


def test_footer_links_and_contact_come_from_the_settings(demo_store):
    settings = Settings.from_env(
        {
            "DATABASE_URL": demo_store,
            "GOVERNMENT_NAME": "State of Oregon",
            "FOOTER_LINKS": "Accessibility|https://www.oregon.gov/accessibility;Privacy|/privacy",
            "CONTACT_TEXT": "Questions: <webmaster@example.gov>",
            "THEME_LOGO": "",
        }
    )
    client = create_app(settings).server.test_client()
    body = client.get("/methodology").get_data(as_text=True)
    assert _title(body) == "Methodology — State of Oregon"
    frame = _router_frame(client, "/methodology")
    links = {n["props"]["children"]: n["props"]["href"] for n in _nodes(frame) if n["type"] == "A"}
    assert links["Accessibility"] == "https://www.oregon.gov/accessibility"
    assert links["Privacy"] == "/privacy"
    assert any(
        _props(n).get("children") == "Questions: <webmaster@example.gov>" for n in _nodes(frame)
    )
    assert not any(n["type"] == "Img" for n in _nodes(frame))
    db.dispose_all()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"THEME_PRIMARY_COLOR": "#88aaff"},
            "THEME_PRIMARY_COLOR='#88aaff' has a contrast of 2.27:1",
        ),
        ({"THEME_PRIMARY_COLOR": "navy"}, "THEME_PRIMARY_COLOR='navy' is not a hex colour"),
        ({"THEME_ACCENT_COLOR": "#23466b"}, "THEME_ACCENT_COLOR='#23466b' has a contrast of"),
        ({"FOOTER_LINKS": "Home|javascript:alert(1)"}, "must be an http(s):// address"),
        ({"FOOTER_LINKS": "no bar here"}, "must be Label|URL"),
        ({"THEME_LOGO": "https://cdn.example.com/seal.png"}, "never loaded from another host"),
        ({"THEME_LOGO": "identity/missing.svg"}, "no such file under assets/"),
    ],
)
def test_a_bad_theme_refuses_to_start_with_a_clear_message(env, message):
    with pytest.raises(SettingsError) as refused:
        create_app(Settings.from_env({"SECRET_KEY": "x" * 32, **env}))
    assert message in str(refused.value)


@pytest.mark.parametrize("language", ["en", "es"])
def test_scorecard_percentages_have_the_same_decimals(client, language):
    """ "97%" never stands beside "97.1%" (issue 13): every percentage keeps its decimal."""
    values = [
        n["props"]["children"]
        for n in _nodes(_router_frame(client, "/", f"?lang={language}"))
        if "scorecard-value" in (_props(n).get("className") or "")
        and isinstance(_props(n).get("children"), str)
        and "%" in n["props"]["children"]
    ]
    assert len(values) > 20
    assert all(re.fullmatch(r"\d+\.\d{1,2}%", value) for value in values), values


def test_a_search_says_which_service_matched(client):
    nodes = _nodes(_router_frame(client, "/", "?q=renewal"))
    matched = [n for n in nodes if "matched-services" in (_props(n).get("className") or "")]
    assert len(matched) == 3
    names = [link["props"]["children"] for block in matched for link in _nodes(block)[1:]]
    assert "Driver License Renewal" in names
    count = next(n for n in nodes if _props(n).get("id") == "scorecard-count")
    assert "3 services match “renewal”." in json.dumps(
        count["props"]["children"], ensure_ascii=False
    )
