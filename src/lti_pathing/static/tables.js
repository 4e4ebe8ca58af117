// Tables too wide for their column (a phone, a narrow LMS frame) become one card per row, each
// cell under its column's name, instead of hiding columns behind a sideways scroll. The roles
// keep them tables for assistive technology (CSS `display` would otherwise drop that). Without
// script, the table scrolls inside its own box.
(function () {
  "use strict";
  var ROLES = [["table", "table"], ["thead, tbody, tfoot", "rowgroup"], ["tr", "row"],
               ["thead th", "columnheader"], ["tbody th", "rowheader"], ["td", "cell"]];

  function label(table) {
    var heads = table.querySelectorAll("thead tr:last-child th");
    if (!heads.length || table.hasAttribute("data-labelled")) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        var head = heads[i];
        var text = head ? head.textContent.replace(/\s+/g, " ").trim() : "";
        if (text && i > 0) { cell.setAttribute("data-label", text); }
      });
    });
    ROLES.forEach(function (pair) {
      if (pair[0] === "table") { table.setAttribute("role", pair[1]); return; }
      table.querySelectorAll(pair[0]).forEach(function (el) { el.setAttribute("role", pair[1]); });
    });
    table.setAttribute("data-labelled", "");
  }

  function fit() {
    document.querySelectorAll(".table-wrap > table").forEach(function (table) {
      table.classList.remove("stacked");
      if (table.scrollWidth > table.parentElement.clientWidth + 1) {
        label(table);
        table.classList.add("stacked");
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(fit, 100);
  });
  document.addEventListener("jobs:updated", fit); // a page updated in place by jobs.js
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fit);
  } else {
    fit();
  }
})();
