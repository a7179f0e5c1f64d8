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
