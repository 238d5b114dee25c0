/* Charts with the vendored Chart.js (static/vendor/chartjs). A page declares a chart without any inline script:

     {{ data|json_script:"my-chart-data" }}     data: {"labels": [...], "values": [...], "label": "..."}
     <canvas data-chart="bar" data-chart-source="my-chart-data" role="img" aria-label="..."></canvas>

   and loads chart.umd.min.js and this file in {% block extra_js %}. data-chart is the Chart.js chart type
   (bar, line, doughnut, ...). Keep a table or text with the same numbers on the page: a canvas is not readable
   by a screen reader. */
(function () {
  "use strict";

  var palette = ["#0b4f8a", "#c2410c", "#166534", "#6d28d9", "#8a4b00", "#0e7490", "#a4161a", "#4a5360"];

  function render(canvas) {
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source || typeof window.Chart === "undefined" || canvas.dataset.chartRendered) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var type = canvas.dataset.chart || "bar";
    var datasets = data.datasets || [{ label: data.label || "", data: data.values || [] }];
    datasets.forEach(function (dataset, index) {
      var colour = palette[index % palette.length];
      if (type === "doughnut" || type === "pie") {
        dataset.backgroundColor = dataset.backgroundColor || palette;
      } else {
        dataset.backgroundColor = dataset.backgroundColor || colour;
        dataset.borderColor = dataset.borderColor || colour;
      }
    });
    canvas.dataset.chartRendered = "true";
    new window.Chart(canvas, {
      type: type,
      data: { labels: data.labels || [], datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        plugins: { legend: { display: datasets.length > 1 || type === "doughnut" || type === "pie" } },
        scales: type === "doughnut" || type === "pie" ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function renderAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(render);
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderAll(document);
  });
  // Fragments swapped in by htmx may bring charts of their own.
  document.addEventListener("htmx:afterSettle", function (event) {
    renderAll(event.target);
  });
})();
