"""Interface text in English and Spanish.

Agency-provided text (names, promises, actions) lives in the store with ``_en`` / ``_es``
columns; this module holds only the words of the interface itself.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "es")

MESSAGES: dict[str, dict[str, str]] = {
    "skip_to_content": {"en": "Skip to main content", "es": "Saltar al contenido principal"},
    "site_tagline": {
        "en": "How well government serves the public",
        "es": "Qué tan bien atiende el gobierno al público",
    },
    "language_switch": {"en": "Español", "es": "English"},
    "language_switch_label": {"en": "Ver en español", "es": "View in English"},
    "home_title": {"en": "Customer service performance", "es": "Desempeño del servicio al público"},
    "home_intro": {
        "en": (
            "Each agency posts the service levels it promises the public. This dashboard shows "
            "how well it keeps those promises: accuracy, responsiveness, timeliness and "
            "satisfaction, and the actions it takes to improve."
        ),
        "es": (
            "Cada agencia publica los niveles de servicio que promete al público. Este panel "
            "muestra qué tan bien cumple esas promesas: exactitud, capacidad de respuesta, "
            "puntualidad y satisfacción, y las acciones que toma para mejorar."
        ),
    },
    "agencies_heading": {"en": "Agencies", "es": "Agencias"},
    "services_count": {"en": "{n} services", "es": "{n} servicios"},
    "services_count_one": {"en": "1 service", "es": "1 servicio"},
    "no_agencies": {
        "en": "No agencies have been loaded yet. Run `cxdash demo` or `cxdash import`.",
        "es": "Aún no se han cargado agencias. Ejecute `cxdash demo` o `cxdash import`.",
    },
    "data_as_of": {"en": "Data as of {date}", "es": "Datos al {date}"},
    "last_updated": {"en": "Last updated {date}", "es": "Última actualización: {date}"},
    "no_data_yet": {"en": "No published data yet", "es": "Aún no hay datos publicados"},
    "not_found_title": {"en": "Page not found", "es": "Página no encontrada"},
    "store_unavailable_title": {
        "en": "The dashboard is unavailable for a moment",
        "es": "El tablero no está disponible por un momento",
    },
    "store_unavailable_body": {
        "en": "Its figures cannot be read right now. Please try again in a few minutes.",
        "es": "Sus cifras no se pueden leer en este momento. Vuelva a intentarlo en unos minutos.",
    },
    "not_found_body": {
        "en": "We could not find the page {path}. It may have moved, or the address may be wrong.",
        "es": "No encontramos la página {path}. Puede haberse movido o la dirección es incorrecta.",
    },
    "back_home": {"en": "Go to the overview of all agencies", "es": "Ir al resumen de agencias"},
    "methodology_link": {
        "en": "How the figures are measured (methodology)",
        "es": "Cómo se miden las cifras (metodología)",
    },
    "footer_source": {
        "en": "Figures are published by each agency. Drafts are never shown.",
        "es": "Las cifras las publica cada agencia. Nunca se muestran borradores.",
    },
    "noscript": {
        "en": "This dashboard needs JavaScript to show its figures.",
        "es": "Este panel necesita JavaScript para mostrar sus cifras.",
    },
    "loading": {"en": "Loading…", "es": "Cargando…"},
    "review_link": {
        "en": "Quarterly review: this quarter against the last, and the review pack (PDF)",
        "es": "Revisión trimestral: este trimestre frente al anterior y el paquete (PDF)",
    },
    "open_data_link": {
        "en": "Open data: download all figures, or use the API",
        "es": "Datos abiertos: descargue todas las cifras o use la API",
    },
}


def normalize_language(value: str | None, default: str = "en") -> str:
    value = (value or "").strip().lower()[:2]
    return value if value in LANGUAGES else default


def translate(
    table: Mapping[str, Mapping[str, str]], key: str, language: str, **values: object
) -> str:
    """``table[key]`` in ``language`` (English when that language is missing), with ``values``
    filled in. Every module's own text table is read through this one rule."""
    entry = table[key]
    text = entry.get(language) or entry["en"]
    return text.format(**values) if values else text


def t(key: str, language: str, **values: object) -> str:
    """The interface text ``key`` in ``language`` (English when Spanish is missing)."""
    return translate(MESSAGES, key, language, **values)
