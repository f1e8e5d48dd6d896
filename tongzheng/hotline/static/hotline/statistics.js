/* 热线统计: ECharts charts drawn from the page's own figures (json_script), no extra request. */
(function () {
  "use strict";
  var root = document.getElementById("tz-hotline-statistics");
  if (!root || typeof echarts === "undefined") { return; }
  var data = JSON.parse(document.getElementById("tz-hotline-chart-data").textContent);
  var MAX_BARS = 20;

  function option(kind, series) {
    if (kind === "pie") {
      return {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{
          type: "pie", radius: ["35%", "65%"],
          data: series.labels.map(function (label, i) { return { name: label, value: series.values[i] }; })
        }]
      };
    }
    var labels = series.labels.slice(0, MAX_BARS);
    var values = series.values.slice(0, MAX_BARS);
    if (kind === "hbar") {
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 96, right: 24, top: 8, bottom: 24 },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: labels.reverse(), axisLabel: { interval: 0 } },
        series: [{ type: "bar", data: values.reverse() }]
      };
    }
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 16, bottom: 96 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: 35, interval: 0 } },
      yAxis: { type: "value" },
      series: [{ type: "bar", data: values }]
    };
  }

  var charts = [];
  root.querySelectorAll(".tz-chart").forEach(function (element) {
    var series = data[element.dataset.key];
    if (!series) { return; }
    var chart = echarts.init(element);
    chart.setOption(option(element.dataset.kind, series));
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
