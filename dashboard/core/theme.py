"""The government identity a deployment ships as its theme: name, logo, colours, footer links.

Pure checks of the values ``dashboard.core.settings`` reads from the environment. A theme is
refused at start-up when it would break the site's accessibility (WCAG 2.1 AA): the header's
white text on the primary colour needs 4.5:1, as do links in the primary colour on white; the
accent marks the current page in the menu and the keyboard focus on the header, so it needs
3:1 against the primary (non-text contrast). The error says which setting, the ratio found
and what to do, so that a bad theme never reaches the public.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

#: ``#1b3a5c`` or ``#fff`` (the short form is expanded).
_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

#: Logo files a browser shows as an image.
LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")

#: WCAG 2.1 AA: text (1.4.3) and user-interface components and graphics (1.4.11).
TEXT_CONTRAST = 4.5
NON_TEXT_CONTRAST = 3.0

WHITE = "#ffffff"
#: The body text colour (Bootstrap's), which primary-coloured links sit beside.
BODY_TEXT = "#212529"


class ThemeError(ValueError):
    """A theme value cxdash cannot use; the message names the setting."""


@dataclass(frozen=True)
class FooterLink:
    label: str
    url: str


def hex_colour(name: str, raw: str) -> str:
    """``raw`` as a lower-case ``#rrggbb`` colour, or :class:`ThemeError` naming ``name``."""
    value = raw.strip()
    if not _HEX_COLOUR.match(value):
        raise ThemeError(f"{name}={raw!r} is not a hex colour: write it like #1b3a5c")
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return "#" + digits


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a ``#rrggbb`` colour (0 black to 1 white)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def check_colours(primary: str, accent: str) -> None:
    """Refuse a primary or accent colour that would break AA contrast somewhere it is used."""
    on_white = contrast_ratio(primary, WHITE)
    if on_white < TEXT_CONTRAST:
        raise ThemeError(
            f"THEME_PRIMARY_COLOR={primary!r} has a contrast of {on_white:.2f}:1 with white; "
            f"the header's white text and the links drawn in it need at least "
            f"{TEXT_CONTRAST}:1 (WCAG 2.1 AA). Choose a darker colour."
        )
    against_primary = contrast_ratio(accent, primary)
    if against_primary < NON_TEXT_CONTRAST:
        raise ThemeError(
            f"THEME_ACCENT_COLOR={accent!r} has a contrast of {against_primary:.2f}:1 with "
            f"THEME_PRIMARY_COLOR={primary!r}; it marks the current page and the keyboard "
            f"focus on the header, which need at least {NON_TEXT_CONTRAST}:1 (WCAG 2.1 AA). "
            "Choose a lighter accent (or a darker primary)."
        )


def is_safe_url(url: str) -> bool:
    """An ``http(s)://`` address or a path on this site (``/accessibility``); never
    ``javascript:``, ``data:`` or a protocol-relative ``//host``."""
    if url.startswith("/"):
        return not url.startswith("//") and "\\" not in url
    return re.match(r"^https?://[^\s/]+", url, flags=re.IGNORECASE) is not None and not any(
        c.isspace() for c in url
    )


def footer_links(name: str, raw: str) -> tuple[FooterLink, ...]:
    """``Label|URL`` entries separated by ``;`` or new lines."""
    found: list[FooterLink] = []
    for entry in (part.strip() for part in re.split(r"[;\n]", raw) if part.strip()):
        label, bar, url = entry.partition("|")
        label, url = label.strip(), url.strip()
        if not bar or not label or not url:
            raise ThemeError(
                f"{name}: {entry!r} must be Label|URL (entries separated by ;), "
                "e.g. Accessibility|https://www.example.gov/accessibility"
            )
        if not is_safe_url(url):
            raise ThemeError(
                f"{name}: {url!r} must be an http(s):// address or a path on this site "
                "starting with /"
            )
        found.append(FooterLink(label, url))
    return tuple(found)


def logo_path(name: str, raw: str, assets: PurePosixPath | None = None) -> str:
    """Where the logo is: a file under ``assets/`` (``identity/seal.svg``, served by the app at
    ``/assets/identity/seal.svg``) or a path this site serves (``/static/seal.png``). Never
    another host: a public page requests nothing from a third party."""
    value = raw.strip()
    if not value:
        return ""
    if not value.lower().split("?")[0].endswith(LOGO_SUFFIXES):
        raise ThemeError(f"{name}={raw!r} must be an image ({', '.join(LOGO_SUFFIXES)})")
    if value.startswith("/"):
        if not is_safe_url(value):
            raise ThemeError(f"{name}={raw!r} must be a path on this site, not another host")
        return value
    if "://" in value or value.startswith("//"):
        raise ThemeError(
            f"{name}={raw!r}: the logo must be served by this site (a file under assets/ or a "
            "path starting with /), never loaded from another host"
        )
    parts = PurePosixPath(value).parts
    if ".." in parts:
        raise ThemeError(f"{name}={raw!r} must stay inside assets/")
    return value


def logo_url(logo: str) -> str | None:
    """The logo's address on the page: a file under ``assets/`` is served at ``/assets/``."""
    if not logo:
        return None
    return logo if logo.startswith("/") else f"/assets/{logo}"
