// The review screen: "select all" for the batches ready to close (except those opened today:
// they are ticked one by one, deliberately), the data's age kept current,
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
      checkboxes(form).forEach(function (box) {
        if (!box.hasAttribute("data-opened-today")) box.checked = target.checked;
      });
      updateCount(form);
    } else if (target.name === "batch" && target.form && target.form.id === "ready-form") {
      updateCount(target.form);
      var all = document.getElementById("ready-all");
      if (all && !target.checked) all.checked = false;
    }
  });

  // What a bulk-close step swapped in gets the focus (its heading).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "close-panel") return;
    var focus = target.querySelector("[data-focus], [autofocus]");
    if (focus) focus.focus();
  });
})();
