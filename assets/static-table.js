/* StaticTable: draws a read-only table that the server sends as data (layouts/static_table.py).
   One Dash component per table instead of one per cell: the Dash renderer slows down with
   the number of components. Everything is a text node; nothing is parsed as HTML. */
(function () {
  "use strict";
  var h = window.React.createElement;

  function content(value) {
    if (value === null || value === undefined) { return ""; }
    if (typeof value !== "object") { return String(value); }
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
