// Site-wide behaviour, kept in a file so the Content-Security-Policy needs no inline script.
(function () {
  "use strict";

  // htmx 2 does not swap 4xx/5xx answers: show them in one visible place instead, the open
  // dialog's error line (the page's region is behind the modal dialog) or the page's #errors.
  // Refusals (403) and sign-in problems come as one plain-text sentence: show it (textContent).
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = (xhr && xhr.getResponseHeader("Content-Type")) || "";
    var text = type.indexOf("text/plain") === 0 && xhr.responseText && xhr.responseText.length < 500
      ? xhr.responseText
      : "The server could not complete this request (HTTP " + (xhr ? xhr.status : 0) + "). Please try again.";
    var problem = document.querySelector("#dialog dialog[open] [data-dialog-error]");
    var region = problem || document.getElementById("errors");
    if (!region) return;
    region.textContent = text;
    if (problem) {
      problem.hidden = false;
      problem.setAttribute("tabindex", "-1");
      problem.focus();
    }
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
