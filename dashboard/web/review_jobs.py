"""Review packs built in the background, with their progress and result in the app cache.

A pack takes seconds to build, too long for a request. :func:`start` names the job by what
the pack holds (the kind of period, fiscal year, quarter, language and the published-data
version), so the same
request finds the same job: a finished pack is served at once, a running one is joined.
Progress ("agency 5 of 12") and the finished PDF live in the app cache (filesystem or Redis
in deployments), so every gunicorn worker can answer the polling and the download, whichever
worker builds it.

Bounded: one build at a time per process (a single worker thread) and at most
:data:`MAX_WAITING` builds waiting behind it; more are refused with a clear message. A build
that takes longer than :data:`BUILD_TIME_LIMIT_S`, or fails, ends with an error status that
says why, and may be started again.

A pack reviews a fiscal quarter or, in an annual review, a whole fiscal year
(:class:`PackRequest` with no quarter). The page hands the request over as plain data
(:meth:`PackRequest.data`); :func:`request_from` reads it back and refuses anything else. The
finished PDF of a quarter is served at ``/review-pack/<job>.pdf``, that of a year at
``/review-pack/fy<year>/<job>.pdf`` (:func:`download_path`, :func:`pack_for_download`).

Only published data is ever in a pack (it is built from the review page's view), so nothing
here can put a draft in the cache.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.core.i18n import normalize_language
from dashboard.core.routes import Route
from dashboard.core.settings import Settings
from dashboard.domain.fiscal import FiscalCalendar
from dashboard.domain.review import FiscalYear, Quarter, ReviewPeriod
from dashboard.gateway import queries
from dashboard.views import NotFound
from dashboard.views.review_pack import Pack, PackError, build_pack
from dashboard.web import background_jobs
from dashboard.web.background_jobs import (  # noqa: F401  (the names this module always had)
    MAX_WAITING,
    BuildWorker,
    JobRecords,
    SaveProgress,
    build_worker,
    local_store,
    readable_stores,
    writable_store,
)
from dashboard.web.background_jobs import JobStore as PackStore
from dashboard.web.pages import page_view

#: Seconds a finished pack (and its status) stays in the cache; keys change with the data.
PACK_TIMEOUT_S = 6 * 3600

#: A build that runs longer than this is stopped with an error.
BUILD_TIME_LIMIT_S = 120.0

#: A "running" status not updated for this long belongs to a build that died with its worker.
STALE_AFTER_S = BUILD_TIME_LIMIT_S + 60.0

#: Where finished packs (and their status, as JSON) are served.
PACK_PREFIX = "/review-pack/"

#: The kinds of period a pack reviews (the request's and the status's "period").
QUARTER, FISCAL_YEAR = "quarter", "fiscal_year"

#: The status, PDF and claim of each pack in the cache (:mod:`dashboard.web.background_jobs`).
RECORDS = JobRecords("review-pack", "pdf", PACK_TIMEOUT_S)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackRequest:
    """The pack of a fiscal quarter, or of a whole fiscal year (``quarter`` None)."""

    fiscal_year: int
    quarter: int | None
    language: str

    @classmethod
    def of(cls, period: ReviewPeriod, language: str) -> PackRequest:
        if isinstance(period, FiscalYear):
            return cls(period.fiscal_year, None, language)
        return cls(period.fiscal_year, period.quarter, language)

    @property
    def annual(self) -> bool:
        return self.quarter is None

    @property
    def kind(self) -> str:
        return FISCAL_YEAR if self.annual else QUARTER

    @property
    def period(self) -> ReviewPeriod:
        if self.quarter is None:
            return FiscalYear(self.fiscal_year)
        return Quarter(self.fiscal_year, self.quarter)

    def query(self) -> dict[str, str]:
        """The review page's parameters of this period."""
        if self.quarter is None:
            return {"fy": str(self.fiscal_year)}
        return {"fy": str(self.fiscal_year), "q": str(self.quarter)}

    def data(self) -> dict[str, Any]:
        """The request as the page holds it (read back by :func:`request_from`)."""
        return {
            "period": self.kind,
            "fy": self.fiscal_year,
            "q": self.quarter,
            "lang": self.language,
        }

    def label(self, calendar: FiscalCalendar) -> str:
        """ "FY2026 Q3", or "FY2025" for a year (in the request's language)."""
        if self.quarter is None:
            return calendar.year_label(self.fiscal_year, self.language)
        return calendar.quarter_label(self.fiscal_year, self.quarter, self.language)


def _whole_number(value: Any, low: int, high: int) -> int | None:
    """``value`` as a whole number from ``low`` to ``high`` (an int or its digits), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 4:
            return None
        value = int(text)
    if not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def request_from(data: Any, default_language: str = "en") -> PackRequest | None:
    """The pack request the page holds (:meth:`PackRequest.data`); None for anything else.

    A request without a "period" (a page rendered before annual packs) is a quarter's when it
    names a quarter and a year's when it does not.
    """
    if not isinstance(data, Mapping):
        return None
    fiscal_year = _whole_number(data.get("fy"), 1000, 9999)
    if fiscal_year is None:
        return None
    kind = data.get("period")
    raw_quarter = data.get("q")
    if kind is None:
        kind = FISCAL_YEAR if raw_quarter in (None, "") else QUARTER
    language = data.get("lang")
    language = normalize_language(language if isinstance(language, str) else None, default_language)
    if kind == FISCAL_YEAR and raw_quarter in (None, ""):
        return PackRequest(fiscal_year, None, language)
    quarter = _whole_number(raw_quarter, 1, 4)
    if kind != QUARTER or quarter is None:
        return None
    return PackRequest(fiscal_year, quarter, language)


def job_id(request: PackRequest, data_version: str) -> str:
    quarter = "" if request.quarter is None else request.quarter
    text = f"{request.kind}|{request.fiscal_year}|{quarter}|{request.language}|{data_version}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def download_path(job: str, request: PackRequest) -> str:
    """Where the finished pack is served: ``/review-pack/<job>.pdf`` for a quarter (as it
    always was), ``/review-pack/fy2025/<job>.pdf`` for a fiscal year."""
    if request.quarter is None:
        return f"{PACK_PREFIX}fy{request.fiscal_year}/{job}.pdf"
    return f"{PACK_PREFIX}{job}.pdf"


def pack_for_download(
    job: str, year: str | None = None, store: PackStore | None = None
) -> tuple[bytes, dict[str, Any]] | None:
    """The finished pack and its status, when the address names it; else None (a 404).

    ``year`` is the ``fy<year>`` of an annual pack's address (None: a quarter's address).
    A quarter's pack is not served at a year's address, nor a year's at a quarter's or at
    another year's.
    """
    body = pdf(job, store)
    found = status(job, store)
    if body is None or found is None:
        return None
    annual = found.get("period", QUARTER) == FISCAL_YEAR
    if year is None:
        return (body, found) if not annual else None
    asked = _whole_number(year, 1000, 9999)
    if not annual or asked is None or asked != found.get("fy"):
        return None
    return body, found


def status(job: str, store: PackStore | None = None) -> dict[str, Any] | None:
    """The job's status: state ("queued", "running", "done", "error"), progress, or None."""
    return RECORDS.status(job, store)


def pdf(job: str, store: PackStore | None = None) -> bytes | None:
    return RECORDS.file(job, store)


def start(
    settings: Settings,
    request: PackRequest,
    *,
    store: PackStore | None = None,
    run_in_app: Callable[[Callable[[], None]], None] | None = None,
) -> dict[str, Any]:
    """Start (or find) the build of a pack; its status.

    ``run_in_app`` wraps the background work (the caller's Flask app context, which the
    cache and the page-view cache need); by default the work runs as is.
    """
    version = queries.data_status(settings.database_url).version
    job = job_id(request, version)
    return background_jobs.start(
        RECORDS,
        job,
        _identity(request),
        lambda claimed: _build(settings, request, job, claimed),
        store=store,
        stale_after_s=STALE_AFTER_S,
        queued={"step": "", "done": 0, "total": 1},
        refused=_error_fields(PackError.of("error_busy")),
        run_in_app=run_in_app,
    )


def _error_fields(error: PackError) -> dict[str, str]:
    """The reason a pack failed, in each language it is written in: ``error_en``, ``error_es``."""
    return {f"error_{code}": message for code, message in error.messages.items()}


def _identity(request: PackRequest) -> dict[str, Any]:
    """What names the pack in its status (the page reads the period and language back)."""
    return {
        "period": request.kind,
        "fy": request.fiscal_year,
        "q": request.quarter,
        "lang": request.language,
    }


def _failure(job: str) -> Callable[[Exception], dict[str, Any]]:
    def fields(error: Exception) -> dict[str, Any]:
        if isinstance(error, NotFound):
            return {"error_en": error.message, "error_es": error.message}
        if isinstance(error, PackError):
            return _error_fields(error)
        _log.error("review pack %s failed", job, exc_info=error)
        return _error_fields(PackError.of("error_unexpected"))

    return fields


def _build(settings: Settings, request: PackRequest, job: str, store: PackStore) -> None:
    def build(save_progress: SaveProgress) -> tuple[bytes, dict[str, Any]]:
        save_progress(step="loading", done=0, total=1)
        view, data = page_view(settings, Route("review"), request.query(), request.language)
        if view.has_data and view.quarter != request.period:
            # "fy" alone names a year's latest quarter when the year has quarterly results.
            label = request.label(FiscalCalendar.from_settings(settings))
            raise PackError.of("error_no_yearly_review", label=label)

        def progress(step: str, done: int, total: int, agency: int, agencies: int) -> None:
            save_progress(step=step, done=done, total=total, agency=agency, agencies=agencies)

        pack: Pack = build_pack(
            view, as_of=data.as_of, progress=progress, time_limit_s=BUILD_TIME_LIMIT_S
        )
        done = {"step": "done", "done": 1, "total": 1, "pages": pack.pages}
        return pack.pdf, {**done, "size": len(pack.pdf), "file_name": pack.file_name}

    background_jobs.run(RECORDS, store, job, _identity(request), build, _failure(job))
