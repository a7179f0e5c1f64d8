"""'Did this page help you?' (issue 14): the form at the foot of every public page's content.

A real ``<form method="post" action="/feedback">``, so that it works without JavaScript; with
it, ``assets/feedback.js`` sends it with ``fetch`` and says the answer in the widget's status
region. Dash has no ``<input>`` component, so the form is plain HTML as data: the component
:class:`FeedbackForm`, drawn as ``StaticHtml`` draws its data (``layouts/static_html.py``,
``assets/static-html.js``; a type of its own, so that it is not taken for the first layout's
compaction); the page's prerender (``layouts/prerender.py``) writes the same data as HTML
inside ``<noscript>`` for a visitor without JavaScript, so the two forms cannot drift apart.

The hidden fields: the page path and language the answer is about, the signed form token
(``dashboard.domain.feedback``), and a honeypot ("Leave this empty") that people never see
nor reach (off-screen, ``aria-hidden``, ``tabindex=-1``, no autofill) but form-filling
programs do. Nothing personal is asked.
"""

from __future__ import annotations

from typing import Any

from dashboard.core.i18n import P_, Messages, messages, translate
from dashboard.domain.feedback import COMMENT_MAX_CHARS
from dashboard.infra.models import FEEDBACK_REASONS
from layouts.static_html import TreeComponent

#: The id of the widget (its ``<section>``); pages and tests find it by it.
WIDGET_ID = "feedback-widget"
#: The region that says "Thank you" or what went wrong (assets/feedback.js).
STATUS_ID = "feedback-status"
#: Where the form posts (``dashboard/web/feedback.py``).
ACTION = "/feedback"
#: The honeypot field's name: an ordinary-looking name that form-fillers complete.
HONEYPOT_FIELD = "website"

TEXT: Messages = messages(
    P_("feedback_question", "Did this page help you?"),
    P_("feedback_yes", "Yes"),
    P_("feedback_no", "No"),
    P_("feedback_reason_label", "What best describes your visit? (optional)"),
    P_("feedback_reason_none", "Choose a reason"),
    P_("feedback_reason_found_it", "I found what I was looking for"),
    P_("feedback_reason_easy_to_understand", "The page was easy to understand"),
    P_("feedback_reason_not_found", "I could not find what I was looking for"),
    P_("feedback_reason_hard_to_understand", "The page was hard to understand"),
    P_("feedback_reason_out_of_date", "The information looks out of date"),
    P_("feedback_reason_other", "Something else"),
    P_("feedback_comment_label", "Tell us more (optional)"),
    P_(
        "feedback_comment_hint",
        "Do not include personal information such as your name, e-mail or phone number. "
        "We do not reply to comments. At most {count} characters.",
    ),
    P_("feedback_honeypot", "Leave this empty"),
    P_("feedback_send", "Send"),
)


class FeedbackForm(TreeComponent):
    """The widget's HTML as data (``tree``, as ``StaticHtml`` takes it), drawn by
    ``assets/feedback.js``; a type of its own, so that the first layout's compaction and the
    prerender tell it apart."""

    _children_props: list[str] = []  # noqa: RUF012
    _namespace = "cxdash"
    _type = "FeedbackForm"


def _node(tag: str, props: dict[str, Any] | None = None, *children: Any) -> dict[str, Any]:
    node: dict[str, Any] = {"t": tag}
    if props:
        node["p"] = props
    if children:
        node["c"] = list(children)
    return node


def form_tree(*, path: str, language: str, token: str) -> dict[str, Any]:
    """The widget as ``StaticHtml`` data (React prop names)."""

    def say(key: str, **values: object) -> str:
        return translate(TEXT, key, language, **values)

    hidden = [
        _node("input", {"type": "hidden", "name": name, "value": value})
        for name, value in (("page", path), ("lang", language), ("token", token))
    ]
    honeypot = _node(
        "div",
        {"className": "feedback-trap", "aria-hidden": "true"},
        _node("label", {"htmlFor": "feedback-website"}, say("feedback_honeypot")),
        _node(
            "input",
            {
                "type": "text",
                "id": "feedback-website",
                "name": HONEYPOT_FIELD,
                "tabIndex": "-1",
                "autoComplete": "off",
            },
        ),
    )
    choices = [
        _node(
            "div",
            {"className": "feedback-choice"},
            _node(
                "input",
                {
                    "type": "radio",
                    "id": f"feedback-helpful-{value}",
                    "name": "helpful",
                    "value": value,
                    "required": True,
                },
            ),
            _node("label", {"htmlFor": f"feedback-helpful-{value}"}, say(f"feedback_{value}")),
        )
        for value in ("yes", "no")
    ]
    question = _node(
        "fieldset",
        {"className": "feedback-question"},
        _node("legend", {"id": "feedback-question"}, say("feedback_question")),
        _node("div", {"className": "feedback-choices"}, *choices),
    )
    reasons = [
        _node("option", {"value": ""}, say("feedback_reason_none")),
        *[
            _node("option", {"value": code}, say(f"feedback_reason_{code}"))
            for code in FEEDBACK_REASONS
        ],
    ]
    reason = _node(
        "div",
        {"className": "feedback-field"},
        _node("label", {"htmlFor": "feedback-reason"}, say("feedback_reason_label")),
        _node("select", {"id": "feedback-reason", "name": "reason"}, *reasons),
    )
    comment = _node(
        "div",
        {"className": "feedback-field"},
        _node("label", {"htmlFor": "feedback-comment"}, say("feedback_comment_label")),
        _node(
            "p",
            {"id": "feedback-comment-hint", "className": "feedback-hint"},
            say("feedback_comment_hint", count=COMMENT_MAX_CHARS),
        ),
        _node(
            "textarea",
            {
                "id": "feedback-comment",
                "name": "comment",
                "rows": 3,
                "maxLength": COMMENT_MAX_CHARS,
                "aria-describedby": "feedback-comment-hint",
            },
        ),
    )
    form = _node(
        "form",
        {"method": "post", "action": ACTION, "className": "feedback-form"},
        *hidden,
        honeypot,
        question,
        reason,
        comment,
        _node("button", {"type": "submit", "className": "btn btn-primary"}, say("feedback_send")),
    )
    status = _node(
        "div",
        {
            "id": STATUS_ID,
            "className": "feedback-status",
            "role": "status",
            "aria-live": "polite",
            "tabIndex": "-1",
        },
    )
    return _node(
        "section",
        {
            "id": WIDGET_ID,
            "className": "feedback",
            "aria-labelledby": "feedback-question",
            "lang": language,
        },
        form,
        status,
    )


def widget(*, path: str, language: str, token: str | None) -> FeedbackForm | None:
    """The widget for the page at ``path`` in ``language``; None without a token (feedback
    off, or a page that takes none)."""
    if token is None:
        return None
    return FeedbackForm(tree=[form_tree(path=path, language=language, token=token)])
