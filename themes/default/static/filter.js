// Filters as progressive enhancement: every table marked `filterable` (and every
// `.filterable-list` of <details>) gets a box that hides the rows not matching what is
// typed. Without JavaScript, everything shows.
(function () {
  "use strict";
  var tables = document.querySelectorAll("table.filterable, .filterable-list");
  Array.prototype.forEach.call(tables, function (table, index) {
    var rows = table.tagName === "TABLE"
      ? (table.tBodies[0] ? Array.prototype.slice.call(table.tBodies[0].rows) : [])
      : Array.prototype.slice.call(table.querySelectorAll("details:not(.objective)"));
    // Controls are grouped in collapsed objectives: a filter opens the groups with a match
    // and hides the others, and clearing it closes them again.
    var groups = table.tagName === "TABLE" ? [] : Array.prototype.slice.call(table.querySelectorAll("details.objective"));
    var wrapper = document.createElement("div");
    wrapper.className = "table-filter";
    var label = document.createElement("label");
    label.htmlFor = "table-filter-" + index;
    label.textContent = table.tagName === "TABLE" ? "Filter rows" : "Filter controls";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "table-filter-" + index;
    input.autocomplete = "off";
    var count = document.createElement("span");
    count.className = "muted";
    count.setAttribute("aria-live", "polite");
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    wrapper.appendChild(count);
    table.parentNode.insertBefore(wrapper, table);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) shown += 1;
      });
      groups.forEach(function (group) {
        var visible = Array.prototype.some.call(group.querySelectorAll("details"), function (d) { return !d.hidden; });
        group.hidden = words.length > 0 && !visible;
        group.open = words.length > 0 && visible;
      });
      count.textContent = words.length ? " " + shown + " of " + rows.length + " shown" : "";
    });
  });
})();
