"""The open-data API's plain functions: honest records, strict parameters, CSV, OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dashboard import open_data
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.open_data import (
    OBSERVATIONS,
    RESOURCES,
    BadParameter,
    LazyLookups,
    Lookups,
    observation_record,
    parse_query,
)
from dashboard.views import open_data as view

FEDERAL = FiscalCalendar(10, "federal")
LOOKUPS = Lookups(
    unit_slugs=frozenset({"dmv", "dmv-licensing"}),
    metric_codes=frozenset({"csat_overall", "service_level_60s"}),
    segments=frozenset({("", ""), ("channel", "phone"), ("channel", "email")}),
)


def _row(**changes):
    row = {
        "unit_slug": "dmv",
        "unit_kind": "agency",
        "metric_code": "csat_overall",
        "scale": "fraction",
        "is_survey": True,
        "granularity": "quarter",
        "period_start": dt.date(2024, 1, 1),
        "period_end": dt.date(2024, 3, 31),
        "segment_type": "",
        "segment_value": "",
        "raw_value": 0.8,
        "numerator": 80.0,
        "denominator": 100.0,
        "response_rate": 0.2,
        "score": 80.0,
        "series_break": False,
        "published_at": dt.datetime(2024, 4, 30, 15, 0),
        "earlier_value": None,
        "revised_at": None,
    }
    row.update(changes)
    return row


def _record(policy: str = "flag", **changes):
    return observation_record(
        _row(**changes), FEDERAL, small_sample_threshold=30, small_sample_policy=policy
    )


# -- observation records ----------------------------------------------------------------------


def test_a_reported_survey_result_carries_its_period_interval_and_flags():
    record = _record()
    assert record["reporting_status"] == "reported"
    assert record["value"] == 0.8
    assert record["period_label"] == "FY2024 Q2"
    assert (record["fiscal_year"], record["fiscal_quarter"]) == (2024, 2)
    assert record["segment_type"] is None and record["segment_value"] is None
    assert record["ci_low"] < 0.8 < record["ci_high"]
    assert record["small_sample"] is False
    assert record["revised"] is False and record["earlier_value"] is None
    assert list(record) == [f.name for f in OBSERVATIONS.fields]


def test_not_reported_is_a_null_with_a_status_never_a_zero():
    record = _record(raw_value=None, numerator=None, score=None)
    assert record["value"] is None
    assert record["reporting_status"] == "not_reported"
    assert record["score"] is None
    assert record["small_sample"] is False  # nothing to flag
    assert record["ci_low"] is None and record["ci_high"] is None


def test_a_small_sample_is_flagged_and_kept_under_the_flag_policy():
    record = _record(raw_value=0.9, numerator=9.0, denominator=10.0)
    assert record["small_sample"] is True
    assert record["reporting_status"] == "reported"
    assert record["value"] == 0.9
    assert record["ci_low"] is not None


def test_a_small_sample_is_withheld_under_the_suppress_policy():
    record = _record(
        "suppress",
        raw_value=0.9,
        numerator=9.0,
        denominator=10.0,
        earlier_value=0.7,
        revised_at=dt.datetime(2024, 5, 1),
    )
    assert record["reporting_status"] == "suppressed"
    assert record["small_sample"] is True
    # Nothing that reveals the value: not the value, the agreeing count, the score, the
    # interval or the earlier value. The response count stays: it is the reason.
    for name in ("value", "numerator", "score", "ci_low", "ci_high", "earlier_value"):
        assert record[name] is None, name
    assert record["revised"] is False
    assert record["denominator"] == 10.0


def test_a_revised_figure_shows_its_earlier_value():
    record = _record(earlier_value=0.75, revised_at=dt.datetime(2024, 6, 1, 12, 0))
    assert record["revised"] is True
    assert record["earlier_value"] == 0.75
    assert open_data.json_value(record["revised_at"]) == "2024-06-01T12:00:00Z"


def test_administrative_data_is_never_a_small_sample_and_has_no_interval():
    record = _record(is_survey=False, scale="percent", raw_value=81.0, denominator=5.0)
    assert record["small_sample"] is False
    assert record["ci_low"] is None


def test_a_month_and_a_fiscal_year_get_their_labels():
    month = _record(
        granularity="month", period_start=dt.date(2024, 3, 1), period_end=dt.date(2024, 3, 31)
    )
    assert (month["period_label"], month["fiscal_quarter"]) == ("Mar 2024", 2)
    year = _record(
        granularity="fiscal_year",
        period_start=dt.date(2023, 10, 1),
        period_end=dt.date(2024, 9, 30),
    )
    assert (year["period_label"], year["fiscal_quarter"]) == ("FY2024", None)


def test_proportion_interval_works_in_percent_and_fraction():
    low, high = open_data.proportion_interval(80.0, None, 100.0, "percent")
    assert 70 < low < 80 < high < 90
    fraction = open_data.proportion_interval(0.8, None, 100.0, "fraction")
    assert fraction == pytest.approx((low / 100, high / 100), abs=1e-6)
    assert open_data.proportion_interval(4.2, None, 100.0, "mean_1_5") is None
    assert open_data.proportion_interval(0.8, None, 0.0, "fraction") is None


# -- parameters --------------------------------------------------------------------------------


def _parse(resource=OBSERVATIONS, path_format=None, **args):
    query = {
        key.rstrip("_"): value if isinstance(value, list) else [value]
        for key, value in args.items()
    }
    return parse_query(resource, query, LOOKUPS, FEDERAL, path_format=path_format)


def test_defaults_and_paging():
    query = _parse()
    assert (query.limit, query.offset, query.format) == (open_data.DEFAULT_LIMIT, 0, "json")
    assert _parse(limit="1000", offset="20").limit == 1000
    assert _parse(format="csv").format == "csv"
    assert _parse(path_format="csv").format == "csv"


@pytest.mark.parametrize(
    ("args", "parameter", "value"),
    [
        ({"unit": "nowhere"}, "unit", "nowhere"),
        ({"unit": "dmv,nowhere"}, "unit", "nowhere"),
        ({"metric": "happiness"}, "metric", "happiness"),
        ({"period": "FY20x4"}, "period", "FY20x4"),
        ({"period": "FY2024 Q5"}, "period", "FY2024 Q5"),
        ({"from_": "2024-13-01"}, "from", "2024-13-01"),
        ({"from_": "2024-06-01", "to": "2024-01-01"}, "from", "2024-06-01"),
        ({"granularity": "week"}, "granularity", "week"),
        ({"segment": "channel:fax"}, "segment", "channel:fax"),
        ({"segment": "mood"}, "segment", "mood"),
        ({"limit": str(open_data.MAX_LIMIT + 1)}, "limit", "1001"),
        ({"limit": "0"}, "limit", "0"),
        ({"limit": "ten"}, "limit", "ten"),
        ({"limit": ["10", "20"]}, "limit", "10,20"),
        ({"offset": "-1"}, "offset", "-1"),
        ({"format": "xml"}, "format", "xml"),
        ({"units": "dmv"}, "units", "dmv"),
        ({"unit": ""}, "unit", ""),
    ],
)
def test_a_bad_parameter_is_named_with_its_value(args, parameter, value):
    with pytest.raises(BadParameter) as caught:
        _parse(**args)
    assert (caught.value.parameter, caught.value.value) == (parameter, value)
    body = caught.value.as_json()["error"]
    assert body["status"] == 400 and body["parameter"] == parameter and body["message"]


def test_a_format_that_contradicts_the_path_is_refused():
    with pytest.raises(BadParameter):
        _parse(path_format="csv", format="json")


def test_several_values_repeated_or_comma_separated_are_the_same_filter():
    repeated = _parse(unit=["dmv", "dmv-licensing"])
    comma = _parse(unit="dmv,dmv-licensing")
    assert repeated.filters == comma.filters
    assert repeated.echo == {"unit": ["dmv", "dmv-licensing"]}


def test_periods_and_segments_are_normalized():
    query = _parse(period="q2 fy2024", segment=["overall", "channel", "channel:phone"])
    (period,) = query.filters["period"]
    assert (period.start, period.end) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert query.echo["period"] == ["FY2024 Q2"]
    assert query.filters["segment"] == [("", ""), ("channel", None), ("channel", "phone")]
    assert "period=FY2024+Q2" in query.query_string()


def test_each_resource_takes_only_its_own_filters():
    assert _parse(open_data.UNITS, kind="agency").filters == {"kind": ["agency"]}
    with pytest.raises(BadParameter) as caught:
        _parse(open_data.UNITS, metric="csat_overall")
    assert caught.value.parameter == "metric"
    in_force = _parse(open_data.TARGETS, in_force_on="2024-03-31")
    assert in_force.filters["in_force_on"] == dt.date(2024, 3, 31)


# -- values, CSV, dictionary -------------------------------------------------------------------


def test_csv_has_a_byte_order_mark_crlf_and_empty_cells_for_nulls():
    fields = open_data.ACTIONS.fields
    text = open_data.csv_text(
        fields,
        [
            {
                "unit_slug": "dmv",
                "title_en": 'Shorter "lines", at last',
                "status": "completed",
                "started_on": dt.date(2024, 1, 2),
                "metric_codes": ["a", "b"],
            }
        ],
    )
    assert text.startswith("\ufeffunit_slug,title_en,")
    assert text.endswith("\r\n")
    header, row = text[1:].split("\r\n")[:2]
    assert header.split(",") == [f.name for f in fields]
    assert '"Shorter ""lines"", at last"' in row
    assert "2024-01-02" in row and "a;b" in row
    assert open_data.csv_cell(True) == "true" and open_data.csv_cell(None) == ""
    assert open_data.csv_cell(3.0) == "3" and open_data.csv_cell(0.25) == "0.25"


def test_json_values_are_iso_and_utc():
    assert open_data.json_value(dt.date(2024, 1, 2)) == "2024-01-02"
    aware = dt.datetime(2024, 1, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert open_data.json_value(aware) == "2024-01-02T15:00:00Z"
    assert open_data.json_value(float("nan")) is None


def test_the_data_dictionary_describes_every_column_of_every_file_in_both_languages():
    rows = open_data.data_dictionary()
    described = {(row["file"], row["column"]) for row in rows}
    for resource in (*RESOURCES, open_data.DICTIONARY):
        for f in resource.fields:
            assert (resource.file_name, f.name) in described
    for row in rows:
        assert row["type"] in open_data.FIELD_TYPES
        assert row["description_en"].strip() and row["description_es"].strip(), row
    assert len(described) == len(rows)


def test_resource_and_parameter_names_are_unique():
    assert len({r.name for r in RESOURCES}) == len(RESOURCES)
    for resource in RESOURCES:
        names = [f.name for f in resource.fields]
        assert len(set(names)) == len(names), resource.name
        parameters = [p.name for p in resource.parameters]
        assert not set(parameters) & set(open_data.PAGING_PARAMETERS)


def test_license_info():
    assert open_data.license_info("CC0-1.0")["url"].startswith("https://creativecommons.org/")
    assert open_data.license_info("https://example.gov/terms")["url"] == (
        "https://example.gov/terms"
    )
    assert open_data.license_info("Public domain")["url"] is None


# -- OpenAPI -----------------------------------------------------------------------------------


def test_the_openapi_document_describes_every_resource_in_both_formats():
    document = open_data.openapi_document(Settings())
    assert document["openapi"].startswith("3.1")
    for resource in RESOURCES:
        for path in (resource.path, resource.csv_path):
            operation = document["paths"][path]["get"]
            names = {p.get("name") for p in operation["parameters"] if "name" in p}
            assert {p.name for p in resource.parameters} <= names
        schema = document["components"]["schemas"][resource.schema_name]
        assert list(schema["properties"]) == [f.name for f in resource.fields]
    operation_ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
    ]
    assert len(set(operation_ids)) == len(operation_ids)


def test_every_reference_in_the_openapi_document_resolves():
    document = open_data.openapi_document(Settings())

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    for ref in refs(document):
        target = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]


def test_nullable_columns_allow_null_in_their_schema():
    value = next(f for f in OBSERVATIONS.fields if f.name == "value")
    assert open_data.field_schema(value)["type"] == ["number", "null"]
    status = next(f for f in OBSERVATIONS.fields if f.name == "reporting_status")
    assert open_data.field_schema(status) == {
        "type": "string",
        "description": status.description_en,
        "enum": list(open_data.REPORTING_STATUSES),
    }


def test_openapi_path_of_a_flask_rule():
    assert open_data.openapi_path("/api/v1/units") == "/api/v1/units"
    assert open_data.openapi_path("/api/v1/<name>/<int:id>") == "/api/v1/{name}/{id}"


# -- the docs page's view ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_docs_view_lists_every_endpoint_parameter_and_column(language):
    examples = {"unit": "dmv", "metric": "csat_overall", "period_end": "2024-03-31"}
    endpoints = view.endpoint_docs(examples, language)
    assert [e.path for e in endpoints] == [r.path for r in RESOURCES]
    for endpoint, resource in zip(endpoints, RESOURCES, strict=True):
        assert [p.name for p in endpoint.parameters] == [p.name for p in resource.parameters]
        assert endpoint.example_json.startswith(resource.path + "?")
        assert endpoint.example_csv.startswith(resource.csv_path + "?")
    observations = next(e for e in endpoints if e.name == "observations")
    assert "unit=dmv" in observations.example_json and "metric=csat_overall" in (
        observations.example_json
    )
    files = view.file_docs(language)
    assert [f.file_name for f in files][-1] == "data-dictionary.csv"
    assert sum(len(f.columns) for f in files) == len(open_data.data_dictionary())
    # Every paging parameter the API takes is documented, cursor included (keyset resources).
    paging = view.paging_docs(language)
    assert [p.name for p in paging] == [*open_data.PAGING_PARAMETERS, open_data.CURSOR_PARAMETER]
    assert all(p.description for p in paging)


def test_docs_examples_without_data_use_no_filters_that_could_fail():
    filters = view.example_filters({})
    assert "unit" not in filters["observations"] and "metric" not in filters["observations"]


def test_the_cache_fingerprint_changes_with_what_the_records_hold():
    # A cached page of records or ZIP built before French was configured lacks name_fr.
    base = Settings()
    assert open_data.settings_fingerprint(base) == open_data.settings_fingerprint(Settings())
    assert open_data.settings_fingerprint(base) != open_data.settings_fingerprint(
        Settings(languages=("en", "es", "fr"))
    )
    assert open_data.settings_fingerprint(base) != open_data.settings_fingerprint(
        Settings(small_sample_threshold=50)
    )


def test_the_openapi_cursor_is_opaque_constant_time_and_taken_by_the_observations_only():
    document = open_data.openapi_document(Settings())
    cursor = document["components"]["parameters"]["cursor"]
    assert cursor["name"] == open_data.CURSOR_PARAMETER and cursor["in"] == "query"
    assert "Opaque" in cursor["description"] and "Constant time" in cursor["description"]
    offset = document["components"]["parameters"]["offset"]["description"]
    assert "cursor" in offset
    for resource in RESOURCES:
        parameters = document["paths"][resource.path]["get"]["parameters"]
        refs = {p.get("$ref") for p in parameters}
        assert ("#/components/parameters/cursor" in refs) == resource.keyset, resource.name


def test_the_lookups_are_read_only_when_a_parameter_names_something():
    """A plain page, or one with only a granularity or a whole segment type, reads no lookup; a
    unit or a metric reads the names only; a segment value the segments only. Each at most
    once per request, and the checks are the same as with :class:`Lookups`."""
    asked: list[str] = []

    def lazy() -> LazyLookups:
        def names():
            asked.append("names")
            return LOOKUPS.unit_slugs, LOOKUPS.metric_codes

        def segments():
            asked.append("segments")
            return LOOKUPS.segments

        return LazyLookups(names=names, segments=segments)

    def parse(**args: str) -> Any:
        query = {key: [value] for key, value in args.items()}
        return parse_query(OBSERVATIONS, query, lazy(), FEDERAL)

    parse(limit="10")
    parse(granularity="month", segment="channel")
    assert asked == []
    assert parse(unit="dmv,dmv-licensing", metric="csat_overall").filters["unit"] == [
        "dmv",
        "dmv-licensing",
    ]
    assert asked == ["names"]
    asked.clear()
    assert parse(segment="channel:phone").filters["segment"] == [("channel", "phone")]
    assert asked == ["segments"]
    with pytest.raises(BadParameter) as refused:
        parse(unit="nowhere")
    assert refused.value.parameter == "unit"
    with pytest.raises(BadParameter):
        parse(segment="channel:fax")


def test_a_page_of_records_shares_its_period_labels():
    """Rows of one period get one label (kept per page); every label is the calendar's."""
    periods: dict[Any, tuple[str, int, int]] = {}
    rows = [
        _row(segment_type="channel", segment_value=value) for value in ("phone", "email", "web")
    ]
    records = [
        observation_record(
            row,
            FEDERAL,
            small_sample_threshold=30,
            small_sample_policy="flag",
            periods=periods,
        )
        for row in rows
    ]
    alone = observation_record(
        rows[0], FEDERAL, small_sample_threshold=30, small_sample_policy="flag"
    )
    assert len(periods) == 1
    assert {r["period_label"] for r in records} == {alone["period_label"]}
    assert records[0]["fiscal_year"] == alone["fiscal_year"]
    assert records[0]["fiscal_quarter"] == alone["fiscal_quarter"]
