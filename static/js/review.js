// The review screen: "select all" for the batches ready to close, the data's age kept current,
// and focus moved to what a bulk-close step swapped in. No inline script (CSP).
(function () {
  "use strict";

  function checkboxes(form) {
    return Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="batch"]'));
  }

  function updateCount(form) {
    var out = document.getElementById("ready-selected");
    if (!out) return;
    var chosen = checkboxes(form).filter(function (box) { return box.checked; }).length;
    out.textContent = chosen ? chosen + " selected" : "";
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    var formId = target.getAttribute("data-select-all");
    if (formId) {
      var form = document.getElementById(formId);
      if (!form) return;
      checkboxes(form).forEach(function (box) { box.checked = target.checked; });
      updateCount(form);
    } else if (target.name === "batch" && target.form && target.form.id === "ready-form") {
      updateCount(target.form);
      var all = document.getElementById("ready-all");
      if (all && !target.checked) all.checked = false;
    }
  });

  // "as of 3 minutes ago", kept true while the page stays open.
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

  // What a bulk-close step swapped in gets the focus (its heading).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "close-panel") return;
    var focus = target.querySelector("[data-focus], [autofocus]");
    if (focus) focus.focus();
  });
})();
