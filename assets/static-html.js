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

  // Dash's own html.A refuses a javascript: address; so does this, for every URL-bearing prop
  // (the importers accept only http(s) links, this is the second line of defence).
  var URL_PROPS = {href: 1, src: 1, action: 1, formAction: 1, xlinkHref: 1};
  var SCRIPT_URL = /^[\u0000-\u0020]*(j[\s]*a[\s]*v[\s]*a[\s]*s[\s]*c[\s]*r[\s]*i[\s]*p[\s]*t|vbscript|data)[\s]*:/i;

  function safeProps(props) {
    var safe = {};
    Object.keys(props).forEach(function (name) {
      var value = props[name];
      if (name === "dangerouslySetInnerHTML") { return; }
      if (URL_PROPS[name] && SCRIPT_URL.test(String(value))) { return; }
      safe[name] = value;
    });
    return safe;
  }

  function draw(node, key) {
    if (node === null || node === undefined) { return null; }
    if (typeof node !== "object") { return String(node); }
    var props = Object.assign({key: key}, safeProps(node.p || {}));
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
