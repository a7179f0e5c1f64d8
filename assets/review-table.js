/* ReviewTable: the quarterly review's tables (layouts/review.py), drawn like StaticTable
   (assets/static-table.js) from plain data, one Dash component per table, every text a text
   node (nothing is parsed as HTML), with two additions the review needs to fit any screen:

   - a cell may hold ``lines``: several values stacked in one cell (a result, its status and
     its target), each drawn as a block;
   - every data cell carries its column's heading as ``data-label``, which assets/review.css
     shows before the cell when the table is laid out as one card per row on a narrow
     screen. The table keeps its table, row, header and cell roles there too (explicit ARIA
     roles), so that a screen reader still announces each value with its headings. */
(function () {
  "use strict";
  var h = window.React.createElement;

  var SPARK_WIDTH = 96, SPARK_HEIGHT = 24, SPARK_PAD = 3;

  // A sparkline: a tiny line drawn from the numbers (null is a gap, never zero), hidden from
  // screen readers; the cell's text, visually hidden, carries the same numbers.
  function sparkline(numbers) {
    var known = numbers.filter(function (n) { return typeof n === "number"; });
    if (!known.length) { return null; }
    var low = Math.min.apply(null, known), high = Math.max.apply(null, known);
    var span = high - low || 1;
    var step = numbers.length > 1 ? (SPARK_WIDTH - 2 * SPARK_PAD) / (numbers.length - 1) : 0;
    var segments = [], current = [], last = null;
    numbers.forEach(function (n, i) {
      if (typeof n !== "number") {
        if (current.length) { segments.push(current); current = []; }
        return;
      }
      var x = SPARK_PAD + i * step;
      var y = SPARK_HEIGHT - SPARK_PAD - (n - low) / span * (SPARK_HEIGHT - 2 * SPARK_PAD);
      current.push([x, y]);
      last = [x, y];
    });
    if (current.length) { segments.push(current); }
    var shapes = segments.map(function (points, i) {
      return points.length > 1
        ? h("polyline", {key: "l" + i, fill: "none", stroke: "currentColor", strokeWidth: 1.5,
            points: points.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); })
              .join(" ")})
        : h("circle", {key: "p" + i, cx: points[0][0], cy: points[0][1], r: 1.5,
            fill: "currentColor"});
    });
    if (last) {
      shapes.push(h("circle", {key: "end", cx: last[0], cy: last[1], r: 2.5,
        fill: "currentColor"}));
    }
    return h("svg", {key: "spark", className: "sparkline", width: SPARK_WIDTH,
      height: SPARK_HEIGHT, viewBox: "0 0 " + SPARK_WIDTH + " " + SPARK_HEIGHT,
      "aria-hidden": "true", focusable: "false"}, shapes);
  }

  // One value: text, or {text, symbol, className, href, spark}.
  function piece(value, key) {
    if (value === null || value === undefined) { return null; }
    if (typeof value !== "object") { return String(value); }
    if (Array.isArray(value.spark)) {
      return [sparkline(value.spark),
        h("span", {key: "t" + key, className: "visually-hidden"}, value.text)];
    }
    var parts = [];
    if (value.symbol) {
      parts.push(h("span", {key: "s", "aria-hidden": "true"}, value.symbol), " ");
    }
    parts.push(value.href ? h("a", {key: "a", href: value.href}, value.text) : value.text);
    return value.className ? h("span", {key: key, className: value.className}, parts) : parts;
  }

  function content(value) {
    if (value && typeof value === "object" && Array.isArray(value.lines)) {
      return value.lines.map(function (line, i) {
        return h("span", {key: i, className: "review-line"}, piece(line, i));
      });
    }
    return piece(value, 0);
  }

  function text(value) {
    if (value === null || value === undefined) { return ""; }
    return typeof value === "object" ? String(value.text || "") : String(value);
  }

  function ReviewTable(props) {
    var columns = props.columns || [];
    var head = h("thead", {role: "rowgroup"}, h("tr", {role: "row"}, columns.map(function (v, i) {
      return h("th", {key: i, scope: "col", role: "columnheader"}, content(v));
    })));
    var body = h("tbody", {role: "rowgroup"}, (props.rows || []).map(function (row, r) {
      return h("tr", {key: r, role: "row"}, row.map(function (value, i) {
        var label = text(columns[i]);
        return props.row_headers && i === 0
          ? h("th", {key: i, scope: "row", role: "rowheader"}, content(value))
          : h("td", {key: i, role: "cell", "data-label": label}, content(value));
      }));
    }));
    return h("table", {id: props.id, className: props.className, role: "table"},
      props.caption ? h("caption", null, props.caption) : null, head, body);
  }

  window.cxdash = Object.assign(window.cxdash || {}, {ReviewTable: ReviewTable});
})();
