// Client script of a perfscope capacity report: draws every chart from the inlined report data
// with Observable Plot (global `Plot`) and d3 (global `d3`), adds tooltips, legends and
// brush-to-zoom. Plain ES2020, no imports: it is inlined into the HTML file.
/* global d3, Plot, dayTimeTick, TIME_MARGIN_RIGHT, areaGaps, seriesGaps, escapeControls */
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
    "exhaustion mark": "#c0392b",
    "time to exhaustion": "#e4572e",
  };
  const statusColors = { ok: "#3a8a3a", warning: "#d1a21b", critical: "#c0392b", unknown: "#888" };

  const binary = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  // a share with a space before its sign, as the report's text and the web pages print it (the
  // ranking chart read "568%" under a table reading "568 %")
  const pct = (spec) => (v) => d3.format(spec)(v).replace("%", " %");
  function fmt(unit) {
    if (unit === "ratio") return (v) => v == null ? "–" : pct(".3~p")(v);
    if (unit === "bytes") {
      return (v) => {
        if (v == null) return "–";
        let i = 0;
        while (Math.abs(v) >= 1024 && i < binary.length - 1) (v /= 1024, i++);
        return `${d3.format(".3~r")(v)} ${binary[i]}`;
      };
    }
    const word = unit ? ` ${unit}` : "";
    return (v) =>
      v == null
        ? "–"
        : `${Math.abs(v) < 1e6 ? d3.format(",.3~r")(v) : d3.format(".3~s")(v)}${word}`;
  }
  // Axis ticks: bytes on round binary multiples (100 GiB, not 107 GB), others as d3 ticks.
  function ticks(unit, [lo, hi]) {
    if (unit !== "bytes") return d3.ticks(lo, hi, 6);
    let k = 1;
    while (Math.max(Math.abs(lo), Math.abs(hi)) / k >= 1024 && k < 1024 ** 5) k *= 1024;
    return d3.ticks(lo / k, hi / k, 6).map((t) => t * k);
  }
  // Tick labels as precise as the step between ticks needs: a disk that grew 100 MiB in five
  // minutes had seven ticks all reading "49.9 GiB" (3 significant digits), and a ratio between
  // 49 % and 50 % ticks all reading "49 %". Plot passes (value, index, ticks), as to timeTick.
  function axisFormat(unit) {
    const step = (ticks, k) => {
      let least = Infinity;
      for (let i = 1; i < (ticks?.length ?? 0); i++) {
        least = Math.min(least, Math.abs(ticks[i] - ticks[i - 1]) / k);
      }
      return Number.isFinite(least) && least > 0 ? d3.precisionFixed(least) : 0;
    };
    if (unit === "ratio") return (v, _i, ticks) => pct(`.${step(ticks, 0.01)}%`)(v);
    if (unit === "bytes") {
      return (v, _i, ticks) => {
        if (!ticks) return fmt(unit)(v);
        // the unit of the largest tick, as ticks() picks it: one unit along the axis
        const top = Math.max(...ticks.map(Math.abs));
        let i = 0, k = 1;
        while (top / k >= 1024 && i < binary.length - 1) (k *= 1024, i++);
        return `${d3.format(`.${step(ticks, k)}f`)(v / k)} ${binary[i]}`;
      };
    }
    return (v) => (Math.abs(v) < 1e4 ? d3.format(",~r")(v) : d3.format("~s")(v));
  }
  const time = d3.utcFormat("%Y-%m-%d %H:%M UTC");
  // Time axes name each day once: hours on a 24-hour clock (UTC), the day on a second line
  // under the first tick of each day; ticks all at midnight are days alone. The formatter is
  // format/format.js' dayTimeTick, whose source the report inlines before this script (the
  // Capacity page imports the same function), so the page and the report draw the same axis.
  const timeTick = dayTimeTick;
  /** Bottom margin of a chart with a time axis: room for the tick's second line. */
  const TIME_MARGIN_BOTTOM = 42;
  function timeAxis() {
    return { tickFormat: timeTick };
  }

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

  // The time frame of a resource's charts: its history, and after it its forecast and time to
  // exhaustion when it has them (never empty days after a sliver of data); a brushed range
  // replaces it.
  function timeDomain(r, future = true) {
    const z = zoom.get(r.id);
    if (z) return z.map((t) => new Date(t));
    const start = r.series.ts[0] ?? data.from;
    const end = future
      ? Math.max(data.to, r.forecast?.ts.at(-1) ?? 0, r.eta ?? 0)
      : Math.max(data.to, r.series.ts.at(-1) ?? 0);
    return [new Date(start), new Date(end)];
  }

  // The value range the chart must show: observations, forecast and its 80 % band; the limit
  // and the exhaustion mark when drawn, which the server decides (only when near, else the
  // series would be squashed against one edge) and names in the caption: reports/forecast_marks.ts
  function extent(obs, fc) {
    const values = obs.map((d) => d.value).concat(fc.flatMap((d) => [d.mean, d.lo80, d.hi80]))
      .filter((v) => v != null && Number.isFinite(v));
    return values.length ? d3.extent(values) : [0, 1];
  }
  function yDomain(r, obs, fc, marks) {
    let [lo, hi] = extent(obs, fc);
    const levels = [marks.has("limit") && r.limit, marks.has("mark") && r.threshold];
    for (const level of levels) {
      if (typeof level === "number") (lo = Math.min(lo, level), hi = Math.max(hi, level));
    }
    // Quantities that cannot be negative start at zero when the data come near it.
    if (lo >= 0 && lo < 0.5 * hi) lo = 0;
    const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.1 || 1;
    return [lo === 0 ? 0 : Math.max(0, lo - pad), hi + pad];
  }

  function forecastChart(el, r, marks) {
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
    const xDomain = timeDomain(r);
    const showLimit = marks.has("limit");
    const showMark = marks.has("mark");
    const eta = marks.has("eta") && r.eta <= +xDomain[1] ? new Date(r.eta) : null;
    const etaBand = eta && marks.has("eta-interval")
      ? [{ x1: new Date(r.etaLow), x2: new Date(r.etaHigh ?? +xDomain[1]) }]
      : [];
    const present = ["observed"];
    if (trend.length) present.push("trend");
    if (fc.length) present.push("forecast", "80 % band", "95 % band");
    if (anomalies.length) present.push("anomaly");
    if (showLimit) present.push("limit");
    if (showMark) present.push("exhaustion mark");
    if (eta) present.push("time to exhaustion");
    const title = (d) =>
      [
        time(d.ts),
        d.value != null ? `observed ${f(d.value)}` : null,
        d.trend != null ? `trend ${f(d.trend)}` : null,
        d.mean != null ? `forecast ${f(d.mean)}` : null,
        d.mean != null ? `80 % ${f(d.lo80)} … ${f(d.hi80)}` : null,
        d.mean != null ? `95 % ${f(d.lo95)} … ${f(d.hi95)}` : null,
      ].filter(Boolean).join("\n");
    const domain = yDomain(r, obs, fc, marks);
    return Plot.plot({
      width: width(el),
      height: 300,
      marginLeft: 74,
      marginRight: TIME_MARGIN_RIGHT,
      marginBottom: TIME_MARGIN_BOTTOM,
      x: { type: "utc", label: null, domain: xDomain, ...timeAxis() },
      y: {
        grid: true,
        domain,
        ticks: ticks(r.unit, domain),
        label: r.unit === "ratio" ? "%" : r.unit || null,
        tickFormat: axisFormat(r.unit),
      },
      color: { legend: true, domain: present, range: present.map((k) => colors[k]) },
      marks: [
        Plot.rectX(etaBand, {
          x1: "x1",
          x2: "x2",
          fill: () => "time to exhaustion",
          fillOpacity: 0.12,
          clip: true,
        }),
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
        showLimit ? Plot.ruleY([r.limit], { stroke: () => "limit", strokeDasharray: "6,4" }) : null,
        showMark
          ? Plot.ruleY([r.threshold], { stroke: () => "exhaustion mark", strokeDasharray: "2,3" })
          : null,
        eta ? Plot.ruleX([eta], { stroke: () => "time to exhaustion", strokeWidth: 1.5 }) : null,
        Plot.ruleX([new Date(data.to)], { stroke: "#aaa", strokeDasharray: "1,3" }),
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
    const facets = d.periodsMs.length ? ["seasonal", "remainder"] : ["remainder"];
    const long = [];
    d.ts.forEach((t, i) => {
      if (d.periodsMs.length) {
        long.push({ ts: new Date(t), component: "seasonal", value: d.seasonal[i] });
      }
      long.push({ ts: new Date(t), component: "remainder", value: d.remainder[i] });
    });
    const index = new Map(d.ts.map((t, i) => [t, i]));
    const marked = r.anomalies.filter((a) => index.has(a.ts)).map((a) => ({
      ts: new Date(a.ts),
      component: "remainder",
      value: d.remainder[index.get(a.ts)],
      score: a.score,
    }));
    const present = facets.concat(marked.length ? ["anomaly"] : []);
    const xDomain = timeDomain(r, false);
    const values = long.map((p) => p.value).filter((v) => v != null && Number.isFinite(v));
    const m = Math.max(1e-12, d3.max(values, Math.abs) ?? 1) * 1.08;
    const domain = [-m, m];
    return Plot.plot({
      width: width(el),
      height: 90 + 85 * facets.length,
      marginLeft: 74,
      marginRight: 80,
      marginBottom: TIME_MARGIN_BOTTOM,
      x: { type: "utc", label: null, domain: xDomain, ...timeAxis() },
      y: {
        grid: true,
        label: r.unit === "ratio" ? "%" : r.unit || null,
        domain,
        ticks: ticks(r.unit, domain).filter((_, i, a) => a.length < 6 || i % 2 === 0),
        tickFormat: axisFormat(r.unit),
      },
      fy: { label: null, domain: facets },
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
    const all = data.resources.filter((r) => r.utilization != null);
    const ranked = all.slice(0, 15).map((r) => ({
      // names show their control characters escaped, as on the pages (escapeControls, inlined
      // from format/escape_controls.js before this script)
      name: `${data.resources.indexOf(r) + 1}. ${escapeControls(r.name)}`,
      utilization: r.utilization,
      // coloured as the badges are, by severity (the status says what the forecast found:
      // crossing, insufficient…; filled by it, no bar matched a colour and none was drawn)
      severity: r.severity,
      status: r.status,
      eta: r.eta,
    }));
    const present = ["critical", "warning", "ok", "unknown"].filter((s) =>
      ranked.some((d) => d.severity === s)
    );
    const longest = d3.max(ranked, (d) => d.name.length) ?? 10;
    const percent = pct(".0%");
    // the widest label past a bar's end ("335 %") at about 7 px a character, and its 4 px gap
    const widest = d3.max(ranked, (d) => percent(d.utilization).length) ?? 4;
    return Plot.plot({
      width: width(el),
      height: 50 + 22 * Math.max(1, ranked.length),
      marginLeft: Math.min(300, 12 + 6.5 * longest),
      marginRight: Math.max(30, 8 + 7 * widest),
      x: {
        domain: [0, Math.max(1, d3.max(ranked, (d) => d.utilization) ?? 1)],
        label: "used (share of the limit)",
        tickFormat: percent,
        grid: true,
      },
      y: { domain: ranked.map((d) => d.name), label: null },
      color: { legend: true, domain: present, range: present.map((s) => statusColors[s]) },
      marks: [
        Plot.barX(ranked, { x: "utilization", y: "name", fill: "severity" }),
        Plot.ruleX([1], { stroke: "#333", strokeDasharray: "4,3" }),
        Plot.text(ranked, {
          x: "utilization",
          y: "name",
          text: (d) => percent(d.utilization),
          dx: 4,
          textAnchor: "start",
          fill: "#333",
        }),
        Plot.tip(
          ranked,
          Plot.pointerY({
            x: "utilization",
            y: "name",
            title: (d) =>
              `${d.name}\nused ${pct(".1%")(d.utilization)} of the limit\nstatus ${d.status}` +
              `\nexhaustion ${d.eta == null ? "not within the horizon" : time(new Date(d.eta))}`,
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
    const brush = d3.brushX().extent([[x.range[0], 20], [x.range[1], height - TIME_MARGIN_BOTTOM]])
      .on(
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

  // A dashboard panel exported from the config: its series, thresholds as dashed rules.
  function panelChart(el, p) {
    const rows = [];
    for (const s of p.series) {
      const name = escapeControls(s.name);
      s.ts.forEach((t, i) => {
        if (s.values[i] !== null) {
          rows.push({ date: new Date(t), value: s.values[i], name });
        }
      });
    }
    if (rows.length === 0) throw new Error(p.error || "no data in the range");
    // lines and stacked areas break where a series has a gap longer than 3 of its steps (a
    // collector stopped), as the Dashboard page's do: format/line_gaps.js, whose source the
    // report inlines before this script
    const main = p.kind === "area"
      ? Plot.areaY(areaGaps(rows), {
        x: "date",
        y1: "y1",
        y2: "y2",
        fill: "name",
        fillOpacity: 0.3,
      })
      : p.kind === "bar"
      ? Plot.rectY(rows, { x: "date", interval: "minute", y: "value", fill: "name" })
      : Plot.lineY(seriesGaps(rows), { x: "date", y: "value", stroke: "name" });
    const dom = [new Date(p.from), new Date(p.to)];
    return Plot.plot({
      width: width(el),
      height: 200,
      marginRight: TIME_MARGIN_RIGHT,
      marginBottom: TIME_MARGIN_BOTTOM,
      x: { type: "utc", domain: dom, label: null, ...timeAxis() },
      y: { grid: true, label: p.unit || null, tickFormat: axisFormat(p.unit) },
      color: { legend: p.series.length > 1 },
      marks: [
        main,
        ...p.thresholds.map((t) => Plot.ruleY([t], { stroke: "#c0392b", strokeDasharray: "4,3" })),
        Plot.tip(
          rows,
          Plot.pointerX({
            x: "date",
            y: "value",
            title: (d) => `${d.name}\n${time(d.date)}\n${fmt(p.unit)(d.value)}`,
          }),
        ),
      ],
    });
  }

  function draw(el) {
    const kind = el.dataset.chart;
    if (kind === "panel") {
      const [di, pi] = el.dataset.panel.split(":").map(Number);
      const target = el.querySelector(".plot");
      try {
        target.replaceChildren(panelChart(target, data.dashboards[di].panels[pi]));
        el.dataset.rendered = "full";
      } catch (error) {
        target.textContent = `Chart failed: ${error.message}`;
      }
      return;
    }
    const r = resources.get(el.dataset.resource);
    const target = el.querySelector(".plot");
    try {
      const plot = kind === "ranking"
        ? rankingChart(target)
        : kind === "forecast"
        ? forecastChart(target, r, new Set((el.dataset.marks ?? "").split(" ")))
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
  // Printing shows everything: folded tables and evidence open first.
  addEventListener("beforeprint", () => {
    for (const d of document.querySelectorAll("details")) d.open = true;
  });
  document.documentElement.dataset.ready = "true";
})();
