/* StaticTable: draws a read-only table that the server sends as data (layouts/static_table.py).
   One Dash component per table instead of one per cell: the Dash renderer slows down with
   the number of components. Everything is a text node; nothing is parsed as HTML.

   Two options the quarterly review needs to fit any screen (layouts/review.py):
   - a cell may hold ``lines``: several values stacked in one cell (a result, its status and
     its target), each drawn as a block;
   - ``card_labels``: every data cell carries its column's heading as ``data-label``, which a
     style sheet (assets/review.css) shows before the cell when the table is laid out as one
     card per row on a narrow screen; the table keeps its table, row, header and cell roles
     there too (explicit ARIA roles), so that a screen reader still announces each value with
     its headings. */
(function () {
  "use strict";
  var h = window.React.createElement;

  // A sparkline: a tiny line drawn from the numbers in ``spark`` (null is a gap, never zero).
  // Hidden from screen readers; the cell's text, visually hidden, carries the same numbers.
  var SPARK_WIDTH = 96, SPARK_HEIGHT = 24, SPARK_PAD = 3;

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
      current.push(x.toFixed(1) + "," + y.toFixed(1));
      last = [x, y];
    });
    if (current.length) { segments.push(current); }
    var shapes = segments.map(function (points, i) {
      return points.length > 1
        ? h("polyline", {key: "l" + i, points: points.join(" "), fill: "none",
            stroke: "currentColor", strokeWidth: 1.5})
        : h("circle", {key: "p" + i, cx: points[0].split(",")[0], cy: points[0].split(",")[1],
            r: 1.5, fill: "currentColor"});
    });
    if (last) {
      shapes.push(h("circle", {key: "end", cx: last[0], cy: last[1], r: 2.5,
        fill: "currentColor"}));
    }
    return h("svg", {key: "spark", className: "sparkline", width: SPARK_WIDTH,
      height: SPARK_HEIGHT, viewBox: "0 0 " + SPARK_WIDTH + " " + SPARK_HEIGHT,
      "aria-hidden": "true", focusable: "false"}, shapes);
  }

  // One value: text, or {text, symbol, className, href, spark}. A value's own class (a status
  // badge) styles its content, not the whole cell.
  function piece(value, key) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value !== "object") { return String(value); }
    if (Array.isArray(value.spark)) {
      return [sparkline(value.spark),
        h("span", {key: "t" + key, className: "visually-hidden"}, value.text)];
    }
    var parts = [];
    if (value.symbol) {
      parts.push(h("span", {key: "s", "aria-hidden": "true"}, value.symbol), " ");
    }
    parts.push(value.href ? h("a", {key: "t", href: value.href}, value.text) : value.text);
    return value.className ? h("span", {key: key, className: value.className}, parts) : parts;
  }

  function content(value) {
    if (value && typeof value === "object" && Array.isArray(value.lines)) {
      return value.lines.map(function (line, i) {
        return h("span", {key: i, className: "cell-line"}, piece(line, i));
      });
    }
    return piece(value, 0);
  }

  function text(value) {
    if (value === null || value === undefined) { return ""; }
    return typeof value === "object" ? String(value.text || "") : String(value);
  }

  function StaticTable(props) {
    var columns = props.columns || [];
    var columnClasses = props.column_classes || [];
    var cards = Boolean(props.card_labels);
    // Explicit roles only where a style sheet may lay the table out as cards.
    function role(name) { return cards ? name : undefined; }
    var head = h("thead", {role: role("rowgroup")}, h("tr", {role: role("row")},
      columns.map(function (value, i) {
        return h("th", {key: i, scope: "col", className: columnClasses[i] || undefined,
          role: role("columnheader")}, content(value));
      })));
    var body = h("tbody", {role: role("rowgroup")}, (props.rows || []).map(function (row, r) {
      return h("tr", {key: r, role: role("row")}, row.map(function (value, i) {
        var className = columnClasses[i] || undefined;
        return props.row_headers && i === 0
          ? h("th", {key: i, scope: "row", className: className, role: role("rowheader")},
              content(value))
          : h("td", {key: i, className: className, role: role("cell"),
              "data-label": cards ? text(columns[i]) : undefined}, content(value));
      }));
    }));
    return h("table", {id: props.id, className: props.className, role: role("table")},
      props.caption ? h("caption", null, props.caption) : null, head, body);
  }

  window.cxdash = Object.assign(window.cxdash || {}, {StaticTable: StaticTable});
})();
