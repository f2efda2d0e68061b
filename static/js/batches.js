// The batch list: row disclosure, the advanced filter's rows, saved-view forms, focus after paging.
// Everything here enhances a page that works without it (CSP: no inline script, no eval).
(function () {
  "use strict";

  var SHORTCUTS = ["today", "yesterday", "last 7 days", "last 14 days", "last 30 days", "last 60 days", "last 90 days"];

  // --- row disclosure: a button with aria-expanded instead of the no-JS <details> ------------
  function enhanceRows(root) {
    var buttons = root.querySelectorAll ? root.querySelectorAll(".disclosure[hidden]") : [];
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      var more = document.getElementById(button.getAttribute("aria-controls"));
      if (!more) continue;
      button.hidden = false;
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
    if (!button) return;
    var more = document.getElementById(button.getAttribute("aria-controls"));
    if (!more) return;
    var expanded = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", expanded ? "false" : "true");
    more.classList.toggle("is-collapsed", expanded);
  });

  // --- advanced conditions ---------------------------------------------------------------
  var allOperators = null;

  function operatorsFor(fieldSelect) {
    var option = fieldSelect.options[fieldSelect.selectedIndex];
    var list = option && option.getAttribute("data-operators");
    return list ? list.split("|") : allOperators;
  }

  function updateRow(row, rebuild) {
    var field = row.querySelector("[data-field]");
    var operator = row.querySelector("[data-operator]");
    if (!field || !operator) return;
    if (rebuild) {
      var current = operator.value;
      var allowed = operatorsFor(field);
      while (operator.options.length > 1) operator.remove(1);
      allowed.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        option.textContent = name;
        if (name === current) option.selected = true;
        operator.appendChild(option);
      });
      var hintOption = field.options[field.selectedIndex];
      var hint = (hintOption && hintOption.getAttribute("data-hint")) || "";
      row.querySelectorAll("input[type=text]").forEach(function (input) { input.placeholder = hint; });
    }
    var op = operator.value;
    var valueCell = row.querySelector("[data-value-cell]");
    var value2Cell = row.querySelector("[data-value2-cell]");
    if (valueCell) valueCell.hidden = SHORTCUTS.indexOf(op) !== -1;
    if (value2Cell) value2Cell.hidden = op !== "between";
  }

  function enhanceConditions(root) {
    var rows = root.querySelectorAll ? root.querySelectorAll("[data-condition]") : [];
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].closest("template")) continue;
      updateRow(rows[i], false);
    }
  }

  document.addEventListener("change", function (event) {
    var row = event.target.closest("[data-condition]");
    if (!row) return;
    if (event.target.matches("[data-field]")) updateRow(row, true);
    if (event.target.matches("[data-operator]")) updateRow(row, false);
  });

  var added = 0;
  function addRow() {
    var template = document.getElementById("condition-template");
    var container = document.getElementById("condition-rows");
    if (!template || !container) return null;
    added += 1;
    var index = "n" + Date.now().toString(36) + added;
    var html = template.innerHTML.replace(/__i__/g, index);
    container.insertAdjacentHTML("beforeend", html);
    var row = container.lastElementChild;
    while (row && !row.matches("[data-condition]")) row = row.previousElementSibling;
    if (row) updateRow(row, false);
    return row;
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-condition]");
    if (add) {
      event.preventDefault();
      var row = addRow();
      if (row) row.querySelector("[data-field]").focus();
      return;
    }
    var remove = event.target.closest("[data-remove-condition]");
    if (remove) {
      event.preventDefault();
      var doomed = remove.closest("[data-condition]");
      var container = doomed.parentNode;
      doomed.remove();
      if (!container.querySelector("[data-condition]")) addRow();
      var addButton = document.querySelector("[data-add-condition]");
      if (addButton) addButton.focus();
    }
  });

  // --- saved views: store the URL the person is looking at (htmx may have changed it) -------
  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("[data-current-query]");
    for (var i = 0; i < inputs.length; i++) inputs[i].value = window.location.search.replace(/^\?/, "");
  }, true);

  // --- keep pushed URLs short and readable: drop empty inputs and blank condition rows ------
  var SCALARS = ["code", "opened", "opened_from", "opened_to", "closed", "closed_from", "closed_to"];
  var ROW_KEYS = ["f", "op", "v", "v2"];
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    var data = event.detail.formData;
    if (!data || !elt || !elt.closest || !elt.closest("#batch-filters")) return;
    SCALARS.forEach(function (key) {
      if (data.getAll(key).every(function (value) { return !String(value).trim(); })) data.delete(key);
    });
    if (data.get("who") === "all") data.delete("who");
    var columns = ROW_KEYS.map(function (key) { return data.getAll(key); });
    ROW_KEYS.forEach(function (key) { data.delete(key); });
    var count = Math.max.apply(null, columns.map(function (column) { return column.length; }));
    for (var i = 0; i < count; i++) {
      var row = columns.map(function (column) { return String(column[i] || ""); });
      if (!row[0] && !row[2].trim() && !row[3].trim()) continue;
      ROW_KEYS.forEach(function (key, k) { data.append(key, row[k]); });
    }
  });

  // --- after paging or retry, focus the result count so keyboard users land on the results --
  document.addEventListener("htmx:afterSettle", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var results = document.getElementById("results");
    if (!source || !results || event.detail.target !== results) return;
    if (source.closest && (source.closest(".pager") || source.closest(".api-error") || source.closest(".empty"))) {
      var count = document.getElementById("result-count");
      if (count) count.focus();
    }
  });

  function init(root) {
    if (allOperators === null) {
      var template = document.getElementById("condition-template");
      var select = template && template.content.querySelector("[data-operator]");
      allOperators = [];
      if (select) for (var i = 1; i < select.options.length; i++) allOperators.push(select.options[i].value);
    }
    enhanceRows(root);
    enhanceConditions(root);
  }

  if (window.htmx) {
    window.htmx.onLoad(init);
  } else {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  }
})();
