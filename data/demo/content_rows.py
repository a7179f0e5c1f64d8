"""The demo's content, as rows of the content files (docs/import-content.md): the units, the
metric catalogue, actions taken (published and proposed), contact points with their hours,
and closures (posted ones and the next public holidays)."""

from __future__ import annotations

import datetime as dt

import holidays

from dashboard.core.settings import Settings
from data import demo_content as content
from data.demo.timeline import Row, Timeline, Timing, unit_columns

#: The metric catalogue's columns, as import-metrics reads them.
METRIC_FIELDS = (
    "code", "name_en", "name_es", "dimension", "scale", "direction", "norm_best",
    "norm_worst", "definition_en", "definition_es", "method_en", "method_es",
    "data_source_en", "data_source_es", "target_setting_en", "target_setting_es",
    "is_survey", "headline",
)  # fmt: skip


def unit_rows() -> list[Row]:
    rows: list[Row] = [
        {
            "slug": content.ENTERPRISE_SLUG,
            "kind": "enterprise",
            "code": "EX",
            "name_en": content.GOVERNMENT_NAME_EN,
            "name_es": content.GOVERNMENT_NAME_ES,
            "description_en": "Customer service results of every state agency.",
            "description_es": "Resultados del servicio al público de todas las agencias estatales.",
            "website": content.WEBSITE,
        }
    ]
    for agency in content.AGENCIES:
        rows.append(
            {
                "slug": agency.slug,
                "kind": "agency",
                "parent": content.ENTERPRISE_SLUG,
                "code": agency.code,
                "name_en": agency.name_en,
                "name_es": agency.name_es,
                "description_en": agency.description_en,
                "description_es": agency.description_es,
                "website": f"{content.WEBSITE}/{agency.slug}",
            }
        )
        for service in agency.services:
            rows.append(
                {
                    "slug": service.slug,
                    "kind": "service",
                    "parent": agency.slug,
                    "code": service.code,
                    "name_en": service.name_en,
                    "name_es": service.name_es,
                    "description_en": service.description_en,
                    "description_es": service.description_es,
                    "website": f"{content.WEBSITE}/{agency.slug}/{service.slug}",
                }
            )
    return rows


def metric_rows() -> list[Row]:
    return [{column: getattr(spec, column) for column in METRIC_FIELDS} for spec in content.METRICS]


def action_rows(timings: list[Timing]) -> list[Row]:
    """Published actions, and proposed ones (drafts: they carry an internal note)."""
    rows = []
    for timing in timings:
        spec = timing.spec
        agency = timing.agency
        path = agency if spec.unit == agency else f"{agency}/{spec.unit}"
        rows.append(
            {
                **unit_columns(spec.unit),
                "id": spec.key,
                "title_en": spec.title_en,
                "title_es": spec.title_es,
                "description_en": spec.description_en,
                "description_es": spec.description_es,
                "status": timing.status,
                "started_on": timing.started_on,
                "completed_on": timing.completed_on,
                "link": None
                if spec.internal_note
                else f"{content.WEBSITE}/{path}/improvements/{spec.key}",
                "measures": ";".join(spec.metrics),
                "internal_note": spec.internal_note,
            }
        )
    return rows


# -- contact points and closures -------------------------------------------------------------


def _clock_en(minutes: int) -> str:
    hour, minute = divmod(minutes, 60)
    suffix = "a.m." if hour % 24 < 12 else "p.m."
    return f"{hour % 12 or 12}:{minute:02d} {suffix}"


def _clock_es(minutes: int) -> str:
    hour, minute = divmod(minutes, 60)
    return f"{hour}:{minute:02d}"


def business_hours_text(business_hours: tuple[int, int]) -> tuple[str, str]:
    """("Mon–Fri 8:00 a.m.–5:00 p.m.", "lun.–vie. 8:00–17:00") from the settings' hours."""
    opens, closes = business_hours
    return (
        f"Mon–Fri {_clock_en(opens)}–{_clock_en(closes)}",
        f"lun.–vie. {_clock_es(opens)}–{_clock_es(closes)}",
    )


ONLINE_HOURS = (
    "Open 24 hours a day; we reply within one business day.",
    "Disponible las 24 horas; respondemos en un día hábil.",
)

#: Lines run by a service rather than its agency: (service, label EN, label ES, number, hours).
SERVICE_LINES = (
    ("unemployment-claims", "Claims line", "Línea de solicitudes", "(800) 555-0150", None),
    (
        "tax-refunds",
        "Refund status line (automated)",
        "Línea automática de estado del reembolso",
        "(800) 555-0151",
        ("24 hours a day, 7 days a week", "las 24 horas, los 7 días de la semana"),
    ),
    (
        "medicaid-enrollment",
        "Renewal help line",
        "Línea de ayuda para renovaciones",
        "(800) 555-0152",
        None,
    ),
)


def contact_rows(timeline: Timeline, settings: Settings) -> tuple[list[Row], list[Row]]:
    """Contact points (keyed by unit and id) and the closures that name them."""
    hours = business_hours_text(settings.business_hours)
    points: list[Row] = []
    by_agency: dict[str, list[Row]] = {}
    for number, agency in enumerate(content.AGENCIES, start=1):
        base = f"{content.WEBSITE}/{agency.slug}"
        appointment = (
            f"Book an appointment at {base}/appointments or call {agency.phone_number}. "
            "Walk-in customers are served as time allows.",
            f"Reserve una cita en {base}/appointments o llame al {agency.phone_number}. "
            "Se atiende sin cita según la disponibilidad.",
        )
        agency_points: list[Row] = [
            {
                "id": "phone",
                "channel": "phone",
                "label_en": "Customer service line",
                "label_es": "Línea de atención al cliente",
                "value": agency.phone_number,
                "hours_en": hours[0],
                "hours_es": hours[1],
                "languages": agency.languages,
            }
        ]
        for office_number, office in enumerate(agency.offices, start=1):
            agency_points.append(
                {
                    "id": f"office-{office_number}",
                    "channel": "walk_in",
                    "label_en": office.label_en,
                    "label_es": office.label_es,
                    "address": office.address,
                    "hours_en": office.hours_en or hours[0],
                    "hours_es": office.hours_es or hours[1],
                    "appointment_en": appointment[0],
                    "appointment_es": appointment[1],
                    "languages": agency.languages,
                }
            )
        agency_points.append(
            {
                "id": "mail",
                "channel": "mail",
                "label_en": "Mailing address",
                "label_es": "Dirección postal",
                "address": f"{agency.name_en}, PO Box {1000 + number}, Capitol City, EX 90001",
            }
        )
        agency_points.append(
            {
                "id": "web-form",
                "channel": "web_form",
                "label_en": "Online contact form",
                "label_es": "Formulario de contacto en línea",
                "value": f"{base}/contact",
                "hours_en": ONLINE_HOURS[0],
                "hours_es": ONLINE_HOURS[1],
                "languages": "en,es",
            }
        )
        agency_points.append(
            {
                "id": "email",
                "channel": "email",
                "label_en": "Email",
                "label_es": "Correo electrónico",
                "value": f"{agency.slug}.help@example.gov",
                "hours_en": ONLINE_HOURS[0],
                "hours_es": ONLINE_HOURS[1],
                "languages": "en,es",
            }
        )
        if agency.text_line:
            agency_points.append(
                {
                    "id": "text",
                    "channel": "text",
                    "label_en": "Text message line",
                    "label_es": "Línea de mensajes de texto",
                    "value": f"(800) 555-{160 + number:04d}",
                    "hours_en": hours[0],
                    "hours_es": hours[1],
                    "languages": "en,es",
                }
            )
        if agency.video:
            agency_points.append(
                {
                    "id": "video",
                    "channel": "video",
                    "label_en": "Video appointment",
                    "label_es": "Cita por video",
                    "value": f"{base}/video",
                    "hours_en": hours[0],
                    "hours_es": hours[1],
                    "appointment_en": f"Book a video appointment at {base}/video.",
                    "appointment_es": f"Reserve una cita por video en {base}/video.",
                    "languages": agency.languages,
                }
            )
        for order, point in enumerate(agency_points):
            point.update(unit_columns(agency.slug), sort_order=order)
        by_agency[agency.slug] = agency_points
        points.extend(agency_points)

    for slug, label_en, label_es, phone, line_hours in SERVICE_LINES:
        line_hours = line_hours or hours
        points.append(
            {
                **unit_columns(slug),
                "id": "phone",
                "channel": "phone",
                "label_en": label_en,
                "label_es": label_es,
                "value": phone,
                "hours_en": line_hours[0],
                "hours_es": line_hours[1],
                "languages": "en,es",
                "sort_order": 0,
            }
        )

    closures = [
        _closure(number, spec, by_agency, timeline)
        for number, spec in enumerate(content.CLOSURES, start=1)
    ]
    closures.extend(_holiday_closures(timeline, settings))
    return points, closures


def _closure(
    number: int, spec: content.ClosureSpec, by_agency: dict[str, list[Row]], timeline: Timeline
) -> Row:
    points = by_agency[spec.agency]
    point = None
    if isinstance(spec.contact, int):
        point = [p for p in points if p["channel"] == "walk_in"][spec.contact]
    elif isinstance(spec.contact, str):
        point = next(p for p in points if p["channel"] == spec.contact)
    return {
        **unit_columns(spec.agency),
        "id": f"closure-{number}",
        "contact_point": None if point is None else point["id"],
        "starts_on": timeline.today + dt.timedelta(days=spec.first),
        "ends_on": timeline.today + dt.timedelta(days=spec.last),
        "reason_en": spec.reason_en,
        "reason_es": spec.reason_es,
    }


def _holiday_name_es(name: str) -> str:
    parts = []
    for part in name.split("; "):
        observed = part.endswith(" (observed)")
        base = part.removesuffix(" (observed)")
        spanish = content.HOLIDAY_NAMES_ES.get(base, base)
        parts.append(f"{spanish} (día feriado trasladado)" if observed else spanish)
    return "; ".join(parts)


def _holiday_closures(timeline: Timeline, settings: Settings) -> list[Row]:
    """All state offices close on the next public holidays that fall on a weekday."""
    calendar = holidays.country_holidays(
        settings.holiday_country,
        subdiv=settings.holiday_subdivision,
        years=[timeline.today.year, timeline.today.year + 1],
    )
    upcoming = sorted(
        (day, name) for day, name in calendar.items() if day > timeline.today and day.weekday() < 5
    )[: content.HOLIDAY_CLOSURES]
    return [
        {
            **unit_columns(content.ENTERPRISE_SLUG),
            "id": f"holiday-{day.isoformat()}",
            "starts_on": day,
            "ends_on": day,
            "reason_en": f"All state offices and phone lines closed for {name}.",
            # "cierran por Año Nuevo" lacks its article, and a holiday's name may stay in
            # English when it has no Spanish one: the name follows a colon instead.
            "reason_es": (
                "Todas las oficinas y líneas telefónicas del estado cierran por el día feriado: "
                f"{_holiday_name_es(name)}."
            ),
        }
        for day, name in upcoming
    ]
