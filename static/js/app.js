// Site-wide behaviour, kept in a file so the Content-Security-Policy needs no inline script.
(function () {
  "use strict";

  // htmx 2 does not swap 4xx/5xx answers: show them in one visible error region instead.
  document.addEventListener("htmx:responseError", function (event) {
    var region = document.getElementById("errors");
    if (!region) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    region.textContent = "The server could not complete this request (HTTP " + status + "). Please try again.";
  });
  document.addEventListener("htmx:sendError", function () {
    var region = document.getElementById("errors");
    if (region) region.textContent = "The server could not be reached. Check your connection and try again.";
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var region = document.getElementById("errors");
    if (region) region.textContent = "";
  });
})();
