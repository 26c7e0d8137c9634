/* dieuhanh charts: Plotly (served from the installed `plotly` package, never from a CDN).
   Each <div class="dh-chart" data-spec="ID"> is drawn from the JSON in <script id="ID">. */
(function () {
  "use strict";
  function draw(root) {
    if (!window.Plotly) { return; }
    (root || document).querySelectorAll(".dh-chart[data-spec]").forEach(function (el) {
      var node = document.getElementById(el.dataset.spec);
      if (!node) { return; }
      var spec = JSON.parse(node.textContent);
      if (document.documentElement.classList.contains("wall") && spec.layout) {
        // The wall screen scales its charts with the screen: 1 at 1920 px wide, 2 on a 4K wall.
        var k = Math.max(1, window.innerWidth / 1920);
        spec.layout.font = Object.assign({}, spec.layout.font, { size: Math.round(15 * k) });
        if (spec.layout.height) { spec.layout.height = Math.round(spec.layout.height * k); }
        if (spec.layout.margin && spec.layout.margin.l) { spec.layout.margin.l = Math.round(spec.layout.margin.l * k); }
      }
      var config = { displaylogo: false, responsive: true, staticPlot: el.dataset.static === "1",
                     topojsonURL: (document.body.dataset.topojson || "/static/dashboards/topojson/"),
                     modeBarButtonsToRemove: ["lasso2d", "select2d", "toImage"] };
      window.Plotly.react(el, spec.data, spec.layout, config);
      if (spec.links) {
        el.on("plotly_click", function (ev) {
          var point = ev.points && ev.points[0];
          var key = point && (point.location || point.customdata || point.x);
          if (key && spec.links[key]) { window.location.href = spec.links[key]; }
        });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { draw(ev.target); });
  window.dieuhanhDraw = draw;
})();
