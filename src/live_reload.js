// briefing serve: reloads the page after each rebuild. Injected only by `briefing serve`.
(function () {
  "use strict";
  var wasDown = false;
  function connect() {
    var source = new EventSource("/__briefing/events");
    source.addEventListener("open", function () {
      // The server restarted while we were away: what we show may be stale.
      if (wasDown) { location.reload(); }
    });
    source.addEventListener("reload", function () { location.reload(); });
    // The book is written just after the page an edit changed: only its own tab reloads.
    source.addEventListener("book", function () {
      if (/\/book\/(index\.html)?$/.test(location.pathname)) { location.reload(); }
    });
    source.addEventListener("css", function () {
      var links = document.querySelectorAll('link[rel="stylesheet"]');
      for (var i = 0; i < links.length; i++) {
        var url = new URL(links[i].href);
        url.searchParams.set("v", Date.now());
        links[i].href = url.toString();
      }
    });
    source.onerror = function () {
      wasDown = true;
      source.close();
      setTimeout(connect, 1000);
    };
  }
  connect();
})();
