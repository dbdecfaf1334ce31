// endolab embeds: tell the page that embeds this widget how tall the widget is, so that the
// embed snippet (docs/web.md) can size its <iframe> to the content. Only a height is sent.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function post() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h > 0 && h !== last) {
      last = h;
      window.parent.postMessage({ endolab: "height", height: h }, "*");
    }
  }
  if (window.ResizeObserver) new ResizeObserver(post).observe(document.documentElement);
  document.addEventListener("DOMContentLoaded", post);
  window.addEventListener("load", post);
})();
