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

// Refusals (403) and sign-in problems come as one plain-text sentence (batchui.accounts): show it
// instead of the generic message. textContent, never innerHTML.
(function () {
  "use strict";
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var region = document.getElementById("errors");
    if (!region || !xhr) return;
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/plain") === 0 && xhr.responseText && xhr.responseText.length < 500) {
      region.textContent = xhr.responseText;
    }
  });
})();
