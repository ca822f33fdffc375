// The admin's load-run page: while a run goes, ask the gateway every 2 s how far it is and
// show it; when it ends, reload so the load-test history shows the run's figures.
(function () {
  "use strict";
  var card = document.getElementById("load-run");
  if (!card || card.dataset.running !== "true") { return; }
  var url = card.dataset.statusUrl;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return setTimeout(poll, 5000); }
        var state = card.querySelector(".load-state");
        var bar = card.querySelector(".load-progress");
        var log = card.querySelector(".load-log");
        if (state) { state.textContent = s.text; }
        if (bar) { bar.value = Math.min(s.elapsed, s.seconds); }
        if (log) { log.textContent = s.log; }
        if (s.running) { setTimeout(poll, 2000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
