// Search as progressive enhancement: the box stays hidden unless this script runs, and it
// reads only this site's own index (search-index.js), so nothing leaves the page. The
// index holds the pages' text and can be large: it is loaded when the box is first used,
// not with every page.
(function () {
  "use strict";
  var box = document.querySelector(".search");
  if (!box) return;
  var root = box.getAttribute("data-root") || "";
  var input = box.querySelector("input");
  var results = box.querySelector(".search-results");
  var entries = null;
  var waiting = null;
  box.hidden = false;

  function load(then) {
    if (entries) return then();
    if (waiting) return waiting.push(then);
    waiting = [then];
    // A script, not fetch(): it also works from file://.
    var script = document.createElement("script");
    script.src = root + "search-index.js";
    script.onload = script.onerror = function () {
      entries = Array.isArray(window.TRUSTBOOK_SEARCH) ? window.TRUSTBOOK_SEARCH : [];
      waiting.forEach(function (f) { f(); });
    };
    document.head.appendChild(script);
  }

  function search() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    results.textContent = "";
    if (!words.length) return;
    // Every word must appear, anywhere in a word: "incident" finds "incidents".
    var found = entries.filter(function (e) {
      var text = (e.title + " " + e.text + " " + e.kind).toLowerCase();
      return words.every(function (w) { return text.indexOf(w) !== -1; });
    });
    // Title matches first: a search for a name should not list every page that mentions it.
    function titleHits(e) {
      var title = e.title.toLowerCase();
      return words.filter(function (w) { return title.indexOf(w) !== -1; }).length;
    }
    found.sort(function (a, b) { return titleHits(b) - titleHits(a); });
    if (!found.length) {
      var none = document.createElement("li");
      none.className = "muted no-results";
      none.textContent = "No results for \u201c" + input.value.trim() + "\u201d";
      results.appendChild(none);
      return;
    }
    found.slice(0, 20).forEach(function (e) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + encodeURI(e.url) + "index.html" + (e.anchor ? "#" + encodeURIComponent(e.anchor) : "");
      link.textContent = e.title;
      var kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = " " + e.kind;
      item.appendChild(link);
      item.appendChild(kind);
      results.appendChild(item);
    });
  }

  input.addEventListener("focus", function () { load(function () {}); });
  input.addEventListener("input", function () { load(search); });
})();
