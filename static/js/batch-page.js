// A batch's page: after an action done in the dialog (the server's answer empties #dialog), show
// the batch as it is now, and keep the focus on the page. No inline script (strict CSP).
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    var region = document.getElementById("dialog");
    var page = document.getElementById("batch-page");
    if (!region || !page || !window.htmx) return;
    if (event.detail.target !== region || region.querySelector("dialog")) return;
    window.htmx.ajax("GET", page.getAttribute("data-page-url"), {
      source: page, target: "#batch-page", swap: "outerHTML"
    });
  });

  // The section was replaced under the focus: give it to the page's heading.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.target || event.target.id !== "batch-page") return; // the new section
    var active = document.activeElement;
    if (!active || active === document.body || !document.body.contains(active)) {
      var title = document.getElementById("batch-title");
      if (title) title.focus();
    }
  });
})();
