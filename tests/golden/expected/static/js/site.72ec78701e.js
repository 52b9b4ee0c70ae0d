/* Text size switcher (适老化): progressive enhancement; the site reads fine without it. */
(function () {
  "use strict";
  var KEY = "sitegen.textSize";
  var SIZES = ["small", "normal", "large"];
  var root = document.documentElement;

  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function apply(size) {
    if (SIZES.indexOf(size) < 0) { size = "normal"; }
    root.setAttribute("data-text-size", size);
    var buttons = document.querySelectorAll("button[data-text-size]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-text-size") === size));
    }
  }

  apply(stored());
  document.addEventListener("DOMContentLoaded", function () {
    apply(stored());
    var box = document.querySelector(".textsize");
    if (!box) { return; }
    box.hidden = false;
    box.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-text-size]");
      if (!button) { return; }
      var size = button.getAttribute("data-text-size");
      try { localStorage.setItem(KEY, size); } catch (e) { /* private mode: size lasts this page only */ }
      apply(size);
    });
  });
})();

/* The printable 政府信息公开申请表: a print button for those with JavaScript; others use the browser's menu. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var button = document.querySelector(".print-button");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
