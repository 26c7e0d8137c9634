/* Wall screen: rotate through the sectors every data-rotate seconds; the server refreshes the
   content itself (htmx polling); the clock shows local time. */
(function () {
  "use strict";
  var index = 0;
  function rotate() {
    var root = document.querySelector("[data-rotate]");
    if (!root) { return; }
    var panels = root.querySelectorAll(".wall-panel");
    if (!panels.length) { return; }
    panels.forEach(function (p, i) { p.hidden = i !== index; });
    var current = panels[index];
    var label = document.getElementById("wall-sector");
    if (label && current) { label.textContent = current.dataset.title || ""; }
    if (window.dieuhanhDraw && current) { window.dieuhanhDraw(current); }
    index = (index + 1) % panels.length;
  }
  function tick() {
    var el = document.getElementById("wall-clock");
    if (el) {
      el.textContent = new Date().toLocaleTimeString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit" });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-rotate]");
    var seconds = root ? parseInt(root.dataset.rotate, 10) || 20 : 20;
    rotate(); tick();
    setInterval(rotate, seconds * 1000);
    setInterval(tick, 10000);
  });
  document.addEventListener("htmx:afterSwap", function () { index = Math.max(index - 1, 0); rotate(); });
})();
