// The intranet widget: keeps "as of ..." current and says so when a refresh fails (the last
// figures stay on screen). No inline script (CSP).
(function () {
  "use strict";

  function relative(seconds) {
    if (seconds < 60) return "just now";
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + (minutes === 1 ? " minute ago" : " minutes ago");
    var hours = Math.floor(minutes / 60);
    return hours + (hours === 1 ? " hour ago" : " hours ago");
  }
  function refreshAges() {
    document.querySelectorAll("time[data-relative]").forEach(function (el) {
      var when = Date.parse(el.getAttribute("datetime"));
      if (!isNaN(when)) el.textContent = relative(Math.max(0, (Date.now() - when) / 1000));
    });
  }
  window.setInterval(refreshAges, 30000);

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
