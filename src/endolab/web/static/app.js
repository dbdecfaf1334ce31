// endolab pages: progressive enhancement only (every form works without this file).
// Calculator forms refresh their results while typing; the URL follows the inputs (shareable).
(function () {
  "use strict";
  function debounce(fn, ms) {
    var t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }
  function live(form) {
    var seq = 0;
    var update = function () {
      var params = new URLSearchParams(new FormData(form));
      Array.from(params.keys()).forEach(function (k) { if (params.get(k) === "") params.delete(k); });
      var url = form.getAttribute("action") + "?" + params.toString();
      var mine = ++seq;
      fetch(url, { headers: { "Accept": "text/html" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (mine !== seq) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("results");
          var here = form.parentNode.querySelector("#results");
          if (fresh && here) here.replaceWith(fresh);
          history.replaceState(null, "", window.location.pathname + "?" + params.toString());
        })
        .catch(function () { /* keep the last result; submitting still works */ });
    };
    var later = debounce(update, 250);
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }
  // A product preset fills in the vial strength and the label's diluent volume it states (the
  // values come from the library's preset table, written into the option's data attributes), as
  // --preset does on the command line. Without JavaScript a conflicting vial is refused instead.
  function presetFills(select) {
    select.addEventListener("change", function () {
      var opt = select.options[select.selectedIndex];
      var form = select.form;
      [["vialIu", "vial_iu"], ["diluentMl", "diluent_ml"]].forEach(function (pair) {
        var value = opt && opt.dataset[pair[0]];
        var input = form && form.querySelector("[name=" + pair[1] + "]");
        if (value && input) input.value = value;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-fills]").forEach(presetFills);
    document.querySelectorAll("form[data-live]").forEach(live);
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
    document.addEventListener("click", function (e) {
      var t = e.target;
      if (t && t.matches && t.matches("[data-print]")) { e.preventDefault(); window.print(); }
    });
  });
})();
