/* The prerender (issue 13): a public page's index carries its first layout as plain HTML in
   #prerender (layouts/prerender.py, callbacks/router.prerender_for_index), before Dash's
   #react-entry-point, which assets/prerender.css keeps laid out on the same spot but hidden
   (and so out of the accessibility tree) while #prerender is there. This file:

   1. Takes the preloaded /_dash-layout answer (factory.preload_links) for itself, reads the
      figures of the page's graphs out of it, and hands the very same answer to Dash when
      Dash's renderer asks for it (fetch wrapped for that one request): the figures travel
      once, in the layout, not again in the HTML.
   2. Draws the charts of #prerender with Plotly as soon as both Plotly and the figures are
      there (Plotly is caught the moment its bundle defines it): those in view (or else the
      page's first), top first, one per task; any other when it scrolls into view before
      Dash's page is shown.
   2b. Loads Dash once the first chart is drawn and a frame has passed. In a prerendered
      index only this file and Plotly's bundle are scripts the parser runs; Dash's own
      (React, its renderer, dcc, the other assets) are placeholders, in their order
      (factory.dash_after_first_chart), turned into scripts here and run in that order, then
      Dash's renderer started as Dash's index would start it. Fetched and compiled during
      the first chart, they took the CPU it needed (on two cores, 1.3-1.4 times the time of
      the same page without Dash: bench/page_load.py --static). If anything goes wrong
      before, Dash is loaded at the latest LOAD_DASH_AT_THE_LATEST_MS after the page's
      "load" event.
   3. Swaps: once Dash has drawn its page and every graph in view, #prerender is removed and
      Dash's page shown in its place, at the same scroll position; if the focus was in the
      prerender, it moves to the same element of Dash's page (same id, or same link and text).

   Without JavaScript the prerender is the page (its charts' boxes hidden: their text and
   tables are in it). If Dash never draws its page, the prerender stays. */
(function () {
  "use strict";
  var container = document.getElementById("prerender");
  var entry = document.getElementById("react-entry-point");
  if (!container || !entry || !window.fetch) { return; }
  var PREFIX = "prerender-";
  var LEFT_OUT = {"feedback-widget": true};  // layouts/prerender.LEFT_OUT_IDS
  // Dash's graphs still "pending" a draw (dcc.Graph's class until Plotly.react resolved).
  var PENDING = "dash-graph--pending";
  var SWAP_AT_THE_LATEST_MS = 5000;  // after Dash's page is in, even if a graph never draws

  var config = {};
  try {
    config = JSON.parse(document.getElementById("_dash-config").textContent);
  } catch (error) { /* Dash's own default prefix below */ }
  var layoutUrl = new URL((config.requests_pathname_prefix || "/") + "_dash-layout",
    window.location.href).href;

  // 1. The layout answer: the preloaded one (same URL, mode and credentials as the preload).
  var nativeFetch = window.fetch;
  var answer = nativeFetch.call(window, layoutUrl, {
    method: "GET",
    credentials: "same-origin",
    headers: {"Accept": "application/json", "Content-Type": "application/json"},
  });
  var forDash = answer.then(function (response) {
    // The copy is read here; Dash reads the answer itself.
    figuresFrom(response.clone());
    return response;
  });
  var releaseLayout;
  var released = new Promise(function (resolve) { releaseLayout = resolve; });
  // The layout request failed: no figures to draw, so Dash's turn (it asks again itself).
  answer.catch(function () { release(); });

  // 2b. Dash's scripts, once the first chart is drawn (or will not be).
  var LATER = "script[type='application/x-cxdash-later']";  // factory.LATER_TYPE
  var LOAD_DASH_AT_THE_LATEST_MS = 3000;
  var dashLoading = false;

  function loadDash() {
    if (dashLoading) { return; }
    if (document.readyState === "loading") {  // the placeholders are not all parsed yet
      document.addEventListener("DOMContentLoaded", loadDash);
      return;
    }
    dashLoading = true;
    var placeholders = Array.prototype.slice.call(document.querySelectorAll(LATER));
    var starter = null;
    var last = null;
    placeholders.forEach(function (placeholder) {
      var source = placeholder.getAttribute("data-src");
      if (!source) { starter = placeholder; return; }  // Dash's inline "new DashRenderer()"
      var script = document.createElement("script");
      script.src = source;
      script.async = false;  // run in document order, as the parser would have
      placeholder.parentNode.replaceChild(script, placeholder);
      last = script;
    });
    if (!starter) { return; }
    starter.parentNode.removeChild(starter);
    function startDash() {
      if (typeof window.DashRenderer === "function") {
        window.renderer = new window.DashRenderer();
      }
    }
    if (last) { last.addEventListener("load", startDash); } else { startDash(); }
  }

  function release() {
    releaseLayout();
    loadDash();
  }
  window.addEventListener("load", function () {
    window.setTimeout(release, LOAD_DASH_AT_THE_LATEST_MS);
  });

  function wrappedFetch(input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || String(input);
    var method = (init && init.method) || (input && input.method) || "GET";
    if (new URL(url, window.location.href).href !== layoutUrl || method !== "GET") {
      return nativeFetch.apply(window, arguments);
    }
    // Only Dash's first layout request is this answer; any later one goes to the network.
    if (window.fetch === wrappedFetch) { window.fetch = nativeFetch; }
    // Dash's renderer is running, so Plotly (run before it) is there.
    start();
    return released.then(function () { return forDash; }).catch(function () {
      return nativeFetch.call(window, input, init);  // our request failed: Dash asks again
    });
  }
  window.fetch = wrappedFetch;

  // 2. The charts of the prerender.
  var figures = null;  // {byId: {id: props}, inOrder: [props]}
  var boxes = Array.prototype.slice.call(container.querySelectorAll("[data-prerender-graph]"));
  var queue = [];
  var started = false;
  var swapped = false;

  function collect(node, found) {
    if (Array.isArray(node)) {
      node.forEach(function (child) { collect(child, found); });
      return;
    }
    if (!node || typeof node !== "object" || !node.type) { return; }
    var props = node.props || {};
    if (typeof props.id === "string" && LEFT_OUT[props.id]) { return; }
    if (node.namespace === "dash_core_components" && node.type === "Graph") {
      found.inOrder.push(props);
      if (typeof props.id === "string") { found.byId[props.id] = props; }
      return;
    }
    collect(props.children, found);
  }

  function figuresFrom(response) {
    if (!response.ok) { release(); return; }
    response.json().then(function (layout) {
      var found = {byId: {}, inOrder: []};
      collect(layout, found);
      figures = found;
      start();
    }, release);
  }

  function graphOf(box) {
    var id = box.id && box.id.indexOf(PREFIX) === 0 ? box.id.slice(PREFIX.length) : null;
    return (id && figures.byId[id]) || figures.inOrder[Number(box.getAttribute("data-prerender-graph"))];
  }

  function inView(element) {
    var rect = element.getBoundingClientRect();
    return rect.bottom > 0 && rect.top < window.innerHeight;
  }

  function start() {
    if (started || !figures || !window.Plotly) { return; }
    started = true;
    // Those in view, or else the first of the page; the others only if they scroll into
    // view before Dash's page is shown (drawing them all would only delay Dash's page, which
    // draws them again).
    var shown = boxes.filter(inView);
    queue = shown.length ? shown : boxes.slice(0, 1);
    drawNext(true);
    if (window.IntersectionObserver) {
      var later = new IntersectionObserver(function (entries) {
        entries.forEach(function (seen) {
          if (seen.isIntersecting) {
            later.unobserve(seen.target);
            queue.push(seen.target);
            drawNext(false);
          }
        });
      });
      boxes.forEach(function (box) {
        if (queue.indexOf(box) < 0) { later.observe(box); }
      });
    }
  }

  function drawNext(first) {
    var box = queue.shift();
    if (!box || swapped) { release(); return; }
    if (box.getAttribute("data-prerender-drawn")) { drawNext(first); return; }
    box.setAttribute("data-prerender-drawn", "true");
    var graph = graphOf(box) || {};
    var figure = graph.figure || {};
    var options = Object.assign({responsive: true}, graph.config || {});
    var drawn;
    try {
      drawn = Promise.resolve(window.Plotly.newPlot(box.querySelector(".prerender-plot"),
        figure.data || [], figure.layout || {}, options));
    } catch (error) {
      drawn = Promise.reject(error);
    }
    drawn.catch(function () { /* Dash's page draws it */ }).then(function () {
      if (first) {
        // Dash's turn once this chart is painted: the next frame, then a task.
        window.requestAnimationFrame(function () { window.setTimeout(release, 0); });
      }
      window.setTimeout(function () { drawNext(false); }, 0);
    });
  }

  // Plotly's bundle (assets/vendor) runs after this file: the first chart is drawn as soon as
  // it has run (a microtask runs before the next script).
  function whenPlotly(callback) {
    if (window.Plotly) { return; }
    try {
      Object.defineProperty(window, "Plotly", {
        configurable: true,
        enumerable: true,
        get: function () { return undefined; },
        set: function (plotly) {
          Object.defineProperty(window, "Plotly", {
            configurable: true, enumerable: true, writable: true, value: plotly,
          });
          window.queueMicrotask(callback);
        },
      });
    } catch (error) { /* DOMContentLoaded below */ }
  }
  whenPlotly(start);
  document.addEventListener("DOMContentLoaded", function () {
    start();
    // Plotly's bundle runs before the page is parsed: without it now, it never came.
    if (!window.Plotly) { release(); }
  });

  // 3. The swap, once Dash's page and the graphs in view are drawn.
  var pageSince = null;

  function graphDrawn(graph) {
    var plot = graph.querySelector(".js-plotly-plot");
    return Boolean(plot && plot.querySelector(".main-svg")) &&
      !graph.classList.contains(PENDING);
  }

  function dashReady() {
    if (!entry.querySelector("#main-content")) { return false; }
    pageSince = pageSince || Date.now();
    if (Date.now() - pageSince > SWAP_AT_THE_LATEST_MS) { return true; }
    return Array.prototype.every.call(entry.querySelectorAll(".dash-graph"), function (graph) {
      return !inView(graph) || graphDrawn(graph);
    });
  }

  function describe(element) {
    var id = element.id && element.id.indexOf(PREFIX) === 0 ? element.id.slice(PREFIX.length) : "";
    return {id: id, tag: element.tagName, href: element.getAttribute("href"),
      text: (element.textContent || "").trim()};
  }

  function counterpart(wanted) {
    if (wanted.id) {
      var same = document.getElementById(wanted.id);
      if (same) { return same; }
    }
    var candidates = entry.getElementsByTagName(wanted.tag);
    for (var i = 0; i < candidates.length; i++) {
      var candidate = candidates[i];
      if (candidate.getAttribute("href") === wanted.href &&
          (candidate.textContent || "").trim() === wanted.text) {
        return candidate;
      }
    }
    return null;
  }

  function swap() {
    if (swapped) { return; }
    swapped = true;
    observer.disconnect();
    release();
    var x = window.scrollX, y = window.scrollY;
    var active = document.activeElement;
    var focused = active && active !== container && container.contains(active)
      ? describe(active) : null;
    container.parentNode.removeChild(container);
    window.scrollTo(x, y);
    if (focused) {
      var target = counterpart(focused);
      if (target) { target.focus({preventScroll: true}); }
    }
    document.dispatchEvent(new CustomEvent("cxdash:prerender-swapped"));
  }

  var checking = false;
  function check() {
    if (checking || swapped) { return; }
    checking = true;
    window.requestAnimationFrame(function () {
      checking = false;
      if (dashReady()) { swap(); }
    });
  }
  var observer = new MutationObserver(check);
  observer.observe(entry, {childList: true, subtree: true, attributes: true,
    attributeFilter: ["class"]});
  // A graph that never draws: swap at the latest SWAP_AT_THE_LATEST_MS after the page is in.
  var patience = window.setInterval(function () {
    if (swapped) { window.clearInterval(patience); return; }
    check();
  }, 1000);
})();
