// The manager dashboard's charts: every canvas.chart carries its chart as
// JSON in data-chart ({type, labels, series: [{name, values}], links});
// clicking a bar or slice opens the list behind that figure. The tables
// under the charts hold the same figures and links without script.
(function () {
  "use strict";
  var palette = ["#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#e53935", "#546e7a"];
  function draw(canvas) {
    var spec = JSON.parse(canvas.dataset.chart);
    var doughnut = spec.type === "doughnut";
    var datasets = spec.series.map(function (s, i) {
      return {
        label: s.name,
        data: s.values,
        backgroundColor: doughnut ? palette.slice(0, s.values.length) : palette[i % palette.length]
      };
    });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        animation: false,
        plugins: { legend: { display: doughnut || spec.series.length > 1, position: "bottom" } },
        onClick: function (_event, elements) {
          if (elements.length && spec.links && spec.links[elements[0].index]) {
            window.location.href = spec.links[elements[0].index];
          }
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        }
      }
    });
    canvas.dataset.drawn = "true";
  }
  function start() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll("canvas.chart[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
