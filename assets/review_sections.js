/* The quarterly review's collapsible parts (layouts/review.py, assets/review_sections.css).
   - A link to a part ("On this page", #review-dimension-timeliness) opens it: the browser
     opens a <details> around a link's target by itself, but not the <details> that is the
     target.
   - Printing opens every part, and closes again afterwards the ones that were closed
     (for browsers whose print style cannot reach a closed <details>'s content). */
(function () {
  "use strict";

  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS" && target.classList.contains("review-collapsible")) {
      target.open = true;
    }
  }

  var reopened = [];
  window.addEventListener("hashchange", openTarget);
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.filter.call(
      document.querySelectorAll("details.review-collapsible:not([open])"),
      function (part) { part.open = true; return true; }
    );
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (part) { part.open = false; });
    reopened = [];
  });
})();
