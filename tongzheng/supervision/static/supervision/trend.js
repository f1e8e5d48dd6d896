/* 电子监察看板: the 30-day trend (ECharts line chart) from the JSON embedded in the page. */
(function () {
  "use strict";
  var element = document.getElementById("tz-trend");
  if (!element || typeof echarts === "undefined") { return; }
  var data = JSON.parse(document.getElementById("tz-trend-data").textContent);
  var labels = JSON.parse(document.getElementById("tz-trend-labels").textContent);
  var names = ["red", "yellow", "open", "finished"];
  var colours = { red: "#c0392b", yellow: "#d4a017", open: "#2c6fbb", finished: "#3c8d40" };
  var chart = echarts.init(element);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 48, right: 16, bottom: 40, top: 36 },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value", minInterval: 1 },
    series: names.map(function (name) {
      return { name: labels[name], type: "line", data: data[name], itemStyle: { color: colours[name] } };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
