/* StaticHtml: draws plain HTML elements that the server sends as data (layouts/static_html.py):
   one Dash component for a run of paragraphs, lists and links instead of one per element, as
   StaticTable does for tables; the Dash renderer slows down with the number of components.
   A node is text, or {t: tag, p: React props, c: children}; every text is a text node and
   nothing is parsed as HTML. */
(function () {
  "use strict";
  var h = window.React.createElement;
  var VOID = {area: 1, br: 1, col: 1, embed: 1, hr: 1, img: 1, input: 1, link: 1, meta: 1,
    source: 1, track: 1, wbr: 1};

  function draw(node, key) {
    if (node === null || node === undefined) { return null; }
    if (typeof node !== "object") { return String(node); }
    var props = Object.assign({key: key}, node.p || {});
    if (VOID[node.t] || !node.c) { return h(node.t, props); }
    return h.apply(null, [node.t, props].concat(drawAll(node.c)));
  }

  function drawAll(nodes) {
    return (nodes || []).map(function (node, i) { return draw(node, i); });
  }

  function StaticHtml(props) {
    return h.apply(null, [window.React.Fragment, null].concat(drawAll(props.tree)));
  }

  window.cxdash = Object.assign(window.cxdash || {}, {StaticHtml: StaticHtml});
})();
