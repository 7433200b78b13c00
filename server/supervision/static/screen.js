// The big screen: draws /supervision/api/board, then redraws on every `board` event of /supervision/api/stream.
(function () {
  "use strict";
  const AXIS = { axisLabel: { color: "#7fa3c8" }, axisLine: { lineStyle: { color: "#17406a" } },
                 splitLine: { lineStyle: { color: "#10304f" } } };
  const COLORS = ["#35d0ff", "#3ddc97", "#ffb547", "#ff5d6c", "#a98bff", "#5b8cff", "#f78fb3", "#8fe3ff"];
  const charts = {};

  function chart(id) {
    if (!charts[id]) {
      const c = echarts.init(document.getElementById(id), null, { renderer: "canvas" });
      // a wall display redrawn on every change: no animation (it would also catch screenshots mid-way)
      const setOption = c.setOption.bind(c);
      c.setOption = (opt, notMerge) => setOption(Object.assign({ animation: false }, opt), notMerge);
      charts[id] = c;
    }
    return charts[id];
  }

  function fmt(n, digits) {
    return Number(n).toLocaleString("zh-CN", { minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0 });
  }

  function setKpi(id, text) {
    const el = document.getElementById(id);
    if (el.textContent !== text) {
      el.textContent = text;
      el.classList.add("flash");
      setTimeout(() => el.classList.remove("flash"), 800);
    }
  }

  function pie(id, items, valueKey, labels) {
    chart(id).setOption({
      color: COLORS, tooltip: { trigger: "item" },
      legend: { bottom: 0, textStyle: { color: "#d7e9ff" }, type: "scroll" },
      series: [{ type: "pie", radius: ["38%", "66%"], center: ["50%", "44%"],
                 label: { show: labels !== false, color: "#d7e9ff", formatter: "{b}\n{d}%" },
                 data: items.map((x) => ({ name: x.name, value: x[valueKey] })) }],
    }, true);
  }

  function hbar(id, items, valueKey, onClick) {
    const c = chart(id);
    const rows = items.slice().reverse();
    c.setOption({
      color: COLORS, tooltip: {}, grid: { left: 8, right: 24, top: 6, bottom: 6, containLabel: true },
      xAxis: Object.assign({ type: "value" }, AXIS),
      yAxis: Object.assign({ type: "category", data: rows.map((x) => x.name) }, AXIS),
      series: [{ type: "bar", data: rows.map((x) => x[valueKey]), label: { show: true, position: "right", color: "#d7e9ff" } }],
    }, true);
    c.off("click");
    if (onClick) c.on("click", (p) => onClick(rows[p.dataIndex]));
  }

  function render(b) {
    const s = b.summary;
    setKpi("kpi-today-services", fmt(s.today.services));
    setKpi("kpi-today-settlements", fmt(s.today.settlements));
    setKpi("kpi-today-fund", fmt(s.today.fund, 2));
    setKpi("kpi-today-personal", fmt(s.today.personal, 2));
    setKpi("kpi-month-services", fmt(s.month.services));
    setKpi("kpi-month-settlements", fmt(s.month.settlements));
    setKpi("kpi-month-fund", fmt(s.month.fund, 2));
    setKpi("kpi-month-personal", fmt(s.month.personal, 2));
    if (b.viewer) document.getElementById("viewer").textContent = b.viewer;

    pie("chart-disease", b.fund.by_disease, "fund");
    hbar("chart-level", b.fund.by_level, "fund");
    hbar("chart-inst", b.fund.by_institution, "fund", (x) => { location.href = "/supervision/institution/" + encodeURIComponent(x.code); });
    chart("chart-hours").setOption({
      color: COLORS, tooltip: { trigger: "axis" }, grid: { left: 40, right: 40, top: 16, bottom: 24 },
      xAxis: Object.assign({ type: "category", data: s.hours.map((h) => h.hour) }, AXIS),
      yAxis: [Object.assign({ type: "value", name: "笔" }, AXIS), Object.assign({ type: "value", name: "元" }, AXIS)],
      series: [{ type: "bar", name: "结算 settlements", data: s.hours.map((h) => h.settlements) },
               { type: "line", name: "基金 fund", yAxisIndex: 1, smooth: true, data: s.hours.map((h) => h.fund) }],
    }, true);
    chart("chart-trend").setOption({
      color: ["#3ddc97"], tooltip: { trigger: "axis" }, grid: { left: 40, right: 16, top: 16, bottom: 24 },
      xAxis: Object.assign({ type: "category", data: b.drugs.trend.map((d) => d.day.slice(5)) }, AXIS),
      yAxis: Object.assign({ type: "value", name: "盒 boxes" }, AXIS),
      series: [{ type: "line", areaStyle: { opacity: 0.2 }, smooth: true, data: b.drugs.trend.map((d) => d.boxes) }],
    }, true);
    const drugs = b.drugs.top.slice(0, 8);
    const dc = chart("chart-drugs");
    dc.setOption({
      color: COLORS, tooltip: {}, grid: { left: 8, right: "42%", top: 6, bottom: 6, containLabel: true },
      xAxis: Object.assign({ type: "value" }, AXIS),
      yAxis: Object.assign({ type: "category", data: drugs.map((d) => d.name).reverse() }, AXIS),
      series: [{ type: "bar", data: drugs.map((d) => d.boxes).reverse() },
               { type: "pie", radius: ["18%", "36%"], center: ["80%", "50%"], label: { color: "#d7e9ff", fontSize: 10 },
                 data: b.drugs.classes.map((c) => ({ name: c.name, value: c.boxes })) }],
    }, true);
    dc.off("click");
    dc.on("click", (p) => {
      if (p.seriesType === "bar") location.href = "/supervision/drug/" + encodeURIComponent(drugs[drugs.length - 1 - p.dataIndex].key);
    });
    const t = b.trace;
    pie("chart-trace", [{ name: "有码 coded", v: t.coded_boxes }, { name: "无码 uncoded", v: t.uncoded_boxes }], "v", false);
    document.getElementById("trace-facts").textContent =
      `覆盖率 coverage ${t.coverage === null ? "–" : (t.coverage * 100).toFixed(1) + "%"} · 3505上传 uploads ${fmt(t.uploads)} · ` +
      `待上传 pending ${fmt(t.uploads_pending)} · 退货 returns ${fmt(t.returns)}`;

    const tbody = document.querySelector("#regions tbody");
    tbody.replaceChildren(...b.regions.map((r) => {
      const tr = document.createElement("tr");
      [r.area, fmt(r.services), fmt(r.settlements), fmt(r.fund, 2)].forEach((v) => {
        const td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      });
      return tr;
    }));
    const counts = b.alert_counts || {};
    document.getElementById("alert-counts").textContent =
      `高 ${counts.high || 0} · 中 ${counts.medium || 0} · 低 ${counts.low || 0}`;
    const list = document.getElementById("alerts");
    list.replaceChildren(...b.alerts.map((a) => {
      const li = document.createElement("li");
      li.className = "sev-" + a.severity;
      li.dataset.rule = a.rule;
      const rule = document.createElement("span"); rule.className = "rule"; rule.textContent = a.rule + " " + a.at.slice(5, 16);
      const link = document.createElement("a"); link.href = a.link; link.textContent = a.title_zh; link.title = a.title_en;
      li.append(rule, link);
      return li;
    }));
    if (b.version !== undefined) document.body.dataset.version = String(b.version);
    document.body.dataset.loaded = "1";
  }

  function tick() {
    // Beijing time wherever the browser runs: the centre's days and hours (today, the alerts' times) are CST
    document.getElementById("clock").textContent =
      new Date().toLocaleString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
  }

  fetch("/supervision/api/board", { credentials: "same-origin" }).then((r) => {
    if (r.status === 401) { location.href = "/supervision/login"; return null; }
    return r.json();
  }).then((b) => { if (b) render(b); });

  const live = document.getElementById("live");
  const source = new EventSource("/supervision/api/stream");
  source.addEventListener("board", (e) => { render(JSON.parse(e.data)); });
  source.onopen = () => { live.className = "live on"; };
  source.onerror = () => { live.className = "live off"; };
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  tick();
  setInterval(tick, 1000);
})();
