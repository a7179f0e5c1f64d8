/* "Did this page help you?" (layouts/feedback.py, issue 14): sends the form without leaving
   the page. Without this script the form still posts as a plain form and the server answers
   with a page (dashboard/web/feedback.py).

   Dash draws pages after this script runs and again on every navigation, so the handler is on
   the document (event delegation), not on a form that may not exist yet. The answer is said
   in the widget's status region (role=status, aria-live=polite), which takes the focus, so a
   screen reader reads it and a keyboard user continues from there. */
(function () {
  "use strict";

  // The widget's component (layouts/feedback.py): its HTML as data, drawn as StaticHtml draws
  // its own (assets/static-html.js, loaded after this file: looked up when drawn).
  window.cxdash = Object.assign(window.cxdash || {}, {
    FeedbackForm: function (props) { return window.cxdash.StaticHtml({tree: props.tree}); }
  });

  function say(widget, text, failed) {
    var status = widget.querySelector(".feedback-status");
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("feedback-error", !!failed);
    status.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.classList || !form.classList.contains("feedback-form")) { return; }
    if (!window.fetch || !window.URLSearchParams || !window.FormData) { return; }
    var widget = form.closest(".feedback");
    if (!widget) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "omit",
      headers: {"Accept": "application/json"},
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      return response.json().then(function (answer) { return {ok: response.ok, answer: answer}; });
    }).then(function (result) {
      if (result.ok && result.answer.ok) {
        form.hidden = true;
        say(widget, result.answer.message, false);
      } else {
        if (button) { button.disabled = false; }
        say(widget, result.answer.message, true);
      }
    }).catch(function () {
      // No answer (offline...): let the browser send the form itself.
      if (button) { button.disabled = false; }
      form.submit();
    });
  });
})();
