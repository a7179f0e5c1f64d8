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
