// trustbook serve: reload this page when the site is rebuilt. Served only by `serve`.
(function () {
  "use strict";
  var script = document.currentScript;
  var generation = script ? script.getAttribute("data-generation") : "0";
  function poll() {
    fetch("/__trustbook/wait?since=" + generation, { cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        if (text.trim() !== generation) {
          location.reload();
        } else {
          poll();
        }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
