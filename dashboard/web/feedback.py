"""POST /feedback: the answers to "Did this page help you?" (issue 14), and the form's token.

The form (``layouts/feedback.py``) is a plain HTML form: without JavaScript the browser posts
it and this route answers with a small server-written page in the form's language ("Thank
you", or a 400 saying what was wrong); with ``assets/feedback.js`` it is sent with ``fetch``
and ``Accept: application/json``, and the answer is JSON the script announces.

Checks, cheapest first, each refusing before anything is stored:

- a cross-site post (``Sec-Fetch-Site`` other than same-origin, or an ``Origin`` of another
  site): 403. Anonymous visitors have no cookie, so there is no session to ride on; the signed
  token (below) is the CSRF defence, this the belt to its braces;
- a body over :data:`BODY_MAX_BYTES`: 413, never read;
- more than FEEDBACK_RATE_LIMIT answers an hour from one client (its own bucket in
  ``infra/rate_limit.py``): 429 with ``Retry-After``;
- the honeypot filled: answered exactly as an accepted answer, so a program learns nothing,
  but nothing is stored (counted in the log, without anything the program sent);
- the token (``domain/feedback.py``): signed by this app for this page and language, older
  than 2 seconds (a person reads before answering) and younger than
  FEEDBACK_TOKEN_MAX_AGE_HOURS;
- the answer itself: yes or no, a known reason, a comment of at most 1,000 characters, a
  language among LANGUAGES and the path of a page of this site.

The agency or service is found by the server from the path. The comment is masked (e-mail
addresses, phone numbers) before it is stored, never logged, never cached, never shown on a
public page: staff read it in the workspace.

Why a token per page, language and day: pages are kept in the answer cache for the day they
were drawn on (``web/answer_cache.py``, keyed by day), with the form and its token in them (and
in the page's prerender, whose ``<noscript>`` form is the one a visitor without JavaScript
sends). A token whose issue time is the
start of the UTC day it was drawn in is the same for every drawing of that page that day, so
caching it changes nothing a visitor sees and a cached answer is byte for byte a fresh one.
It lives FEEDBACK_TOKEN_MAX_AGE_HOURS (72 by default, 49 at least): a page drawn late in a
day may be served from the cache for up to a day more (the cache's day is the server's local
day), and its visitor still has the rest. The price: the "filled in under 2 seconds" check
counts from the start of the day, so it only refuses a form posted at once after midnight;
the honeypot and the rate limit are what stop programs (a cached page could never tell when
it was shown anyway).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import secrets
import time
from urllib.parse import urlsplit

import flask

from dashboard.core.i18n import NP_, P_, Messages, messages, normalize_language, translate
from dashboard.core.routes import resolve
from dashboard.core.settings import Settings
from dashboard.domain import feedback as rules
from dashboard.infra import rate_limit
from dashboard.infra.db import session_scope
from dashboard.infra.models import FEEDBACK_REASONS
from dashboard.infra.templating import render

#: The route the form posts to.
PATH = "/feedback"
#: Largest body read: a comment of 1,000 characters of 4 UTF-8 bytes each, percent-encoded
#: (3 characters a byte), plus the other fields, with room to spare.
BODY_MAX_BYTES = 16 * 1024
#: The feedback bucket's window: FEEDBACK_RATE_LIMIT answers an hour.
RATE_WINDOW_S = 3600
#: The honeypot field (``layouts/feedback.HONEYPOT_FIELD``; this layer may not import it).
HONEYPOT_FIELD = "website"
#: How often a process clears old comments on its own (besides ``cxdash feedback-purge``).
PURGE_EVERY = dt.timedelta(days=1)

_log = logging.getLogger(__name__)

TEXT: Messages = messages(
    P_("feedback_page_title", "Page feedback"),
    P_("feedback_thanks", "Thank you — your answer was recorded."),
    P_("feedback_back", "Back to the page"),
    P_("feedback_not_recorded", "Your answer was not recorded."),
    P_("feedback_problem_cross_site", "This form can only be sent from this site's own pages."),
    P_(
        "feedback_problem_token",
        "The form has expired or did not come from this site. Open the page again and answer "
        "once more.",
    ),
    P_(
        "feedback_problem_token_too_fresh",
        "The form was sent too quickly. Wait a moment, then send it again.",
    ),
    P_("feedback_problem_helpful", "Choose Yes or No."),
    P_("feedback_problem_reason", "Choose one of the reasons offered, or none."),
    P_("feedback_problem_comment_too_long", "The comment is longer than {count} characters."),
    P_("feedback_problem_language", "The form's language is not one this site offers."),
    P_("feedback_problem_page", "The form does not name a page of this site."),
    P_("feedback_problem_too_large", "The form is larger than this site accepts."),
    NP_(
        "feedback_problem_rate",
        "You have sent many answers in a short time. Please try again in {count} minute.",
        "You have sent many answers in a short time. Please try again in {count} minutes.",
    ),
)


class Refused(Exception):
    """An answer refused: the HTTP status and the problem codes."""

    def __init__(self, status: int, problems: list[str], retry_after: int | None = None):
        super().__init__(", ".join(problems))
        self.status = status
        self.problems = problems
        self.retry_after = retry_after


# -- the token a page's form carries -----------------------------------------------------------


def _settings() -> Settings | None:
    if not flask.has_app_context():
        return None
    settings = flask.current_app.config.get("CXDASH_SETTINGS")
    return settings if isinstance(settings, Settings) else None


def now_s(settings: Settings) -> float:
    """Seconds since the epoch; ``Settings(extra={"clock": callable})`` in tests."""
    clock = settings.extra.get("clock")
    return float(clock()) if callable(clock) else time.time()


def form_secret(settings: Settings) -> str:
    """The key the form tokens are signed with: SECRET_KEY (the server refuses to start
    without it); for Settings built in code without one (tests), a random key of this
    process, so that every app of the process draws the same page the same way."""
    return settings.secret_key or _process_key()


@functools.cache
def _process_key() -> str:
    return secrets.token_hex(32)


def _secret() -> str:
    settings = _settings()
    if settings is None:  # only called inside the app, which has its settings
        raise RuntimeError("the feedback form's key is read inside the app only")
    return form_secret(settings)


def takes_feedback(path: str) -> bool:
    """Whether ``path`` is a page that carries the widget (every public page but the embeds;
    not the 404 page, which has no route; the path as the site writes it)."""
    if not path.startswith("/") or len(path) > rules.PAGE_PATH_MAX_CHARS:
        return False
    if any(ch in path for ch in "?#\\<>\"' ") or (path != "/" and path.endswith("/")):
        return False
    route = resolve(path)
    return route is not None and route.page != "embed"


#: Tokens are issued per day (see the module docstring).
TOKEN_PERIOD_S = 86_400


def _issued(settings: Settings) -> int:
    """The issue time of the tokens drawn now: the start of the current UTC day."""
    return int(now_s(settings) // TOKEN_PERIOD_S) * TOKEN_PERIOD_S


def page_token(path: str, language: str) -> str | None:
    """The token for the widget on the page at ``path`` in ``language``; None when feedback is
    off, outside the app, or for a page that takes none."""
    settings = _settings()
    if settings is None or not settings.feedback_enabled or not takes_feedback(path):
        return None
    return rules.sign_token(_secret(), issued=_issued(settings), page_path=path, language=language)


# -- the route ---------------------------------------------------------------------------------


def _cross_site() -> bool:
    request = flask.request
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    parts = urlsplit(origin)
    return parts.netloc != request.host or parts.scheme != request.scheme


def _is_known_page(path: str) -> bool:
    """Whether ``path`` names a page that exists now (an agency that is published...)."""
    if not takes_feedback(path):
        return False
    known_pages = flask.current_app.extensions.get("cxdash_known_pages")
    return known_pages is None or bool(known_pages.known(path, {}))


def _check(settings: Settings, now: float) -> rules.Answer | None:
    """The answer posted, None for a honeypot answer; raises :class:`Refused`."""
    request = flask.request
    if _cross_site():
        raise Refused(403, ["cross_site"])
    if request.content_length is not None and request.content_length > BODY_MAX_BYTES:
        raise Refused(413, ["too_large"])
    client = rate_limit.client_address(settings)
    wait = rate_limit.charge(
        settings,
        "feedback",
        client,
        settings.feedback_rate_limit,
        now=now,
        window_s=RATE_WINDOW_S,
    )
    if wait is not None:
        raise Refused(429, ["rate"], retry_after=wait)
    form = {key: request.form.get(key, "") for key in ("page", "lang", "token", "helpful")}
    form["reason"] = request.form.get("reason", "")
    form["comment"] = request.form.get("comment", "")
    if request.form.get(HONEYPOT_FIELD, ""):
        # Nothing of what was sent is logged: a count is what an operator needs.
        _log.info("feedback: honeypot filled, answer dropped")
        return None
    problem = rules.check_token(
        _secret(),
        form["token"],
        page_path=form["page"],
        language=form["lang"],
        now=now,
        max_age_s=settings.feedback_token_max_age_hours * 3600,
    )
    if problem is not None:
        raise Refused(400, [problem])
    answer, problems = rules.check_answer(
        form,
        languages=tuple(settings.languages),
        reasons=FEEDBACK_REASONS,
        is_public_path=_is_known_page(form["page"]),
    )
    if answer is None:
        raise Refused(400, problems)
    return answer


def _store(settings: Settings, answer: rules.Answer, now: float) -> None:
    from data.feedback import purge_old_comments, record_feedback, unit_of_page

    received = dt.datetime.fromtimestamp(now, dt.UTC)
    with session_scope(settings.database_url) as session:
        record_feedback(
            session,
            page_path=answer.page_path,
            unit_id=unit_of_page(session, answer.page_path),
            language=answer.language,
            helpful=answer.helpful,
            reason=answer.reason,
            comment=answer.comment,
            received_at=received,
        )
        # Comments past the retention period are also cleared by each process once a day on
        # its own, so that a deployment without the cron line still forgets them.
        purged = flask.current_app.extensions.get("cxdash_feedback_purged_at")
        if purged is None or received - purged >= PURGE_EVERY:
            cleared = purge_old_comments(
                session, now=received, retention_days=settings.feedback_retention_days
            )
            flask.current_app.extensions["cxdash_feedback_purged_at"] = received
            if cleared:
                _log.info("feedback: %d comments past the retention period cleared", cleared)


def _message(problem: str, language: str, retry_after: int | None) -> str:
    if problem == "rate":
        return translate(
            TEXT, "feedback_problem_rate", language, count=math.ceil((retry_after or 60) / 60)
        )
    if problem == "comment_too_long":
        return translate(
            TEXT, "feedback_problem_comment_too_long", language, count=rules.COMMENT_MAX_CHARS
        )
    if problem in (rules.TOKEN_BAD, rules.TOKEN_EXPIRED):
        problem = "token"
    return translate(TEXT, f"feedback_problem_{problem}", language)


def _wants_json() -> bool:
    accept = flask.request.accept_mimetypes
    return accept.best_match(["text/html", "application/json"]) == "application/json"


def _answer_page(
    language: str, status: int, heading: str, lines: list[str], back: str
) -> flask.Response:
    body = render(
        "feedback/answer.html",
        language=language,
        title=translate(TEXT, "feedback_page_title", language),
        heading=heading,
        lines=lines,
        back=back,
        back_text=translate(TEXT, "feedback_back", language),
        failed=status >= 400,
    )
    return flask.Response(body, status=status, mimetype="text/html")


def receive() -> flask.Response:
    """The POST /feedback view."""
    settings = _settings()
    if settings is None or not settings.feedback_enabled:
        flask.abort(404)
    # A body without a declared length (chunked) is cut at the same size when read.
    flask.request.max_content_length = BODY_MAX_BYTES
    now = now_s(settings)
    posted_language = flask.request.form.get("lang") if _body_is_small() else None
    language = normalize_language(posted_language, settings.default_language)
    posted_page = flask.request.form.get("page", "") if _body_is_small() else ""
    back = posted_page if takes_feedback(posted_page) else "/"
    if language != settings.default_language:
        back = f"{back}?lang={language}"
    try:
        answer = _check(settings, now)
        if answer is not None:
            _store(settings, answer, now)
    except Refused as refused:
        messages_said = [_message(p, language, refused.retry_after) for p in refused.problems]
        if _wants_json():
            response = flask.jsonify(
                {"ok": False, "problems": refused.problems, "message": " ".join(messages_said)}
            )
            response.status_code = refused.status
        else:
            response = _answer_page(
                language,
                refused.status,
                translate(TEXT, "feedback_not_recorded", language),
                messages_said,
                back,
            )
        if refused.retry_after is not None:
            response.headers["Retry-After"] = str(refused.retry_after)
        return _private(response, language)
    thanks = translate(TEXT, "feedback_thanks", language)
    if _wants_json():
        response = flask.jsonify({"ok": True, "message": thanks})
    else:
        response = _answer_page(language, 200, thanks, [], back)
    return _private(response, language)


def _body_is_small() -> bool:
    length = flask.request.content_length
    return length is None or length <= BODY_MAX_BYTES


def _private(response: flask.Response, language: str) -> flask.Response:
    # An answer about one visitor's post: never kept by a shared cache, nor by the browser.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = language
    return response


def install(server: flask.Flask) -> None:
    """Register POST /feedback on ``server`` (the factory; settings in its config)."""
    server.add_url_rule(PATH, "feedback", receive, methods=["POST"])
