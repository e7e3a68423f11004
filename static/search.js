// briefing: the search box. Adds itself to `.search` in the header; without JavaScript
// there is no box and nothing else changes. The index is a script (search-index.js),
// loaded on first use, so search also works when the site is opened from the file system.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var box = document.querySelector(".search[data-root]");
    if (!box) { return; }
    var root = box.getAttribute("data-root") || "./";
    var form = document.createElement("form");
    form.setAttribute("role", "search");
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    var label = document.createElement("label");
    label.setAttribute("for", "search-input");
    label.className = "visually-hidden";
    label.textContent = "Search the briefing book";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "search-input";
    input.placeholder = "Search";
    input.autocomplete = "off";
    var results = document.createElement("ol");
    results.className = "search-results";
    results.setAttribute("aria-live", "polite");
    results.hidden = true;
    form.appendChild(label);
    form.appendChild(input);
    box.appendChild(form);
    box.appendChild(results);

    var loading = false;
    function load(then) {
      if (window.briefingSearchIndex) { then(); return; }
      if (loading) { return; }
      loading = true;
      var s = document.createElement("script");
      s.src = root + "search-index.js";
      s.onload = then;
      document.head.appendChild(s);
    }

    function search() {
      var q = input.value.trim().toLowerCase();
      while (results.firstChild) { results.removeChild(results.firstChild); }
      if (!q || !window.briefingSearchIndex) { results.hidden = true; return; }
      var terms = q.split(/\s+/);
      var scored = [];
      window.briefingSearchIndex.forEach(function (e) {
        var title = e.t.toLowerCase(), rest = (e.s + " " + e.h + " " + e.x).toLowerCase();
        var score = 0;
        for (var i = 0; i < terms.length; i++) {
          if (title.indexOf(terms[i]) >= 0) { score += 10; }
          else if (rest.indexOf(terms[i]) >= 0) { score += 1; }
          else { return; }
        }
        scored.push([score, e]);
      });
      scored.sort(function (a, b) { return b[0] - a[0]; });
      scored.slice(0, 10).forEach(function (pair) {
        var e = pair[1];
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + e.u;
        a.textContent = e.t;
        li.appendChild(a);
        if (e.s) {
          var p = document.createElement("p");
          p.textContent = e.s;
          li.appendChild(p);
        }
        results.appendChild(li);
      });
      if (!scored.length) {
        var none = document.createElement("li");
        none.textContent = "No results";
        results.appendChild(none);
      }
      results.hidden = false;
    }
    input.addEventListener("focus", function () { load(search); });
    input.addEventListener("input", function () { load(search); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; search(); }
    });
  });
})();
