"""Every setting cxdash reads from the environment, in one place.

Nothing else in the code base reads ``os.environ``: modules take a ``Settings`` (or one of its
fields) as an argument, which keeps them testable and makes this file the complete list of
knobs that the README documents (a test checks that every field is documented there).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from dashboard.core import theme

PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: Fiscal-year label styles: how a jurisdiction writes its fiscal years.
LABEL_STYLES = ("federal", "state", "canada")

#: Where the interface catalogues live (read by ``dashboard.core.i18n``):
#: ``<language>/LC_MESSAGES/messages.po``.
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"

#: The language the interface is written in; it needs no catalogue.
SOURCE_LANGUAGE = "en"

#: A language code: ``en``, ``fr``, ``pt_br`` (lower case; also a column suffix in imports).
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:_[a-z]{2,4})?$")

#: Default label style for each common fiscal-year start month.
_DEFAULT_STYLE_FOR_START = {10: "federal", 7: "state", 4: "canada"}


class SettingsError(ValueError):
    """An environment variable holds a value cxdash cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r} must be between {low} and {high}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in choices:
        raise SettingsError(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


#: What the app says when it is started without SECRET_KEY (outside the demo).
SECRET_KEY_MISSING = (
    "SECRET_KEY is not set. The staff workspace signs its session cookies with it, so cxdash "
    "refuses to start without one. Generate a long random value once and keep it secret and "
    "the same on every worker and node, for example:\n"
    "    export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"\n"
    "(scripts/serve, the demo, makes one for you in instance/secret_key.)"
)


def catalogue_file(language: str, directories: Sequence[Path] = ()) -> Path:
    """Where ``language``'s interface catalogue is: the first of ``directories`` (the
    deployment's own, ``TRANSLATIONS_DIRS``) that has one, else the shipped
    ``dashboard/translations``."""
    for directory in (*directories, TRANSLATIONS_DIR):
        path = directory / language / "LC_MESSAGES" / "messages.po"
        if path.is_file():
            return path
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"


def _translations_dirs(env: Mapping[str, str]) -> tuple[Path, ...]:
    """TRANSLATIONS_DIRS: folders of further catalogues (``<lang>/LC_MESSAGES/messages.po``),
    separated like PATH, so that a deployment adds a language without touching the package."""
    raw = env.get("TRANSLATIONS_DIRS") or ""
    directories = tuple(Path(part).expanduser() for part in raw.split(os.pathsep) if part.strip())
    for directory in directories:
        if not directory.is_dir():
            raise SettingsError(f"TRANSLATIONS_DIRS={raw!r}: {str(directory)!r} is not a folder")
    return directories


def _languages(env: Mapping[str, str], directories: Sequence[Path] = ()) -> tuple[str, ...]:
    """LANGUAGES: comma-separated language codes, each with an interface catalogue."""
    raw = env.get("LANGUAGES")
    if raw is None or raw.strip() == "":
        raw = "en,es"
    codes = [part.strip().lower().replace("-", "_") for part in raw.split(",")]
    for code in codes:
        if not _LANGUAGE_CODE.match(code):
            raise SettingsError(
                f"LANGUAGES={raw!r}: {code!r} is not a language code (write codes like en,es,fr)"
            )
        catalogue = catalogue_file(code, directories)
        if code != SOURCE_LANGUAGE and not catalogue.is_file():
            shown = (
                catalogue.relative_to(PROJECT_ROOT)
                if catalogue.is_relative_to(PROJECT_ROOT)
                else catalogue
            )
            raise SettingsError(
                f"LANGUAGES={raw!r}: {code!r} has no interface catalogue ({shown}); "
                "see docs/translations.md"
            )
    return tuple(dict.fromkeys(codes))


def _format_locales(env: Mapping[str, str]) -> dict[str, str]:
    """FORMAT_LOCALES: ``language=locale`` pairs, comma-separated (``es=es_MX,fr=fr_CA``)."""
    raw = env.get("FORMAT_LOCALES") or ""
    chosen: dict[str, str] = {}
    for pair in (part.strip() for part in raw.split(",") if part.strip()):
        language, _, locale = pair.partition("=")
        language, locale = language.strip().lower(), locale.strip()
        try:
            parsed = str(Locale.parse(locale.replace("-", "_")))
        except (ValueError, UnknownLocaleError):
            raise SettingsError(
                f"FORMAT_LOCALES={raw!r}: {pair!r} must be language=locale, with a locale CLDR "
                "knows (es=es_MX, fr=fr_CA)"
            ) from None
        if not _LANGUAGE_CODE.match(language):
            raise SettingsError(f"FORMAT_LOCALES={raw!r}: {language!r} is not a language code")
        chosen[language] = parsed
    return chosen


def _default_language(env: Mapping[str, str], languages: tuple[str, ...]) -> str:
    raw = env.get("DEFAULT_LANGUAGE")
    value = (raw or SOURCE_LANGUAGE).strip().lower().replace("-", "_")
    if value not in languages:
        raise SettingsError(
            f"DEFAULT_LANGUAGE={value!r} must be one of the LANGUAGES: {', '.join(languages)}"
        )
    return value


def _hours(env: Mapping[str, str], name: str, default: str) -> tuple[int, int]:
    """Parse "08:00-17:00" into minutes after midnight (480, 1020)."""
    raw = (env.get(name) or default).strip()
    try:
        opens, closes = raw.split("-")
        open_h, open_m = (int(p) for p in opens.split(":"))
        close_h, close_m = (int(p) for p in closes.split(":"))
    except ValueError:
        raise SettingsError(f"{name}={raw!r} must look like 08:00-17:00") from None
    start, end = open_h * 60 + open_m, close_h * 60 + close_m
    if not 0 <= start < end <= 24 * 60:
        raise SettingsError(f"{name}={raw!r}: opening must come before closing")
    return start, end


#: The default identity's name in the shipped languages.
DEFAULT_GOVERNMENT_NAMES = {"es": "Estado de Ejemplo", "fr": "État d’Exemple"}


def _government_names(raw: str) -> dict[str, str]:
    """GOVERNMENT_NAME_TRANSLATIONS: ``language=name`` pairs separated by ``;``."""
    names: dict[str, str] = {}
    for pair in (part.strip() for part in raw.split(";") if part.strip()):
        language, equals, name = pair.partition("=")
        language = language.strip().lower().replace("-", "_")
        if not equals or not _LANGUAGE_CODE.match(language) or not name.strip():
            raise SettingsError(
                f"GOVERNMENT_NAME_TRANSLATIONS: {pair!r} must be language=name, entries "
                "separated by ; (es=Estado de Oregón;fr=État de l’Oregon)"
            )
        names[language] = name.strip()
    return names


def _theme(env: Mapping[str, str]) -> dict[str, Any]:
    """The government identity: refused with a clear message when a value would break the
    site (a colour without AA contrast, a link that is not http(s), a logo on another host or
    missing from assets/)."""
    try:
        primary = theme.hex_colour(
            "THEME_PRIMARY_COLOR", env.get("THEME_PRIMARY_COLOR") or Settings.theme_primary_color
        )
        accent = theme.hex_colour(
            "THEME_ACCENT_COLOR", env.get("THEME_ACCENT_COLOR") or Settings.theme_accent_color
        )
        theme.check_colours(primary, accent)
        raw_logo = env.get("THEME_LOGO")
        logo = theme.logo_path("THEME_LOGO", Settings.theme_logo if raw_logo is None else raw_logo)
        links = theme.footer_links("FOOTER_LINKS", env.get("FOOTER_LINKS") or "")
    except theme.ThemeError as error:
        raise SettingsError(str(error)) from None
    if logo and not logo.startswith("/") and not (PROJECT_ROOT / "assets" / logo).is_file():
        raise SettingsError(f"THEME_LOGO={logo!r}: there is no such file under assets/")
    name = (env.get("GOVERNMENT_NAME") or "").strip()
    names = _government_names(env.get("GOVERNMENT_NAME_TRANSLATIONS") or "")
    return {
        "government_name": name or Settings.government_name,
        # The default identity's own translations, unless the deployment names its government.
        "government_names": names if name or names else dict(DEFAULT_GOVERNMENT_NAMES),
        "theme_logo": logo,
        "theme_logo_alt": (env.get("THEME_LOGO_ALT") or "").strip(),
        "theme_primary_color": primary,
        "theme_accent_color": accent,
        "footer_links": links,
        "contact_text": (env.get("CONTACT_TEXT") or "").strip(),
    }


@dataclass(frozen=True)
class Settings:
    """cxdash's configuration. Build it with :meth:`from_env`; tests build it directly."""

    #: SQLAlchemy URL of the store. SQLite file under ``instance/`` unless set.
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'instance' / 'cxdash.sqlite3'}"
    #: "simple", "filesystem" or "redis"; "redis" is chosen when CACHE_REDIS_URL is set.
    cache_type: str = "simple"
    #: Redis URL for the page-data cache in deployments.
    cache_redis_url: str | None = None
    #: Directory for the filesystem cache.
    cache_dir: str = str(PROJECT_ROOT / "instance" / "cache")
    #: Seconds a cached page-data entry lives (keys also change when data is published).
    cache_default_timeout: int = 300
    #: Prefix of every key cxdash writes to the cache (Redis): lets several deployments, or
    #: test runs, share one Redis database without touching each other's keys.
    cache_key_prefix: str = "cxdash:"
    #: Month (1-12) the fiscal year starts: 10 US federal, 7 most states, 4 Canada.
    fiscal_year_start_month: int = 10
    #: How fiscal years are written: "federal" (FY2024), "state" (FY2023-24), "canada" (2023-2024).
    fiscal_year_label_style: str = "federal"
    #: Country whose public holidays are not business days (``holidays`` package code).
    holiday_country: str = "US"
    #: Subdivision (state or province) whose holidays also apply, e.g. "CA" or "ON".
    holiday_subdivision: str | None = None
    #: Opening hours of a business day, minutes after midnight.
    business_hours: tuple[int, int] = (8 * 60, 17 * 60)
    #: The posted standard for complaints: answered within this many business days
    #: (``complaints_answered_within_standard``, ``cxdash import-contacts``).
    complaint_answer_business_days: int = 10
    #: Fewer survey responses than this and a result is a small sample.
    small_sample_threshold: int = 30
    #: "flag" shows small-sample results with a warning, "suppress" hides the value.
    small_sample_policy: str = "flag"
    #: Name of the dashboard in exports, the open-data catalogue and the staff workspace.
    site_name: str = "cxdash"
    #: The government identity (docs: README "Configuration", the theme): its name in the
    #: header, every page title and the footer; its logo (a file under assets/ or a path this
    #: site serves) and the logo's text alternative (empty: decorative, the name is beside it);
    #: its colours (AA contrast is checked at start-up, ``dashboard.core.theme``); the footer's
    #: links and contact line.
    government_name: str = "State of Example"
    #: The government's name in other languages ({"es": "Estado de Ejemplo"}); a language
    #: without one shows ``government_name``.
    government_names: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_GOVERNMENT_NAMES)
    )
    theme_logo: str = "identity/state-of-example.svg"
    theme_logo_alt: str = ""
    theme_primary_color: str = "#1b3a5c"
    theme_accent_color: str = "#ffbf47"
    footer_links: tuple[theme.FooterLink, ...] = ()
    contact_text: str = ""
    #: Languages the interface is offered in (each needs a catalogue, docs/translations.md).
    languages: tuple[str, ...] = ("en", "es")
    #: Language served when the URL does not choose one: one of ``languages``.
    default_language: str = "en"
    #: Folders of the deployment's own interface catalogues, searched before the shipped ones.
    translations_dirs: tuple[Path, ...] = ()
    #: CLDR locale for the numbers and dates of a language ({"es": "es_MX"}); by default the
    #: language as written in ``holiday_country`` when CLDR knows it (es_US), else its own.
    format_locales: Mapping[str, str] = field(default_factory=dict)
    #: Seed for ``cxdash demo``; the same seed gives the same demo data.
    demo_seed: int = 2024
    #: Host and port for ``cxdash serve``.
    host: str = "127.0.0.1"
    port: int = 8050
    #: Licence of the open data (an SPDX id such as CC0-1.0, or a URL), stated in every
    #: API response, the OpenAPI document and the download.
    open_data_license: str = "CC0-1.0"
    #: Chart image exports (PNG, SVG, PDF, ZIP) one client may ask for per minute; 0: no limit.
    export_rate_limit: int = 30
    #: Page-data requests (Dash callbacks and layouts, CSV downloads) one client may make per
    #: minute; 0: no limit. A page view is a few; docs/deployment.md explains the default.
    page_rate_limit: int = 600
    #: Open-data API requests (/api/...) one client may make per minute; 0: no limit.
    api_rate_limit: int = 300
    #: Seconds one chart image may take to render before the export fails with a 503.
    export_timeout: int = 20
    #: Most charts a page's ZIP of exports holds.
    export_max_charts: int = 40
    #: Reverse proxies in front of the app whose X-Forwarded-For is trusted (client address).
    trusted_proxies: int = 0
    #: Signs session cookies and form tokens. Required by the server outside the demo
    #: (:data:`SECRET_KEY_MISSING`); a Settings built in code without one gets a random key.
    secret_key: str = field(default="", repr=False)
    #: Session cookies only over HTTPS. Leave on in deployments; the demo on http turns it off.
    session_cookie_secure: bool = True
    #: A session ends this long after sign-in, and after this long without a request.
    session_lifetime_minutes: int = 480
    session_idle_minutes: int = 60
    #: Sign-in attempts one client may make per minute (any account); 0: no limit.
    sign_in_rate_limit: int = 10
    #: Failed sign-ins in a row that lock an account, and for how long.
    sign_in_lockout_after: int = 5
    sign_in_lockout_minutes: int = 15
    #: A publisher may not approve drafts they wrote themselves.
    require_second_approver: bool = False
    #: OpenID Connect sign-in (login.gov, Entra ID, Okta): the issuer URL (its
    #: /.well-known/openid-configuration is read), the client registered there, and the name
    #: the sign-in button shows. Off unless OIDC_ISSUER is set.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = field(default=None, repr=False)
    oidc_provider_name: str = "single sign-on"
    oidc_scopes: str = "openid email profile"
    #: Authentication context asked of the provider (login.gov needs one, e.g.
    #: "urn:acr.login.gov:auth-only"); empty: none asked.
    oidc_acr_values: str | None = None
    #: Largest results file the workspace accepts, in megabytes.
    upload_max_mb: int = 20
    #: Sites allowed to show the embeddable chart pages (/embed/...) in a frame: the
    #: Content-Security-Policy frame-ancestors sources ("https://www.example.gov 'self'").
    #: 'none' (the default): no site may; every other page is never framed either way.
    embed_frame_ancestors: str = "'none'"
    #: "Did this page help you?" at the foot of every public page (issue 14).
    feedback_enabled: bool = True
    #: Feedback answers one client may send per hour; 0: no limit.
    feedback_rate_limit: int = 10
    #: Comments older than this many days are cleared (the yes/no answers stay, for counts).
    feedback_retention_days: int = 365
    #: How long a page's feedback form stays valid, in hours, from the start of the UTC day it
    #: was drawn in: a page is cached for the (local) day it was drawn on, with the form's
    #: token in it (web/feedback.py explains the choice).
    feedback_token_max_age_hours: int = 72
    #: Extra settings for tests only (never read from the environment).
    extra: Mapping[str, object] = field(default_factory=dict)

    def government_in(self, language: str) -> str:
        """The government's name in ``language`` (its own name when none is given)."""
        return self.government_names.get(language) or self.government_name

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        start = _int(env, "FISCAL_YEAR_START_MONTH", 10, 1, 12)
        redis_url = env.get("CACHE_REDIS_URL") or None
        default_cache = "redis" if redis_url else "simple"
        cache_type = _choice(env, "CACHE_TYPE", default_cache, ("simple", "filesystem", "redis"))
        translations_dirs = _translations_dirs(env)
        languages = _languages(env, translations_dirs)
        if cache_type == "redis" and not redis_url:
            raise SettingsError("CACHE_TYPE=redis needs CACHE_REDIS_URL")
        oidc_issuer = (env.get("OIDC_ISSUER") or "").strip() or None
        if oidc_issuer and not (env.get("OIDC_CLIENT_ID") or "").strip():
            raise SettingsError("OIDC_ISSUER needs OIDC_CLIENT_ID (and usually OIDC_CLIENT_SECRET)")
        return cls(
            database_url=env.get("DATABASE_URL") or cls.database_url,
            cache_type=cache_type,
            cache_redis_url=redis_url,
            cache_dir=env.get("CACHE_DIR") or cls.cache_dir,
            cache_default_timeout=_int(env, "CACHE_DEFAULT_TIMEOUT", 300, 0, 86_400 * 7),
            cache_key_prefix=env.get("CACHE_KEY_PREFIX") or cls.cache_key_prefix,
            fiscal_year_start_month=start,
            fiscal_year_label_style=_choice(
                env,
                "FISCAL_YEAR_LABEL_STYLE",
                _DEFAULT_STYLE_FOR_START.get(start, "state"),
                LABEL_STYLES,
            ),
            holiday_country=(env.get("HOLIDAY_COUNTRY") or "US").strip().upper(),
            holiday_subdivision=(env.get("HOLIDAY_SUBDIVISION") or "").strip().upper() or None,
            business_hours=_hours(env, "BUSINESS_HOURS", "08:00-17:00"),
            complaint_answer_business_days=_int(env, "COMPLAINT_ANSWER_BUSINESS_DAYS", 10, 1, 365),
            small_sample_threshold=_int(env, "SMALL_SAMPLE_THRESHOLD", 30, 1, 1_000_000),
            small_sample_policy=_choice(env, "SMALL_SAMPLE_POLICY", "flag", ("flag", "suppress")),
            site_name=env.get("SITE_NAME") or cls.site_name,
            **_theme(env),
            languages=languages,
            default_language=_default_language(env, languages),
            translations_dirs=translations_dirs,
            format_locales=_format_locales(env),
            demo_seed=_int(env, "DEMO_SEED", 2024, 0, 2**31 - 1),
            host=env.get("HOST") or cls.host,
            port=_int(env, "PORT", 8050, 1, 65535),
            open_data_license=(env.get("OPEN_DATA_LICENSE") or cls.open_data_license).strip(),
            export_rate_limit=_int(env, "EXPORT_RATE_LIMIT", 30, 0, 100_000),
            page_rate_limit=_int(env, "PAGE_RATE_LIMIT", 600, 0, 1_000_000),
            api_rate_limit=_int(env, "API_RATE_LIMIT", 300, 0, 1_000_000),
            export_timeout=_int(env, "EXPORT_TIMEOUT", 20, 1, 300),
            export_max_charts=_int(env, "EXPORT_MAX_CHARTS", 40, 1, 500),
            trusted_proxies=_int(env, "TRUSTED_PROXIES", 0, 0, 10),
            secret_key=env.get("SECRET_KEY") or "",
            session_cookie_secure=_bool(env, "SESSION_COOKIE_SECURE", True),
            session_lifetime_minutes=_int(env, "SESSION_LIFETIME_MINUTES", 480, 5, 60 * 24 * 30),
            session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 60, 5, 60 * 24 * 30),
            sign_in_rate_limit=_int(env, "SIGN_IN_RATE_LIMIT", 10, 0, 10_000),
            sign_in_lockout_after=_int(env, "SIGN_IN_LOCKOUT_AFTER", 5, 1, 1000),
            sign_in_lockout_minutes=_int(env, "SIGN_IN_LOCKOUT_MINUTES", 15, 1, 60 * 24),
            require_second_approver=_bool(env, "REQUIRE_SECOND_APPROVER", False),
            oidc_issuer=oidc_issuer,
            oidc_client_id=(env.get("OIDC_CLIENT_ID") or "").strip() or None,
            oidc_client_secret=env.get("OIDC_CLIENT_SECRET") or None,
            oidc_provider_name=(env.get("OIDC_PROVIDER_NAME") or "").strip()
            or cls.oidc_provider_name,
            oidc_scopes=(env.get("OIDC_SCOPES") or "").strip() or cls.oidc_scopes,
            oidc_acr_values=(env.get("OIDC_ACR_VALUES") or "").strip() or None,
            upload_max_mb=_int(env, "UPLOAD_MAX_MB", 20, 1, 1000),
            embed_frame_ancestors=_frame_ancestors(env, "EMBED_FRAME_ANCESTORS"),
            feedback_enabled=_bool(env, "FEEDBACK_ENABLED", True),
            feedback_rate_limit=_int(env, "FEEDBACK_RATE_LIMIT", 10, 0, 100_000),
            feedback_retention_days=_int(env, "FEEDBACK_RETENTION_DAYS", 365, 1, 36_500),
            feedback_token_max_age_hours=_int(env, "FEEDBACK_TOKEN_MAX_AGE_HOURS", 72, 49, 24 * 30),
        )


#: The environment variable behind each field, for the README check and ``cxdash settings``.
ENVIRONMENT_VARIABLES = {
    "database_url": "DATABASE_URL",
    "cache_type": "CACHE_TYPE",
    "cache_redis_url": "CACHE_REDIS_URL",
    "cache_dir": "CACHE_DIR",
    "cache_default_timeout": "CACHE_DEFAULT_TIMEOUT",
    "cache_key_prefix": "CACHE_KEY_PREFIX",
    "fiscal_year_start_month": "FISCAL_YEAR_START_MONTH",
    "fiscal_year_label_style": "FISCAL_YEAR_LABEL_STYLE",
    "holiday_country": "HOLIDAY_COUNTRY",
    "holiday_subdivision": "HOLIDAY_SUBDIVISION",
    "business_hours": "BUSINESS_HOURS",
    "complaint_answer_business_days": "COMPLAINT_ANSWER_BUSINESS_DAYS",
    "small_sample_threshold": "SMALL_SAMPLE_THRESHOLD",
    "small_sample_policy": "SMALL_SAMPLE_POLICY",
    "site_name": "SITE_NAME",
    "government_name": "GOVERNMENT_NAME",
    "government_names": "GOVERNMENT_NAME_TRANSLATIONS",
    "theme_logo": "THEME_LOGO",
    "theme_logo_alt": "THEME_LOGO_ALT",
    "theme_primary_color": "THEME_PRIMARY_COLOR",
    "theme_accent_color": "THEME_ACCENT_COLOR",
    "footer_links": "FOOTER_LINKS",
    "contact_text": "CONTACT_TEXT",
    "languages": "LANGUAGES",
    "default_language": "DEFAULT_LANGUAGE",
    "translations_dirs": "TRANSLATIONS_DIRS",
    "format_locales": "FORMAT_LOCALES",
    "demo_seed": "DEMO_SEED",
    "host": "HOST",
    "port": "PORT",
    "open_data_license": "OPEN_DATA_LICENSE",
    "export_rate_limit": "EXPORT_RATE_LIMIT",
    "page_rate_limit": "PAGE_RATE_LIMIT",
    "api_rate_limit": "API_RATE_LIMIT",
    "export_timeout": "EXPORT_TIMEOUT",
    "export_max_charts": "EXPORT_MAX_CHARTS",
    "trusted_proxies": "TRUSTED_PROXIES",
    "secret_key": "SECRET_KEY",
    "session_cookie_secure": "SESSION_COOKIE_SECURE",
    "session_lifetime_minutes": "SESSION_LIFETIME_MINUTES",
    "session_idle_minutes": "SESSION_IDLE_MINUTES",
    "sign_in_rate_limit": "SIGN_IN_RATE_LIMIT",
    "sign_in_lockout_after": "SIGN_IN_LOCKOUT_AFTER",
    "sign_in_lockout_minutes": "SIGN_IN_LOCKOUT_MINUTES",
    "require_second_approver": "REQUIRE_SECOND_APPROVER",
    "oidc_issuer": "OIDC_ISSUER",
    "oidc_client_id": "OIDC_CLIENT_ID",
    "oidc_client_secret": "OIDC_CLIENT_SECRET",
    "oidc_provider_name": "OIDC_PROVIDER_NAME",
    "oidc_scopes": "OIDC_SCOPES",
    "oidc_acr_values": "OIDC_ACR_VALUES",
    "upload_max_mb": "UPLOAD_MAX_MB",
    "embed_frame_ancestors": "EMBED_FRAME_ANCESTORS",
    "feedback_enabled": "FEEDBACK_ENABLED",
    "feedback_rate_limit": "FEEDBACK_RATE_LIMIT",
    "feedback_retention_days": "FEEDBACK_RETENTION_DAYS",
    "feedback_token_max_age_hours": "FEEDBACK_TOKEN_MAX_AGE_HOURS",
}

assert set(ENVIRONMENT_VARIABLES) == {f.name for f in fields(Settings)} - {"extra"}


#: A frame-ancestors source: a keyword, or a scheme and host (a leading "*." for any
#: subdomain) with an optional port, and nothing that could end the header's directive.
_FRAME_SOURCE = re.compile(r"^(?:'self'|https?://(?:\*\.)?[A-Za-z0-9.-]+(?::\d{1,5})?/?)$")


def _frame_ancestors(env: Mapping[str, str], name: str) -> str:
    """EMBED_FRAME_ANCESTORS: 'none', or space-separated sources ('self', https://host)."""
    raw = " ".join((env.get(name) or "").split())
    if not raw or raw == "'none'":
        return "'none'"
    sources = raw.split(" ")
    bad = [source for source in sources if not _FRAME_SOURCE.match(source)]
    if bad:
        raise SettingsError(
            f"{name}={raw!r}: {bad[0]!r} is not a frame source; use 'none', 'self' or "
            "addresses such as https://www.example.gov, separated by spaces"
        )
    return raw
