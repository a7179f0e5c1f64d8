/* The staff workspace's own script (assets/staff/: never on a public page).

   Ties each field's help and problem text to its input (aria-describedby, aria-invalid).
   Dash's inputs take no aria-* attributes, so the staff layouts mark the texts with
   data-describes="<the input's id>" and this links them whenever the page changes. */
(function () {
  "use strict";
  function link() {
    var byInput = {};
    document.querySelectorAll("[data-describes]").forEach(function (text) {
      var target = text.getAttribute("data-describes");
      if (!text.id || !target) { return; }
      (byInput[target] = byInput[target] || []).push(text);
    });
    Object.keys(byInput).forEach(function (inputId) {
      var input = document.getElementById(inputId);
      if (!input) { return; }
      var ids = byInput[inputId].map(function (t) { return t.id; }).join(" ");
      if (input.getAttribute("aria-describedby") !== ids) {
        input.setAttribute("aria-describedby", ids);
      }
      var invalid = byInput[inputId].some(function (t) {
        return t.classList.contains("invalid-feedback");
      });
      if (invalid && input.getAttribute("aria-invalid") !== "true") {
        input.setAttribute("aria-invalid", "true");
      } else if (!invalid && input.hasAttribute("aria-invalid")) {
        input.removeAttribute("aria-invalid");
      }
    });
  }
  /* dcc.Upload's file input has no label of its own: it takes its holder's words. */
  function labelFileInputs() {
    document.querySelectorAll("[data-file-label]").forEach(function (holder) {
      var words = holder.getAttribute("data-file-label");
      holder.querySelectorAll("input[type=file]").forEach(function (input) {
        if (input.getAttribute("aria-label") !== words) { input.setAttribute("aria-label", words); }
      });
    });
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; link(); labelFileInputs(); });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
