"""Settings come from the environment in one place, are validated, and are all documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.core.settings import ENVIRONMENT_VARIABLES, Settings, SettingsError

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults_without_environment():
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("instance/cxdash.sqlite3")
    assert settings.cache_type == "simple"
    assert settings.fiscal_year_start_month == 10
    assert settings.fiscal_year_label_style == "federal"
    assert settings.business_hours == (480, 1020)


@pytest.mark.parametrize(("start", "style"), [(10, "federal"), (7, "state"), (4, "canada")])
def test_label_style_follows_the_fiscal_year_start(start, style):
    settings = Settings.from_env({"FISCAL_YEAR_START_MONTH": str(start)})
    assert settings.fiscal_year_label_style == style


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FISCAL_YEAR_START_MONTH": "13"}, "between 1 and 12"),
        ({"FISCAL_YEAR_START_MONTH": "oct"}, "not a whole number"),
        ({"CACHE_TYPE": "memcached"}, "must be one of"),
        ({"CACHE_TYPE": "redis"}, "needs CACHE_REDIS_URL"),
        ({"BUSINESS_HOURS": "17:00-08:00"}, "opening must come before closing"),
        ({"BUSINESS_HOURS": "nine to five"}, "08:00-17:00"),
        ({"SMALL_SAMPLE_POLICY": "hide"}, "must be one of"),
        ({"LANGUAGES": "en,xx"}, "'xx' has no interface catalogue"),
        ({"LANGUAGES": "en,Spanish!"}, "is not a language code"),
        ({"LANGUAGES": "en,e"}, "is not a language code"),
        ({"DEFAULT_LANGUAGE": "fr", "LANGUAGES": "en,es"}, "must be one of the LANGUAGES"),
        ({"DEFAULT_LANGUAGE": "xx"}, "must be one of the LANGUAGES"),
    ],
)
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(SettingsError, match=message) as error:
        Settings.from_env(env)
    assert next(iter(env)) in str(error.value)


def test_every_environment_variable_is_documented_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in ENVIRONMENT_VARIABLES.values() if f"`{name}`" not in readme]
    assert missing == []


def test_every_cxdash_command_is_documented_in_the_readme():
    from dashboard.web.cli import main

    readme = README.read_text(encoding="utf-8")
    missing = [name for name in main.commands if f"`cxdash {name}" not in readme]
    assert missing == []


def test_languages_default_to_english_and_spanish():
    settings = Settings.from_env({})
    assert settings.languages == ("en", "es")
    assert settings.default_language == "en"


def test_languages_are_read_in_order_without_repeats():
    settings = Settings.from_env({"LANGUAGES": " en, FR ,es,fr", "DEFAULT_LANGUAGE": "fr"})
    assert settings.languages == ("en", "fr", "es")
    assert settings.default_language == "fr"


def test_a_language_needs_a_catalogue_but_english_does_not(tmp_path):
    from dashboard.core import settings as module

    assert module._languages({"LANGUAGES": "en"}, (tmp_path,)) == ("en",)
    with pytest.raises(SettingsError, match="LANGUAGES='en,de'"):
        module._languages({"LANGUAGES": "en,de"}, (tmp_path,))
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "de" / "LC_MESSAGES" / "messages.po").write_text("", encoding="utf-8")
    assert module._languages({"LANGUAGES": "en,de"}, (tmp_path,)) == ("en", "de")


def test_a_deployment_adds_a_language_with_its_own_catalogue_folder(tmp_path):
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "de" / "LC_MESSAGES" / "messages.po").write_text("", encoding="utf-8")
    env = {"LANGUAGES": "en,es,de", "TRANSLATIONS_DIRS": str(tmp_path)}
    settings = Settings.from_env(env)
    assert settings.languages == ("en", "es", "de")
    assert settings.translations_dirs == (tmp_path,)
    with pytest.raises(SettingsError, match=r"TRANSLATIONS_DIRS=.*is not a folder"):
        Settings.from_env({**env, "TRANSLATIONS_DIRS": str(tmp_path / "missing")})


def test_format_locales_are_checked_against_cldr():
    assert Settings.from_env({"FORMAT_LOCALES": "es=es-MX, fr=fr_CA"}).format_locales == {
        "es": "es_MX",
        "fr": "fr_CA",
    }
    with pytest.raises(SettingsError, match="FORMAT_LOCALES='es=xx_QQ'"):
        Settings.from_env({"FORMAT_LOCALES": "es=xx_QQ"})
    with pytest.raises(SettingsError, match="language=locale"):
        Settings.from_env({"FORMAT_LOCALES": "es"})
