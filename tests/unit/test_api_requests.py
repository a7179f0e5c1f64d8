"""The open-data API's requests and answers without Flask (dashboard.web.api_requests)."""

from __future__ import annotations

import json

import pytest

from dashboard import open_data
from dashboard.core.settings import Settings
from dashboard.open_data import BadParameter
from dashboard.web import api_requests


def test_json_text_keeps_the_documented_column_order_and_accents():
    text = api_requests.json_text({"value": None, "name": "Dirección", "code": "dmv"})
    assert text == '{"value":null,"name":"Dirección","code":"dmv"}'
    assert list(json.loads(text)) == ["value", "name", "code"]


def test_etag_changes_with_the_data_version_the_settings_and_the_request():
    tag = api_requests.etag("v1", "settings", "/api/v1/units?")
    assert len(tag) == 32 and tag == api_requests.etag("v1", "settings", "/api/v1/units?")
    assert api_requests.etag("v2", "settings", "/api/v1/units?") != tag
    assert api_requests.etag("v1", "other", "/api/v1/units?") != tag
    assert api_requests.etag("v1", "settings", "/api/v1/units?kind=agency") != tag


def test_an_endpoint_without_parameters_accepts_none():
    api_requests.reject_parameters({}, open_data.ZIP_PATH)


def test_an_endpoint_without_parameters_names_the_first_one_given():
    with pytest.raises(BadParameter) as raised:
        api_requests.reject_parameters({"limit": ["5", "6"], "x": ["1"]}, open_data.API_PREFIX)
    assert raised.value.parameter == "limit"
    assert raised.value.value == "5,6"  # every value given, as sent
    assert raised.value.message == f"{open_data.API_PREFIX} takes no parameters"
    assert raised.value.as_json()["error"]["code"] == "bad_parameter"


@pytest.mark.parametrize(
    ("args", "path_format", "wanted"),
    [
        ({}, None, "json"),
        ({}, "csv", "csv"),
        ({"format": ["csv"]}, None, "csv"),
        ({"format": ["json"]}, None, "json"),
        ({"format": ["csv"]}, "csv", "csv"),
    ],
)
def test_dictionary_format(args, path_format, wanted):
    assert api_requests.dictionary_format(args, path_format) == wanted


def test_a_csv_path_refuses_another_format():
    # The document states format=csv only on .csv paths: the server agrees, never guesses.
    with pytest.raises(BadParameter) as raised:
        api_requests.dictionary_format({"format": ["json"]}, "csv")
    assert (raised.value.parameter, raised.value.value) == ("format", "json")


def test_dictionary_takes_only_format():
    with pytest.raises(BadParameter) as raised:
        api_requests.dictionary_format({"limit": ["5", "6"]}, None)
    assert (raised.value.parameter, raised.value.value) == ("limit", "5,6")
    assert "takes only format" in raised.value.message


def test_dictionary_refuses_an_unknown_format():
    with pytest.raises(BadParameter) as raised:
        api_requests.dictionary_format({"format": ["xml"]}, None)
    assert (raised.value.parameter, raised.value.value) == ("format", "xml")
    assert "format must be one of" in raised.value.message


def test_dictionary_document_has_every_row_and_the_licence():
    rows = open_data.data_dictionary()
    body = api_requests.dictionary_document(rows, Settings(open_data_license="CC0-1.0"))
    assert len(body["data"]) == len(rows) == body["meta"]["count"]
    assert body["meta"]["resource"] == open_data.DICTIONARY.name
    assert body["meta"]["license"] == open_data.license_info("CC0-1.0")


def test_cache_keys_change_with_the_data_version():
    resource = open_data.RESOURCES[0]
    query = open_data.ResourceQuery(resource=resource.name)
    key = api_requests.resource_cache_key(resource, "v1", "fp", query)
    assert key.startswith(f"api:{resource.name}:v1:fp:")
    assert api_requests.resource_cache_key(resource, "v2", "fp", query) != key
    assert api_requests.zip_cache_key("v1", "fp", "http://x") != api_requests.zip_cache_key(
        "v2", "fp", "http://x"
    )


def test_link_header():
    links = {"next": "http://x/api/v1/units?offset=100", "prev": "http://x/api/v1/units"}
    assert api_requests.link_header(links) == (
        '<http://x/api/v1/units?offset=100>; rel="next", <http://x/api/v1/units>; rel="prev"'
    )
    assert api_requests.link_header({}) == ""


def test_not_found_message_points_to_the_catalog():
    message = api_requests.not_found_message("/api/v2/units")
    assert "/api/v2/units" in message and open_data.API_PREFIX in message


def test_endpoint_names_are_unique():
    names = [
        api_requests.endpoint_name(resource, path_format)
        for resource in open_data.RESOURCES
        for path_format in (None, "csv")
    ]
    assert len(set(names)) == len(names)
    assert api_requests.endpoint_name(open_data.CONTACT_POINTS, "csv") == "api_contact_points_csv"
