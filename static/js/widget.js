// The intranet widget: says so when a refresh fails (the last figures stay on screen); the
// "as of ..." text is kept current by relative-time.js. No inline script (CSP).
(function () {
  "use strict";

  function status(text) {
    var out = document.getElementById("widget-status");
    if (out) out.textContent = text;
  }
  document.addEventListener("htmx:responseError", function () {
    status("The figures could not be refreshed; showing the last ones. Retrying in a minute.");
  });
  document.addEventListener("htmx:sendError", function () {
    status("The dashboard could not be reached; showing the last figures. Retrying in a minute.");
  });
  document.addEventListener("htmx:afterSwap", function () {
    status("");
  });
})();
