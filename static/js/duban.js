/* Our own small scripts. Served from this app: the intranet has no internet access. */
(function () {
  "use strict";

  // A form marked data-submit-once is sent once: a double click or a second Enter does not post
  // it again (the server refuses a second save anyway; this spares the user the message).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-submit-once")) {
      return;
    }
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.classList.add("disabled");
      button.setAttribute("aria-disabled", "true");
    });
  });

  // A button with data-confirm asks first (e.g. removing evidence); no inline handlers (CSP).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // The coordination request is asked for only when coordination is needed.
  document.querySelectorAll("input[name=needs_coordination]").forEach(function (box) {
    var target = box.form && box.form.querySelector("[name=coordination_request]");
    if (!target) {
      return;
    }
    var wrapper = target.closest(".mb-3") || target;
    var sync = function () {
      wrapper.hidden = !box.checked && !target.value;
    };
    box.addEventListener("change", sync);
    sync();
  });

  // Text fields with a length limit show "used / limit" under them (the server renders the first
  // count; the field's maxlength attribute stops typing at the limit, the server checks again).
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    var limit = field && parseInt(field.getAttribute("maxlength"), 10);
    if (!limit) {
      return;
    }
    var update = function () {
      var used = field.value.length;
      counter.textContent = used + " / " + limit;
      counter.classList.toggle("text-danger", used >= limit);
    };
    field.addEventListener("input", update);
    update();
  });
})();
