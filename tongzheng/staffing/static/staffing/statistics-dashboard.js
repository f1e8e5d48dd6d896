/* 编制统计看板: two ECharts bar charts drawn from the statistics JSON endpoint. */
(function () {
  "use strict";
  var root = document.getElementById("tz-staffing-dashboard");
  if (!root || typeof echarts === "undefined") { return; }
  var labels = JSON.parse(document.getElementById("tz-dashboard-labels").textContent);
  var measures = ["approved", "occupied", "vacant", "over"];

  function bars(element, categories, series) {
    var chart = echarts.init(element);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, bottom: 80, top: 36 },
      xAxis: { type: "category", data: categories, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value" },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  fetch(root.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      bars(
        document.getElementById("tz-chart-types"),
        data.by_type.map(function (t) { return t.name; }),
        measures.map(function (m) {
          return { name: labels[m], type: "bar", data: data.by_type.map(function (t) { return t[m]; }) };
        })
      );
      var rows = data.rows.slice(0, 60);
      bars(
        document.getElementById("tz-chart-rows"),
        rows.map(function (r) { return r.label; }),
        measures.map(function (m) {
          return { name: labels[m], type: "bar", data: rows.map(function (r) { return r.total[m]; }) };
        })
      );
    });
})();
