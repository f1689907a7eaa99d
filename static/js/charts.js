/* The dashboards' charts (Apache ECharts, served by the app: static/vendor/echarts/).

   Each element [data-chart="<id>"] is drawn from the JSON of the json_script element <id>
   (dashboards.selectors.charts.Chart.data): kind "pie", "stack" or "line"; categories; series
   with one number and one drill-down URL per category. A click on a slice, bar or point goes to
   its URL. SVG renderer and no animation, so charts print crisply and screenshots are stable.
   No inline script or style anywhere (the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  if (typeof window.echarts === "undefined") {
    return; // the figures are in the tables beside each chart
  }

  // The badges' colours (Bootstrap's danger, warning, success, secondary).
  var LIGHT_COLOURS = { red: "#dc3545", yellow: "#ffc107", green: "#198754", closed: "#6c757d" };
  var PALETTE = ["#0d6efd", "#20c997", "#6f42c1", "#fd7e14", "#0dcaf0"];

  function point(value, link) {
    return { value: value, link: link || null, cursor: link ? "pointer" : "default" };
  }

  // Tooltips drawn inside the chart (rich text), not as HTML: ECharts' HTML tooltips carry style
  // attributes, which the Content-Security-Policy blocks.
  var TOOLTIP = "richText";

  function pieOption(data) {
    var series = data.series[0];
    return {
      tooltip: { trigger: "item", renderMode: TOOLTIP },
      legend: { bottom: 0 },
      series: [{
        type: "pie",
        name: series.name,
        radius: ["35%", "65%"],
        label: { formatter: "{b}: {c}" },
        data: data.categories.map(function (category, index) {
          var item = point(series.data[index], series.links[index]);
          item.name = category;
          item.itemStyle = { color: LIGHT_COLOURS[data.keys[index]] || PALETTE[index % PALETTE.length] };
          return item;
        })
      }]
    };
  }

  function gridOption(data, type) {
    var percent = data.percent;
    return {
      tooltip: { trigger: "axis", renderMode: TOOLTIP, valueFormatter: function (value) {
        return value === null || value === undefined ? "—" : value + (percent ? "%" : "");
      } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: percent ? { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
                     : { type: "value", minInterval: 1 },
      series: data.series.map(function (series, index) {
        return {
          type: type,
          name: series.name,
          stack: type === "bar" && data.kind === "stack" ? "total" : undefined,
          connectNulls: false,
          itemStyle: { color: LIGHT_COLOURS[series.key] || PALETTE[index % PALETTE.length] },
          data: series.data.map(function (value, position) {
            return point(value, series.links[position]);
          })
        };
      })
    };
  }

  function option(data, description) {
    var base = data.kind === "pie" ? pieOption(data) : gridOption(data, data.kind === "line" ? "line" : "bar");
    base.animation = false;
    // A screen reader hears the chart's title and where its figures are (the table below), not
    // ECharts' own reading of every value (which says "NaN" for a week without figures).
    base.aria = { enabled: true, label: { description: description } };
    return base;
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option(data, element.getAttribute("data-chart-description") || ""));
    chart.on("click", function (params) {
      if (params.data && params.data.link) {
        window.location.assign(params.data.link);
      }
    });
    element.setAttribute("data-chart-ready", "1");
    charts.push(chart);
  });

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("resize", resizeAll);

  // In print every chart's table is shown too (the figures on paper), then closed again.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.dash-chart-table:not([open])").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
    resizeAll();
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
    resizeAll();
  });
})();
