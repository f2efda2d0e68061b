// Batch actions (open, edit, close, mark pending, reopen, delete): the modal dialog, focus,
// Escape to cancel an inline edit, and no double submission of full-page forms (app.js shows
// refusals inside the open dialog). When the answer replaced or removed the opener's row, the
// focus goes to that row, or to the page's main region once the row is gone (a deleted batch).
// No inline script anywhere (strict CSP); htmx does the requests.
(function () {
  "use strict";
  if (window.batchActionsLoaded) return;
  window.batchActionsLoaded = true;

  var opener = null; // the control that opened the dialog, focused again when it closes
  var openerRowId = null; // its row, focused instead when the control is gone (e.g. Close)
  var editedRowId = null; // a row leaving edit mode: focus its Edit button once swapped

  function dialogRegion() { return document.getElementById("dialog"); }

  function visible(element) {
    return !element.hidden && !element.disabled && element.getClientRects().length > 0;
  }

  function firstVisible(root, selector) {
    var found = root.querySelectorAll(selector);
    for (var i = 0; i < found.length; i++) if (visible(found[i])) return found[i];
    return null;
  }

  function focusFirst(root) {
    if (!root) return;
    var target = firstVisible(root, "[aria-invalid='true']") ||
      firstVisible(root, "[data-form-errors]") ||
      firstVisible(root, "[data-focus]") ||
      firstVisible(root, "[data-edit-button]") ||
      firstVisible(root, "input:not([type=hidden]), select, textarea, button, a[href]");
    if (target) target.focus();
  }

  // Once per dialog: the dialog may both fire "close" and be swapped away.
  function restoreFocus() {
    if (!opener && !openerRowId) return;
    var row = openerRowId ? document.getElementById(openerRowId) : null;
    if (opener && document.body.contains(opener)) {
      opener.focus();
    } else if (row) {
      // The opener was replaced (Close vanishes from a closed row): focus a control of its row.
      focusFirst(row);
    } else {
      var main = document.getElementById("main");
      if (main) main.focus();
    }
    opener = null;
    openerRowId = null;
  }

  // Remember what opened the dialog (before the request replaces anything).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    var region = dialogRegion();
    if (target && region && target === region && !region.querySelector("dialog[open]")) {
      var active = document.activeElement;
      opener = active && active !== document.body ? active : event.detail.elt;
      var row = opener && opener.closest ? opener.closest("tbody.batch") : null;
      openerRowId = row ? row.id : null;
    }
    var dialog = region && region.querySelector("dialog[open]");
    var problem = dialog && dialog.querySelector("[data-dialog-error]");
    if (problem) { problem.hidden = true; problem.textContent = ""; }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.matches && target.matches("tbody[data-editing]")) editedRowId = target.id;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    // A part of the dialog that loaded itself (data-deferred): the focus stays where it is.
    var target = event.detail.target;
    if (target && target.hasAttribute && target.hasAttribute("data-deferred")) return;
    var region = dialogRegion();
    if (region && target === region) {
      var dialog = region.querySelector("dialog");
      if (!dialog) { restoreFocus(); return; }
      if (!dialog.open) dialog.showModal();
      focusFirst(dialog);
      return;
    }
    if (region && target && region.contains(target)) { focusFirst(region.querySelector("dialog")); return; }
    var open = region && region.querySelector("dialog[open]");
    if (open && !document.body.contains(target)) { focusFirst(open); return; }
    if (editedRowId) {
      var row = document.getElementById(editedRowId);
      editedRowId = null;
      if (row && row.hasAttribute("data-editing")) { focusFirst(row); return; }
      if (row) {
        var button = row.querySelector("[data-edit-button]");
        if (button) button.focus(); else focusFirst(row);
      }
      return;
    }
    if (target && target.matches && target.matches("tbody[data-editing]")) focusFirst(target);
    var swapped = target && target.id ? document.getElementById(target.id) : null;
    if (swapped && swapped.hasAttribute("data-editing")) focusFirst(swapped);
  });

  // The Open dialog's preview brings the code suggestion (it needs the API, which may be slow):
  // it fills the code field unless the person has typed in it (or cleared it) meanwhile.
  document.addEventListener("input", function (event) {
    if (event.target.id === "open-batch_code") event.target.setAttribute("data-typed", "");
  });
  document.addEventListener("htmx:afterSwap", function () {
    var preview = document.querySelector("#open-batches-preview[data-suggested-code]");
    var code = document.getElementById("open-batch_code");
    if (!preview || !code) return;
    if (!code.hasAttribute("data-typed")) {
      code.value = preview.getAttribute("data-suggested-code");
      if (document.activeElement === code) code.select();
    }
    preview.removeAttribute("data-suggested-code");
  });

  // A dialog closed (Escape, Cancel): remove it and give focus back.
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (!dialog.matches || !dialog.matches("dialog[data-action-dialog]")) return;
    var region = dialogRegion();
    if (region && region.contains(dialog)) region.textContent = "";
    restoreFocus();
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-dialog-close]") : null;
    if (!link) return;
    var dialog = link.closest("dialog");
    if (!dialog) return; // a full page: the link goes back to the list
    event.preventDefault();
    dialog.close();
  });

  // Escape in a row being edited: fetch the row again (cancel).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var row = event.target.closest ? event.target.closest("tbody[data-editing]") : null;
    if (!row || !window.htmx) return;
    event.preventDefault();
    editedRowId = row.id;
    // The form as the source: its hx-push-url="false" keeps the list's own URL.
    window.htmx.ajax("GET", row.getAttribute("data-row-url"), {
      source: row.querySelector("form") || row, target: "#" + row.id, swap: "outerHTML"
    });
  });

  // Full-page forms (no htmx): one submission only.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-disable-on-submit]")) return;
    if (form.getAttribute("data-submitted")) { event.preventDefault(); return; }
    form.setAttribute("data-submitted", "true");
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();
