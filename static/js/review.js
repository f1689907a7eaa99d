/* The review queue: a header checkbox ticks every submitted report of the page (no inline
   handlers: the Content-Security-Policy forbids them). */
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (master) {
    var name = master.getAttribute("data-select-all");
    var boxes = function () {
      return document.querySelectorAll("input[type=checkbox][name='" + name + "']");
    };
    master.addEventListener("change", function () {
      boxes().forEach(function (box) {
        box.checked = master.checked;
      });
    });
    document.addEventListener("change", function (event) {
      if (event.target.name === name) {
        var all = Array.prototype.every.call(boxes(), function (box) { return box.checked; });
        master.checked = all;
      }
    });
  });
})();
