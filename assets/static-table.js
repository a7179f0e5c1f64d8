/* StaticTable: draws a read-only table that the server sends as data (layouts/static_table.py).
   One Dash component per table instead of one per cell: the Dash renderer slows down with
   the number of components. Everything is a text node; nothing is parsed as HTML. */
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

  function content(value) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value !== "object") { return String(value); }
    if (Array.isArray(value.spark)) {
      return [sparkline(value.spark),
        h("span", {key: "t", className: "visually-hidden"}, value.text)];
    }
    var parts = [];
    if (value.symbol) {
      parts.push(h("span", {key: "s", "aria-hidden": "true"}, value.symbol), " ");
    }
    parts.push(value.href
      ? h("a", {key: "t", href: value.href}, value.text)
      : value.text);
    return parts;
  }

  function cell(tag, value, columnClass, extra) {
    var props = Object.assign({className: columnClass || undefined}, extra);
    var inner = content(value);
    // A cell's own class (a status badge) styles its content, not the whole cell.
    if (value && typeof value === "object" && value.className) {
      inner = h("span", {className: value.className}, inner);
    }
    return h(tag, props, inner);
  }

  function StaticTable(props) {
    var columnClasses = props.column_classes || [];
    var head = h("thead", null, h("tr", null, (props.columns || []).map(function (value, i) {
      return cell("th", value, columnClasses[i], {key: i, scope: "col"});
    })));
    var body = h("tbody", null, (props.rows || []).map(function (row, r) {
      return h("tr", {key: r}, row.map(function (value, i) {
        return props.row_headers && i === 0
          ? cell("th", value, columnClasses[i], {key: i, scope: "row"})
          : cell("td", value, columnClasses[i], {key: i});
      }));
    }));
    return h("table", {id: props.id, className: props.className},
      props.caption ? h("caption", null, props.caption) : null, head, body);
  }

  window.cxdash = Object.assign(window.cxdash || {}, {StaticTable: StaticTable});
})();
