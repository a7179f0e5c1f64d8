// Print every chart's data table: open the closed <details> before printing, close them after.
(function () {
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-table:not([open])").forEach(function (details) {
      details.dataset.openedForPrint = "true";
      details.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-opened-for-print]").forEach(function (details) {
      delete details.dataset.openedForPrint;
      details.open = false;
    });
  });
})();

// Following a link of the site menu, or sending the home page's search and period forms,
// draws the new page in place (as dcc.Link does) instead of reloading it. Without this script
// they are ordinary links and GET forms, and work the same with a full load.
(function () {
  if (!window.history || !window.history.pushState || !window.URLSearchParams) { return; }
  var FORMS = { "filter-form": true, "period-form": true };
  // The id of the control to give focus back to once the searched page is drawn.
  var refocus = null;

  function go(url) {
    window.history.pushState({}, "", url);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
  }

  function announce(text) {
    var region = document.getElementById("page-announcer");
    if (!region || !text) { return; }
    // Emptied first: the same words again (the same count) are read out again.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 100);
  }

  function searched() {
    if (refocus === null) { return; }
    var control = document.getElementById(refocus) || document.getElementById("search-input");
    refocus = null;
    if (control) { control.focus({ preventScroll: true }); }
    var count = document.querySelector("#scorecard-count, #no-match p");
    if (count) { announce(count.textContent.replace(/\s+/g, " ").trim()); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.site-menu-link");
    if (!link || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    go(link.getAttribute("href"));
    window.scrollTo(0, 0);
    var main = document.getElementById("main-content");
    if (main) { main.focus({ preventScroll: true }); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !FORMS[form.id]) { return; }
    event.preventDefault();
    var query = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && value !== "") { query.append(name, value); }
    });
    var text = query.toString();
    var url = form.getAttribute("action") + (text ? "?" + text : "");
    var active = document.activeElement;
    refocus = active && active.id && form.contains(active) && active.tagName !== "BUTTON"
      ? active.id : (form.id === "filter-form" ? "search-input" : "period-select");
    if (url === window.location.pathname + window.location.search) {
      searched();  // nothing to draw: the page already shows this search
    } else {
      go(url);
    }
  });

  // callbacks/router.py sends this once a page is drawn.
  document.addEventListener("cxdash:page-drawn", searched);
})();
