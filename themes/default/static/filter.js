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

// Sorting and a status filter for registers, as progressive enhancement: each header of a
// `sortable` table becomes a button (numbers and dates sort as such), and a table marked
// `data-status-filter` gets a list of the statuses its rows show.
(function () {
  "use strict";
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    var body = table.tBodies[0];
    if (!body) return;
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var text = (row.cells[column] ? row.cells[column].textContent : "").trim();
          var number = parseFloat(text);
          return /^-?\d+(\.\d+)?(\s|$)/.test(text) ? number : text.toLowerCase();
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === y) return 0;
          if (x === "") return 1; // empty cells last, whichever the order
          if (y === "") return -1;
          var order = (typeof x === typeof y ? x < y : typeof x === "number") ? -1 : 1;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("table[data-status-filter]"), function (table, index) {
    var rows = table.tBodies[0] ? Array.prototype.slice.call(table.tBodies[0].rows) : [];
    var statuses = [];
    rows.forEach(function (row) {
      Array.prototype.forEach.call(row.querySelectorAll(".status, .level"), function (badge) {
        var word = badge.textContent.trim();
        if (word && statuses.indexOf(word) === -1) statuses.push(word);
      });
    });
    if (statuses.length < 2) return;
    statuses.sort();
    // Beside the text filter the script above put before the table, when there is one.
    var before = table.previousElementSibling;
    var filter = before && before.classList.contains("table-filter") ? before : null;
    var label = document.createElement("label");
    label.htmlFor = "status-filter-" + index;
    label.textContent = "Status";
    var select = document.createElement("select");
    select.id = "status-filter-" + index;
    var all = document.createElement("option");
    all.value = "";
    all.textContent = "All";
    select.appendChild(all);
    statuses.forEach(function (word) {
      var option = document.createElement("option");
      option.value = word;
      option.textContent = word;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      rows.forEach(function (row) {
        var words = Array.prototype.map.call(row.querySelectorAll(".status, .level"), function (b) { return b.textContent.trim(); });
        row.classList.toggle("status-hidden", select.value !== "" && words.indexOf(select.value) === -1);
      });
    });
    if (filter) {
      filter.appendChild(label);
      filter.appendChild(select);
    } else {
      var box = document.createElement("div");
      box.className = "table-filter";
      box.appendChild(label);
      box.appendChild(select);
      table.parentNode.insertBefore(box, table);
    }
  });
})();
