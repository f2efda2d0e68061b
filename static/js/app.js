// Site-wide behaviour, kept in a file so the Content-Security-Policy needs no inline script.
// Loaded by base.html and by the intranet widget (review/widget.html).
(function () {
  "use strict";

  // Where a failed htmx request says so: a part that loads itself (data-deferred, e.g. the Open
  // dialog's preview), else the open dialog's error line (the page's region is behind the modal
  // dialog), else the page's #errors.
  function showProblem(event, text) {
    var target = event.detail.target;
    var own = target && target.hasAttribute && target.hasAttribute("data-deferred") ? target : null;
    var problem = own ? null : document.querySelector("#dialog dialog[open] [data-dialog-error]");
    var region = own || problem || document.getElementById("errors");
    if (!region) return;
    region.textContent = text;
    if (problem) {
      problem.hidden = false;
      problem.setAttribute("tabindex", "-1");
      problem.focus();
    }
  }

  // htmx 2 does not swap 4xx/5xx answers: show them in one visible place instead. Refusals (403)
  // and sign-in problems come as one plain-text sentence: show it (textContent).
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = (xhr && xhr.getResponseHeader("Content-Type")) || "";
    showProblem(event, type.indexOf("text/plain") === 0 && xhr.responseText && xhr.responseText.length < 500
      ? xhr.responseText
      : "The server could not complete this request (HTTP " + (xhr ? xhr.status : 0) + "). Please try again.");
  });
  document.addEventListener("htmx:sendError", function (event) {
    showProblem(event, "The server could not be reached. Check your connection and try again.");
  });

  // Loading states: htmx puts .htmx-request on the element (or its hx-indicator) while a request
  // runs (the CSS shows it); screen readers get aria-busy on the part being replaced.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = document.getElementById("errors");
    if (region) region.textContent = "";
    var target = event.detail.target;
    if (target && target.setAttribute) target.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target && target.removeAttribute) target.removeAttribute("aria-busy");
  });

  // --- toasts (base.html's #toasts): an outcome stays on screen; a success leaves after a while
  // (not while pointed at or focused), an error stays until dismissed. None takes the focus.
  var TOAST_SECONDS = 8;
  var MAX_TOASTS = 4;

  function leave(toast) {
    if (toast.contains(document.activeElement)) {
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    }
    toast.remove();
  }

  function laterLeave(toast) {
    window.setTimeout(function () {
      if (!document.body.contains(toast)) return;
      if (toast.matches(":hover, :focus-within")) { laterLeave(toast); return; }
      leave(toast);
    }, TOAST_SECONDS * 1000);
  }

  function enhanceToasts() {
    var region = document.getElementById("toasts");
    if (!region) return;
    var toasts = region.querySelectorAll("[data-toast]");
    for (var i = 0; i < toasts.length; i++) {
      var toast = toasts[i];
      if (i >= MAX_TOASTS) { leave(toast); continue; }
      if (toast.hasAttribute("data-ready")) continue;
      toast.setAttribute("data-ready", "");
      var close = toast.querySelector("[data-toast-close]");
      if (close) close.hidden = false;
      if (!toast.classList.contains("toast-error")) laterLeave(toast);
    }
    var errorsClose = document.querySelector("[data-errors-close]");
    if (errorsClose) errorsClose.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest ? event.target.closest("[data-toast-close], [data-errors-close]") : null;
    if (!close) return;
    if (close.hasAttribute("data-errors-close")) {
      var region = document.getElementById("errors");
      if (region) region.textContent = "";
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
      return;
    }
    leave(close.closest("[data-toast]"));
  });
  document.addEventListener("htmx:oobAfterSwap", enhanceToasts);
  document.addEventListener("htmx:afterSettle", enhanceToasts);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceToasts);
  } else {
    enhanceToasts();
  }
})();
