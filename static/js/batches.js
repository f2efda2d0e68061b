// The batch list: row disclosure, saved-view forms, focus after paging, the table's scrolling. The
// condition rows and the pushed URL come from the server. Everything here enhances a page that
// works without it.
(function () {
  "use strict";

  // --- row disclosure: a button with aria-expanded instead of the no-JS <details> ------------
  function enhanceRows(root) {
    var buttons = root.querySelectorAll ? root.querySelectorAll(".disclosure[hidden]") : [];
    for (var i = 0; i < buttons.length; i++) {
      var more = document.getElementById(buttons[i].getAttribute("aria-controls"));
      if (!more) continue;
      buttons[i].hidden = false;
      more.classList.add("is-collapsed");
      var details = more.querySelector("details");
      if (details) {
        details.open = true;
        details.classList.add("enhanced");
      }
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".disclosure");
    var more = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!more) return;
    var expanded = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", expanded ? "false" : "true");
    more.classList.toggle("is-collapsed", expanded);
  });

  // --- saved views: store the URL the person is looking at (htmx may have changed it) -------
  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("[data-current-query]");
    for (var i = 0; i < inputs.length; i++) inputs[i].value = window.location.search.replace(/^\?/, "");
  }, true);

  // --- after paging or retry, focus the result count so keyboard users land on the results --
  // --- after sorting, the header that was used -----------------------------------------------
  document.addEventListener("htmx:afterSettle", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!source || !source.closest || event.detail.target.id !== "results") return;
    // After a sort, the same column's header (its link now sorts the other way).
    var sortKey = source.getAttribute("data-sort-key");
    if (sortKey) {
      var header = document.querySelector('#batch-table a[data-sort-key="' + sortKey + '"]');
      if (header) header.focus();
      return;
    }
    if (source.closest(".pager, .api-error, .empty")) {
      var count = document.getElementById("result-count");
      if (count) count.focus();
    }
  });

  // --- the table: the page scrolls it when it fits the width, else it scrolls in its own box --
  function fitTable() {
    var wrap = document.getElementById("table-wrap");
    var table = wrap && wrap.querySelector("table");
    if (table) wrap.classList.toggle("fits", table.scrollWidth <= wrap.clientWidth);
  }
  window.addEventListener("resize", fitTable);
  document.addEventListener("htmx:afterSettle", fitTable);
  document.addEventListener("DOMContentLoaded", fitTable);

  if (window.htmx) {
    window.htmx.onLoad(enhanceRows);
  } else {
    document.addEventListener("DOMContentLoaded", function () { enhanceRows(document); });
  }
})();
