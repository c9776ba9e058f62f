// Client script of a perfscope capacity report: draws every chart from the inlined report data
// with Observable Plot (global `Plot`) and d3 (global `d3`), adds tooltips, legends and
// brush-to-zoom. Plain ES2020, no imports: it is inlined into the HTML file.
/* global d3, Plot */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const resources = new Map(data.resources.map((r) => [r.id, r]));
  const zoom = new Map(); // resource id → [from, to] or undefined
  const colors = {
    observed: "#1f5f99",
    trend: "#d1812b",
    forecast: "#7b3fa0",
    "80 % band": "#b89bd1",
    "95 % band": "#e4d8ef",
    anomaly: "#d62728",
    limit: "#333333",
  };
  const statusColors = { ok: "#3a8a3a", warning: "#d1a21b", critical: "#c0392b", unknown: "#888" };

  function fmt(unit) {
    if (unit === "ratio") return (v) => v == null ? "–" : d3.format(".3~p")(v);
    if (unit === "bytes") {
      return (v) => {
        if (v == null) return "–";
        const names = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        let i = 0;
        while (Math.abs(v) >= 1024 && i < names.length - 1) (v /= 1024, i++);
        return `${d3.format(".3~r")(v)} ${names[i]}`;
      };
    }
    return (v) => v == null ? "–" : `${d3.format(".3~s")(v)} ${unit}`;
  }
  const time = d3.utcFormat("%Y-%m-%d %H:%M UTC");

  function rows(ts, columns) {
    return ts.map((t, i) => {
      const row = { ts: new Date(t) };
      for (const [k, v] of Object.entries(columns)) row[k] = v[i] ?? null;
      return row;
    });
  }

  function width(el) {
    return Math.max(480, Math.min(1040, el.clientWidth || 900));
  }

  function domainOf(r) {
    const z = zoom.get(r.id);
    return z ? { domain: z.map((t) => new Date(t)) } : {};
  }

  // The value range the chart must show: observations, forecast and its 80 % band; the limit
  // only when it is near (else the series would be squashed against one edge).
  function extent(obs, fc) {
    const values = obs.map((d) => d.value).concat(fc.flatMap((d) => [d.mean, d.lo80, d.hi80]))
      .filter((v) => v != null && Number.isFinite(v));
    return values.length ? d3.extent(values) : [0, 1];
  }
  function showLimit(r, obs, fc) {
    if (r.limit == null) return false;
    const [lo, hi] = extent(obs, fc);
    return r.limit <= hi + 1.5 * Math.max(hi - lo, Math.abs(hi) * 0.05);
  }
  function yDomain(r, obs, fc) {
    let [lo, hi] = extent(obs, fc);
    if (showLimit(r, obs, fc)) (lo = Math.min(lo, r.limit), hi = Math.max(hi, r.limit));
    const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
    lo -= pad, hi += pad;
    if (r.unit === "bytes" || r.unit === "ratio") lo = Math.max(0, lo);
    return [lo, hi];
  }

  function forecastChart(el, r) {
    const f = fmt(r.unit);
    const obs = rows(r.series.ts, { value: r.series.values });
    const trend = r.decomposition ? rows(r.decomposition.ts, { value: r.decomposition.trend }) : [];
    const fc = r.forecast ? rows(r.forecast.ts, r.forecast) : [];
    const anomalies = r.anomalies.map((a) => ({
      ts: new Date(a.ts),
      value: a.value,
      score: a.score,
    }));
    const tips = obs.map((d, i) => ({ ...d, trend: trend[i]?.value ?? null }))
      .concat(fc.map((d) => ({ ...d, value: null })));
    const present = ["observed"];
    if (trend.length) present.push("trend");
    if (fc.length) present.push("forecast", "80 % band", "95 % band");
    if (anomalies.length) present.push("anomaly");
    if (showLimit(r, obs, fc)) present.push("limit");
    const title = (d) =>
      [
        time(d.ts),
        d.value != null ? `observed ${f(d.value)}` : null,
        d.trend != null ? `trend ${f(d.trend)}` : null,
        d.mean != null ? `forecast ${f(d.mean)}` : null,
        d.mean != null ? `80 % ${f(d.lo80)} … ${f(d.hi80)}` : null,
        d.mean != null ? `95 % ${f(d.lo95)} … ${f(d.hi95)}` : null,
      ].filter(Boolean).join("\n");
    return Plot.plot({
      width: width(el),
      height: 300,
      marginLeft: 70,
      x: { type: "utc", label: null, ...domainOf(r) },
      y: {
        grid: true,
        domain: yDomain(r, obs, fc),
        label: `${r.metric} (${r.unit})`,
        tickFormat: r.unit === "ratio" ? (v) => d3.format(".0%")(v) : (v) => f(v),
      },
      color: { legend: true, domain: present, range: present.map((k) => colors[k]) },
      marks: [
        Plot.areaY(fc, { clip: true, x: "ts", y1: "lo95", y2: "hi95", fill: () => "95 % band" }),
        Plot.areaY(fc, { clip: true, x: "ts", y1: "lo80", y2: "hi80", fill: () => "80 % band" }),
        Plot.lineY(trend, {
          clip: true,
          x: "ts",
          y: "value",
          stroke: () => "trend",
          strokeDasharray: "4,3",
        }),
        Plot.lineY(obs, {
          clip: true,
          x: "ts",
          y: "value",
          stroke: () => "observed",
          strokeWidth: 1.2,
        }),
        Plot.lineY(fc, {
          clip: true,
          x: "ts",
          y: "mean",
          stroke: () => "forecast",
          strokeWidth: 1.5,
        }),
        showLimit(r, obs, fc)
          ? Plot.ruleY([r.limit], { stroke: () => "limit", strokeDasharray: "6,4" })
          : null,
        Plot.dot(anomalies, {
          clip: true,
          x: "ts",
          y: "value",
          r: 4,
          stroke: () => "anomaly",
          strokeWidth: 2,
        }),
        Plot.ruleX(tips, Plot.pointerX({ x: "ts", stroke: "#999" })),
        Plot.tip(tips, Plot.pointerX({ x: "ts", y: (d) => d.value ?? d.mean, title })),
      ],
    });
  }

  function decompositionChart(el, r) {
    const d = r.decomposition;
    const f = fmt(r.unit);
    const long = [];
    d.ts.forEach((t, i) => {
      long.push({ ts: new Date(t), component: "seasonal", value: d.seasonal[i] });
      long.push({ ts: new Date(t), component: "remainder", value: d.remainder[i] });
    });
    const index = new Map(d.ts.map((t, i) => [t, i]));
    const marked = r.anomalies.filter((a) => index.has(a.ts)).map((a) => ({
      ts: new Date(a.ts),
      component: "remainder",
      value: d.remainder[index.get(a.ts)],
      score: a.score,
    }));
    const present = marked.length
      ? ["seasonal", "remainder", "anomaly"]
      : ["seasonal", "remainder"];
    return Plot.plot({
      width: width(el),
      height: 260,
      marginLeft: 70,
      marginRight: 80,
      x: { type: "utc", label: null, ...domainOf(r) },
      y: { grid: true, label: null, tickFormat: (v) => f(v) },
      fy: { label: null, domain: ["seasonal", "remainder"] },
      color: {
        legend: true,
        domain: present,
        range: present.map((k) =>
          k === "seasonal" ? colors.trend : k === "remainder" ? colors.observed : colors.anomaly
        ),
      },
      marks: [
        Plot.ruleY([0], { stroke: "#bbb" }),
        Plot.lineY(long, {
          clip: true,
          x: "ts",
          y: "value",
          fy: "component",
          stroke: "component",
          strokeWidth: 1,
        }),
        Plot.dot(marked, {
          clip: true,
          x: "ts",
          y: "value",
          fy: "component",
          r: 4,
          stroke: () => "anomaly",
          strokeWidth: 2,
        }),
        Plot.tip(
          long,
          Plot.pointerX({
            x: "ts",
            y: "value",
            fy: "component",
            title: (p) => `${time(p.ts)}\n${p.component} ${f(p.value)}`,
          }),
        ),
      ],
    });
  }

  function rankingChart(el) {
    const ranked = data.resources.filter((r) => r.utilization != null).map((r, i) => ({
      name: `${i + 1}. ${r.name}`,
      utilization: r.utilization,
      status: r.status,
      eta: r.eta,
    }));
    const present = [...new Set(ranked.map((d) => d.status))];
    return Plot.plot({
      width: width(el),
      height: 40 + 24 * Math.max(1, ranked.length),
      marginLeft: 260,
      x: {
        domain: [0, Math.max(1, d3.max(ranked, (d) => d.utilization) ?? 1)],
        label: "utilization",
        tickFormat: "%",
        grid: true,
      },
      y: { domain: ranked.map((d) => d.name), label: null },
      color: { legend: true, domain: present, range: present.map((s) => statusColors[s]) },
      marks: [
        Plot.barX(ranked, { x: "utilization", y: "name", fill: "status" }),
        Plot.ruleX([1], { stroke: "#333", strokeDasharray: "4,3" }),
        Plot.tip(
          ranked,
          Plot.pointerY({
            x: "utilization",
            y: "name",
            title: (d) =>
              `${d.name}\nutilization ${
                d3.format(".1%")(d.utilization)
              }\nstatus ${d.status}\nexhaustion ${
                d.eta == null ? "not within horizon" : time(new Date(d.eta))
              }`,
          }),
        ),
      ],
    });
  }

  function attachBrush(plot, r) {
    const svg = plot.tagName.toLowerCase() === "svg"
      ? plot
      : plot.querySelector("svg[class^='plot']");
    const x = plot.scale("x");
    if (!svg || !x) return;
    const scale = d3.scaleUtc(x.domain, x.range);
    const height = Number(svg.getAttribute("height"));
    const brush = d3.brushX().extent([[x.range[0], 20], [x.range[1], height - 30]]).on(
      "end",
      (event) => {
        if (!event.selection || !event.sourceEvent) return;
        const [a, b] = event.selection.map((px) => +scale.invert(px));
        if (b - a > 0) setZoom(r.id, [a, b]);
      },
    );
    d3.select(svg).append("g").attr("class", "brush").call(brush);
    svg.addEventListener("dblclick", () => setZoom(r.id, undefined));
  }

  function setZoom(id, range) {
    zoom.set(id, range);
    for (const el of document.querySelectorAll(`figure.chart[data-resource="${id}"]`)) draw(el);
    const button = document.querySelector(`button.reset-zoom[data-resource="${id}"]`);
    if (button) button.hidden = !range;
  }

  function draw(el) {
    const kind = el.dataset.chart;
    const r = resources.get(el.dataset.resource);
    const target = el.querySelector(".plot");
    try {
      const plot = kind === "ranking"
        ? rankingChart(target)
        : kind === "forecast"
        ? forecastChart(target, r)
        : decompositionChart(target, r);
      target.replaceChildren(plot);
      if (kind !== "ranking") attachBrush(plot, r);
      const zoomed = r && zoom.get(r.id);
      el.dataset.rendered = zoomed ? `zoomed:${zoomed.join("-")}` : "full";
    } catch (error) {
      target.textContent = `Chart failed: ${error.message}`;
      console.error(error);
    }
  }

  for (const button of document.querySelectorAll("button.reset-zoom")) {
    button.addEventListener("click", () => setZoom(button.dataset.resource, undefined));
  }
  for (const el of document.querySelectorAll("figure.chart")) draw(el);
  document.documentElement.dataset.ready = "true";
})();
