// briefing: the search box in the header. Without JavaScript its form opens the search
// page, which lists every page; with it, matches show as the reader types. The index is a
// script (search-index.js), loaded on first use, so search also works from the file system.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var box = document.querySelector(".search[data-root]");
    if (!box) { return; }
    var root = box.getAttribute("data-root") || "./";
    var none = box.getAttribute("data-none") || "No results";
    // The form is in the page: without JavaScript it opens the search page. Here the
    // results show as the reader types, and submitting shows them without leaving.
    var form = box.querySelector("form");
    var input = box.querySelector("input[type=search]");
    if (!form || !input) { return; }
    form.addEventListener("submit", function (e) { e.preventDefault(); load(search); });
    var results = document.createElement("ol");
    results.className = "search-results";
    results.setAttribute("aria-live", "polite");
    results.hidden = true;
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

    // Folded for matching: lower case, accents dropped (differend finds Différend), and
    // French elisions split off (d'accord finds accord).
    function fold(s) {
      return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
        .replace(/\b(?:qu|jusqu|lorsqu|puisqu|[cdjlmnst])['\u2019]/g, " ");
    }
    function search() {
      var q = fold(input.value.trim());
      while (results.firstChild) { results.removeChild(results.firstChild); }
      if (!q || !window.briefingSearchIndex) { results.hidden = true; return; }
      var terms = q.split(/\s+/);
      var scored = [];
      window.briefingSearchIndex.forEach(function (e) {
        if (e.ft === undefined) { e.ft = fold(e.t); e.fr = fold(e.s + " " + e.h + " " + e.x); }
        var title = e.ft, rest = e.fr;
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
        if (e.m) {
          var mark = document.createElement("span");
          mark.className = "portion-mark";
          mark.textContent = "(" + e.m + ") ";
          li.appendChild(mark);
        }
        li.appendChild(a);
        if (e.s) {
          var p = document.createElement("p");
          p.textContent = e.s;
          li.appendChild(p);
        }
        results.appendChild(li);
      });
      if (!scored.length) {
        var nothing = document.createElement("li");
        nothing.textContent = none.replace("{query}", input.value.trim());
        results.appendChild(nothing);
      }
      results.hidden = false;
    }
    input.addEventListener("focus", function () { load(search); });
    input.addEventListener("input", function () { load(search); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; search(); }
    });
    // Arriving from the form without a script run before (or a shared link): ?q=words.
    var q = new URLSearchParams(location.search).get("q");
    if (q) { input.value = q; load(search); }
  });
})();
