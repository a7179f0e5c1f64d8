/* Two changes to how Dash draws charts, both for the first page load.

   1. One chart at a time, topmost first, each in its own task. dcc.Graph calls Plotly.react
      for every chart on a page in the same task, so nothing shows until all of them (15 on an
      agency page, ~25 ms each) are drawn. Queued here, the chart at the top of the page is
      drawn and painted first while the rest follow; every chart is still drawn without
      waiting for a scroll, so printing and tests see them all.
   2. No redraw when the size has not changed. After its first drawing dcc.Graph asks
      Plotly.Plots.resize to fit the chart to its box, which waits 100 ms and lays the chart
      out again: for 15 charts that doubles the work, for charts that already fit. A resize
      to a different size (a window resized or a phone turned) goes through as before. */
(function () {
  "use strict";
  var queue = [];
  var scheduled = false;

  function top(job) {
    return job.gd && job.gd.isConnected ? job.gd.getBoundingClientRect().top : Infinity;
  }

  function drawNext(react) {
    scheduled = false;
    if (!queue.length) { return; }
    // Array.prototype.sort is stable: two draws of the same chart keep their order.
    queue.sort(function (a, b) { return top(a) - top(b); });
    var job = queue.shift();
    if (job.gd && !job.gd.isConnected) {
      // The page changed before this chart's turn: nothing to draw into.
      job.resolve(job.gd);
      schedule(react);
      return;
    }
    var drawn;
    try {
      drawn = Promise.resolve(react.apply(window.Plotly, job.args));
    } catch (error) {
      drawn = Promise.reject(error);
    }
    drawn.then(function (gd) {
      job.gd._cxdashDrawnSize = size(job.gd);
      job.resolve(gd);
    }, job.reject);
    schedule(react);
  }

  function schedule(react) {
    if (queue.length && !scheduled) {
      scheduled = true;
      setTimeout(function () { drawNext(react); }, 0);
    }
  }

  function size(gd) {
    return gd.clientWidth + "x" + gd.clientHeight;
  }

  function install() {
    var Plotly = window.Plotly;
    if (!Plotly || Plotly.__cxdashScheduled) { return; }
    var react = Plotly.react;
    Plotly.react = function (gd) {
      var args = arguments;
      return new Promise(function (resolve, reject) {
        queue.push({gd: gd, args: args, resolve: resolve, reject: reject});
        schedule(react);
      });
    };
    var resize = Plotly.Plots.resize;
    Plotly.Plots.resize = function (gd) {
      var div = typeof gd === "string" ? document.getElementById(gd) : gd;
      if (div && div._cxdashDrawnSize && div._cxdashDrawnSize === size(div)) {
        return Promise.resolve(div);
      }
      return resize.apply(this, arguments);
    };
    Plotly.__cxdashScheduled = true;
  }

  // Plotly (assets/vendor/) loads after this file; Dash draws nothing before this event.
  document.addEventListener("DOMContentLoaded", install);
})();

/* Printing: a chart drawn for the screen is as wide as the screen's column (1,116 px on a
   desktop), wider than a page, and printing does not draw it again: its right edge (the
   latest periods) was cut off. Before printing, each of its SVG layers gets a viewBox of its
   own size, so assets/charts.css can scale it to the page's width (100%, height in
   proportion); after printing the viewBox goes, and the screen is as it was. */
(function () {
  "use strict";

  function layers() {
    return document.querySelectorAll(".chart-graph .js-plotly-plot .main-svg");
  }

  function fitForPrint() {
    layers().forEach(function (svg) {
      var width = svg.getAttribute("width");
      var height = svg.getAttribute("height");
      if (!width || !height) { return; }
      svg.setAttribute("viewBox", "0 0 " + parseFloat(width) + " " + parseFloat(height));
      svg.setAttribute("preserveAspectRatio", "xMinYMin meet");
      svg.setAttribute("data-print-fitted", "true");
    });
  }

  function unfit() {
    layers().forEach(function (svg) {
      if (svg.getAttribute("data-print-fitted")) {
        svg.removeAttribute("viewBox");
        svg.removeAttribute("preserveAspectRatio");
        svg.removeAttribute("data-print-fitted");
      }
    });
  }

  window.addEventListener("beforeprint", fitForPrint);
  window.addEventListener("afterprint", unfit);
  window.cxdashCharts = { fitForPrint: fitForPrint, unfit: unfit };
})();

/* "Copy link" below each chart (layouts/chart_controls.py): a plain link to the chart on its
   page, which a click copies instead of following; a live region beside it says it was
   copied, or shows the address when the browser would not copy it. A click with a modifier
   (open in a new tab) is the link's. */
(function () {
  "use strict";

  function say(status, text) {
    if (!status) { return; }
    // Emptied first: the same words again (a second copy) are read out again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.chart-copy-link");
    if (!link || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    var url = new URL(link.getAttribute("href"), window.location.href).href;
    var status = document.getElementById(link.id + "-status");
    var failed = function () {
      say(status, (link.getAttribute("data-failed") || "{url}").replace("{url}", url));
    };
    if (!navigator.clipboard || !navigator.clipboard.writeText) { failed(); return; }
    navigator.clipboard.writeText(url).then(function () {
      say(status, link.getAttribute("data-copied") || url);
    }, failed);
  });
})();

/* A chart's permalink ends in its title's id (#chart-…-title). The page is drawn after it
   loads, so the browser found nothing to scroll to: once the page is drawn
   (callbacks/router.py sends "cxdash:page-drawn"), the chart's title is brought into view. */
(function () {
  "use strict";
  var done = "";
  document.addEventListener("cxdash:page-drawn", function () {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var key = window.location.pathname + window.location.search + "#" + id;
    if (!/^chart-[\w-]+$/.test(id) || key === done) { return; }
    var target = document.getElementById(id);
    if (target) {
      done = key;  // once per address: later redraws leave the reader where they are
      target.scrollIntoView();
    }
  });
})();
