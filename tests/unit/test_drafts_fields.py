"""The checks of the workspace's content forms (data.drafts): every kind of field, and what
is refused, with the field, language and value named. No database: a Scope stands for what
the agency has."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.infra.models import CHANNELS, Action
from data.drafts import FORM_FIELDS, ContactPointChoice, FormOptions, field_choices
from data.drafts.checks import MetricRef, RowRef, Scope, check_values, hours_to_form
from data.drafts.forms import FIELD_KINDS, spec_of
from data.drafts.store import target_value_text

LANGUAGES = ("en", "es")
AGENCY, SERVICE, OTHER_UNIT = 10, 11, 20


def scope(**rows: RowRef) -> Scope:
    share = MetricRef(1, "csat", "fraction", "higher", "Satisfaction")
    days = MetricRef(2, "days", "business_days", "lower", "Days")
    return Scope(
        AGENCY,
        {AGENCY: "Motor Vehicles", SERVICE: "Licensing"},
        metrics={"csat": share, "days": days},
        target_metrics={"csat": share, "days": days},
        contact_points={100: AGENCY, 101: SERVICE},
        rows={row.id: row for row in rows.values()},
    )


def action(**extra: object) -> dict[str, object]:
    return {
        "unit_id": str(AGENCY),
        "title": {"en": "Shorter forms", "es": "Formularios cortos"},
        "status": "planned",
        "started_on": "2026-02-01",
        **extra,
    }


def problems(kind: str, values: dict[str, object], row_id: int | None = None, **rows: RowRef):
    checked = check_values(kind, values, scope(**rows), row_id=row_id, languages=LANGUAGES)
    return [(p.field, p.language, p.value, p.reason) for p in checked.problems]


def fields(kind: str, values: dict[str, object], **rows: RowRef) -> list[str | None]:
    return [field for field, *_ in problems(kind, values, **rows)]


# -- the forms' description --------------------------------------------------------------------


def test_every_form_is_described_with_known_field_kinds():
    assert set(FORM_FIELDS) == {"actions", "contact_points", "closures", "targets"}
    for specs in FORM_FIELDS.values():
        assert all(spec.kind in FIELD_KINDS for spec in specs)
        assert len({spec.name for spec in specs}) == len(specs)
        assert specs[0].name == "unit_id" and specs[0].kind == "unit"
    assert spec_of("actions", "title").max_length == Action.TEXT_LENGTHS["title"] == 300
    assert spec_of("actions", "title").translated and spec_of("actions", "title").required
    assert spec_of("actions", "code").max_length == 80
    assert spec_of("contact_points", "value").max_length == 300
    assert not spec_of("actions", "internal_note").translated
    assert spec_of("contact_points", "hours").kind == "hours"
    assert spec_of("contact_points", "hours_text").translated
    assert tuple(name for name, _ in spec_of("contact_points", "channel").choices) == CHANNELS


def test_agency_choices_come_from_the_options():
    options = FormOptions(
        AGENCY,
        ((str(AGENCY), "Motor Vehicles"),),
        (("csat", "Satisfaction (csat)"),),
        (("days", "Days (days)"),),
        {},
        (
            ContactPointChoice("100", "Main line", AGENCY),
            ContactPointChoice("101", "Desk", SERVICE),
        ),
    )
    assert field_choices("targets", spec_of("targets", "metric"), options) == (
        ("days", "Days (days)"),
    )
    assert field_choices("actions", spec_of("actions", "metrics"), options) == options.metrics
    point = spec_of("closures", "contact_point_id")
    assert field_choices("closures", point, options, unit_id=SERVICE) == (("101", "Desk"),)
    assert field_choices("actions", spec_of("actions", "status"), options)[0][0] == "planned"


# -- text, languages, lengths --------------------------------------------------------------------


def test_a_clean_action_passes_and_comes_back_clean():
    checked = check_values(
        "actions",
        action(metrics=["csat", "csat", "days"], link=" https://dmv.example.gov/a "),
        scope(),
        row_id=None,
        languages=LANGUAGES,
    )
    assert checked.problems == []
    assert checked.values["unit_id"] == AGENCY
    assert checked.values["started_on"] == dt.date(2026, 2, 1)
    assert checked.values["metrics"] == ["csat", "days"]
    assert checked.values["link"] == "https://dmv.example.gov/a"
    assert checked.values["title"] == {"en": "Shorter forms", "es": "Formularios cortos"}
    assert checked.values["description"] == {"en": None, "es": None}


def test_the_required_text_is_needed_in_the_default_language():
    assert problems("actions", action(title={"en": "  ", "es": "Solo español"})) == [
        ("title", "en", "  ", "required in the default language")
    ]
    assert problems(
        "closures", {"unit_id": AGENCY, "starts_on": "2030-01-01", "ends_on": "2030-01-01"}
    )[0][:2] == ("reason", "en")
    # A too-long Spanish title does not hide the missing English one.
    both = problems("actions", action(title={"es": "x" * 301}))
    assert [(f, lang) for f, lang, *_ in both] == [("title", "es"), ("title", "en")]


def test_lengths_and_control_characters_and_languages_are_checked():
    long_title = "x" * 301
    assert problems("actions", action(title={"en": "Fine", "es": long_title})) == [
        ("title", "es", long_title, "too long: 301 characters, at most 300 are allowed")
    ]
    assert fields("actions", action(code="c" * 81)) == ["code"]
    assert fields("actions", action(description={"en": "bad\x00byte"})) == ["description"]
    found = problems("actions", action(title={"en": "Fine", "de": "Gut"}))
    assert [(f, lang) for f, lang, *_ in found] == [("title", "de")]
    assert "does not publish" in found[0][3]
    assert fields("actions", action(title=42)) == ["title"]


# -- dates, statuses, links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field", "reason"),
    [
        ({"started_on": "2026-02-30"}, "started_on", "not a valid date"),
        ({"started_on": "next week"}, "started_on", "not a date"),
        ({"started_on": ""}, "started_on", "required"),
        ({"status": "completed"}, "completed_on", "required when the status is completed"),
        ({"completed_on": "2026-03-01"}, "completed_on", "only a completed action"),
        (
            {"status": "completed", "completed_on": "2026-01-01"},
            "completed_on",
            "comes before the start",
        ),
        ({"status": "done"}, "status", "not a status"),
        ({"link": "http://dmv.example.gov"}, "link", "only https://"),
        ({"link": "javascript:alert(1)"}, "link", "not a web address"),
        ({"link": "https://"}, "link", "not a web address"),
        ({"metrics": ["nope"]}, "metrics", "not found"),
    ],
)
def test_bad_action_values_are_named(extra, field, reason):
    [(found_field, language, _value, found_reason)] = problems("actions", action(**extra))
    assert (found_field, language) == (field, None)
    assert reason in found_reason


def test_in_progress_is_accepted_as_people_write_it():
    checked = check_values(
        "actions", action(status="in progress"), scope(), row_id=None, languages=LANGUAGES
    )
    assert checked.values["status"] == "in_progress"


def test_closure_dates_and_contact_point():
    base = {
        "unit_id": SERVICE,
        "starts_on": "2030-01-02",
        "ends_on": "2030-01-01",
        "reason": {"en": "Move"},
    }
    assert fields("closures", base) == ["ends_on"]
    ok = {**base, "ends_on": "2030-01-02"}
    assert fields("closures", {**ok, "contact_point_id": "101"}) == []
    assert problems("closures", {**ok, "contact_point_id": "100"})[0][0] == "contact_point_id"
    assert "another unit" in problems("closures", {**ok, "contact_point_id": "100"})[0][3]
    assert problems("closures", {**ok, "contact_point_id": "999"})[0][3] == "not found"


# -- hours -----------------------------------------------------------------------------------------


def point(**extra: object) -> dict[str, object]:
    return {"unit_id": AGENCY, "label": {"en": "Office"}, "channel": "walk_in", **extra}


def test_weekly_hours_become_the_importers_json():
    checked = check_values(
        "contact_points",
        point(
            hours={
                "mon": "09:00-12:00, 13:00-16:30",
                "tue": "9:00–16:30",
                "sat": "closed",
                "sun": "",
                "wed": None,
            }
        ),
        scope(),
        row_id=None,
        languages=LANGUAGES,
    )
    assert checked.problems == []
    assert checked.values["hours"] == {
        "mon": [["09:00", "12:00"], ["13:00", "16:30"]],
        "tue": [["09:00", "16:30"]],
        "sat": [],
    }
    assert hours_to_form(checked.values["hours"]) == {
        "mon": "09:00-12:00, 13:00-16:30",
        "tue": "09:00-16:30",
        "wed": "",
        "thu": "",
        "fri": "",
        "sat": "closed",
        "sun": "",
    }


@pytest.mark.parametrize(
    ("day", "text"),
    [
        ("mon", "9 to 5"),
        ("tue", "17:00-09:00"),
        ("wed", "25:00-26:00"),
        ("thu", "13:00-16:00, 09:00-12:00"),
        ("fri", "sometimes"),
    ],
)
def test_bad_hours_text_names_the_weekday(day, text):
    [(field, language, value, reason)] = problems("contact_points", point(hours={day: text}))
    assert (field, language, value) == (f"hours.{day}", None, text)
    assert reason


def test_an_unknown_weekday_and_a_bad_contact_value_are_refused():
    assert fields("contact_points", point(hours={"monday": "09:00-10:00"})) == ["hours.monday"]
    assert fields("contact_points", point(channel="email", value="not an address")) == ["value"]
    assert fields("contact_points", point(channel="web_form", value="https://x.gov/c")) == []
    assert fields("contact_points", point(channel="fax")) == ["channel"]
    assert fields("contact_points", point(languages="en; 12")) == ["languages"]
    assert fields("contact_points", point(sort_order="first")) == ["sort_order"]


# -- targets ---------------------------------------------------------------------------------------


def target(**extra: object) -> dict[str, object]:
    return {
        "unit_id": AGENCY,
        "metric": "csat",
        "kind": "numeric",
        "value": "80%",
        "effective_from": "2026-10-01",
        **extra,
    }


def test_a_target_value_is_read_in_the_metrics_scale():
    checked = check_values("targets", target(), scope(), row_id=None, languages=LANGUAGES)
    assert checked.problems == []
    assert checked.values["value"] == pytest.approx(0.8)
    assert checked.values["comparator"] == ">="
    lower = check_values(
        "targets", target(metric="days", value=10), scope(), row_id=None, languages=LANGUAGES
    )
    assert lower.values["comparator"] == "<=" and lower.values["value"] == 10
    assert target_value_text(0.8, "fraction") == "80%"
    assert target_value_text(10.0, "business_days") == "10"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"value": "140%"}, "value"),
        ({"value": "lots"}, "value"),
        ({"value": ""}, "value"),
        ({"kind": "baseline"}, "value"),
        ({"kind": "text", "value": ""}, "text"),
        ({"metric": "unknown"}, "metric"),
        ({"effective_to": "2026-09-30"}, "effective_to"),
        ({"comparator": "~"}, "comparator"),
        ({"value": True}, "value"),
    ],
)
def test_bad_targets_are_named(extra, field):
    assert fields("targets", target(**extra)) == [field]


def test_a_published_target_keeps_its_metric_and_start():
    published = RowRef(
        7, AGENCY, None, True, metric_code="csat", effective_from=dt.date(2026, 10, 1)
    )
    assert problems("targets", target(), row_id=7, published=published) == []
    assert fields("targets", target(effective_from="2027-01-01"), published=published) == []
    moved = problems("targets", target(effective_from="2027-01-01"), row_id=7, published=published)
    assert [f for f, *_ in moved] == ["effective_from"]
    history = RowRef(
        8,
        AGENCY,
        None,
        True,
        metric_code="csat",
        effective_from=dt.date(2026, 10, 1),
        superseded=True,
    )
    assert [f for f, *_ in problems("targets", target(), row_id=8, history=history)] == ["id"]


# -- another agency, codes, rows -------------------------------------------------------------------


def test_another_agencys_unit_row_and_metric_are_not_found():
    assert problems("actions", action(unit_id=str(OTHER_UNIT))) == [
        ("unit_id", None, str(OTHER_UNIT), "not found")
    ]
    assert problems("actions", action(unit_id="1; DROP TABLE")) == [
        ("unit_id", None, "1; DROP TABLE", "not found")
    ]
    assert problems("actions", action(), row_id=999) == [("id", None, 999, "not found")]
    assert fields("actions", action(unit_id="")) == ["unit_id"]


def test_codes_are_unique_in_the_unit_and_fixed_once_published():
    taken = RowRef(5, AGENCY, "A-1", True)
    assert fields("actions", action(code="A-1"), taken=taken) == ["code"]
    assert fields("actions", action(code="A-1", unit_id=SERVICE), taken=taken) == []
    # The published row itself keeps its code; another code is refused.
    assert problems("actions", action(code="A-1"), row_id=5, taken=taken) == []
    assert [f for f, *_ in problems("actions", action(code="B"), row_id=5, taken=taken)] == ["code"]
    copy = RowRef(6, AGENCY, None, False, replaces_id=5)
    found = problems("actions", action(code="A-1"), row_id=6, taken=taken, copy=copy)
    assert found == []
    moved = problems("actions", action(code="A-1", unit_id=SERVICE), row_id=5, taken=taken)
    assert [f for f, *_ in moved] == ["unit_id"]
    draft = RowRef(9, AGENCY, "D-1", False)
    assert problems("actions", action(code="D-2"), row_id=9, draft=draft) == []
