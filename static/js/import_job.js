// The status page of a big import (spreadsheets.admin_desk.import_job_view): while a worker
// checks or imports the file, ask the page every few seconds how far it got (?progress=1, JSON)
// and move the progress bar; once the job has ended, load the page again to show its result.
// A static file, not inline script (strict CSP); without it, the page's "Reload" link works.
(function () {
  "use strict";
  var panel = document.querySelector("[data-import-job-progress]");
  if (!panel) {
    return;
  }
  var every = Number(panel.getAttribute("data-refresh-seconds") || "3") * 1000;
  var bar = panel.querySelector("progress");
  var rows = panel.querySelector("[data-import-job-rows]");
  var template = rows ? rows.getAttribute("data-template") : "";

  function poll() {
    fetch(panel.getAttribute("data-import-job-progress"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (state && !state.running) {
          window.location.reload();
          return;
        }
        if (state) {
          bar.value = state.rows_done;
          if (rows && template) {
            rows.textContent = template
              .replace("{done}", state.rows_done_text)
              .replace("{total}", state.rows_total_text);
          }
        }
        window.setTimeout(poll, every);
      })
      .catch(function () {
        window.setTimeout(poll, every); // a network hiccup: try again
      });
  }

  window.setTimeout(poll, every);
})();
