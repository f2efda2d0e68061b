// A batch's page. Its section has the id of the batch's row in the list (#batch-<id>): when an
// action's answer updates or removes that row out of band (the batch changed, or is gone), the
// page fetches its section again instead, and keeps the focus on the page. No inline script.
(function () {
  "use strict";

  function isPage(element) {
    return !!(element && element.hasAttribute && element.hasAttribute("data-batch-page"));
  }

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var page = event.detail.target;
    if (!isPage(page) || !window.htmx) return;
    event.detail.shouldSwap = false;
    window.htmx.ajax("GET", page.getAttribute("data-page-url"), {
      source: page, target: "#" + page.id, swap: "outerHTML"
    });
  });

  // The section was replaced (htmx fires this on the new one): if the focus went with the old
  // one, give it to the page's heading.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!isPage(event.target)) return;
    var active = document.activeElement;
    if (!active || active === document.body || !document.body.contains(active)) {
      var title = document.getElementById("batch-title");
      if (title) title.focus();
    }
  });
})();
