// Keeps every <time data-relative datetime="..."> reading "as of 3 minutes ago" while the page
// stays open (the review screen and the intranet widget). No inline script (CSP).
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
})();
