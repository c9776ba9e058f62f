// Explore page: pick a metric and series, a range or a brushed window; draw /api/series with
// Plot (tooltips on hover) and offer the same data as CSV or Parquet. An ES module: numbers and
// times go through the one formatter module (values by unit, UTC times), as on the Live page.
import {
  axisMargin,
  formatExact,
  formatTick,
  formatTime,
  TIME_LABEL,
  TIME_MARGIN_RIGHT,
  timeTickFormat,
  unitLabel,
  yTicks,
} from "/assets/format.js";
import { lineGaps } from "/assets/line_gaps.js";
import { isolated, isolatedText } from "/assets/bidi.js";

(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const state = {
    metrics: [],
    metric: params.get("metric") ?? "",
    series: params.get("series") ?? "",
    rangeMs: Number(params.get("range") ?? 3_600_000),
    from: Number(params.get("from") ?? NaN),
    to: Number(params.get("to") ?? NaN),
  };

  function option(value, text, selected) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    o.selected = selected;
    return o;
  }

  function current() {
    return state.metrics.find((m) => m.name === state.metric);
  }

  function fillMetrics() {
    const withData = state.metrics.filter((m) => m.series.length > 0);
    if (!withData.some((m) => m.name === state.metric)) state.metric = withData[0]?.name ?? "";
    $("metric").replaceChildren(...state.metrics.map((m) => {
      const o = option(
        m.name,
        m.series.length ? m.name : m.name + " (no data)",
        m.name === state.metric,
      );
      o.disabled = m.series.length === 0;
      return o;
    }));
    // every metric without data is disabled, and the select showed blank on an empty lake
    if (withData.length === 0) $("metric").prepend(option("", "no metric has data yet", true));
    fillSeries();
  }

  function seriesKey(s) {
    return s.host + "|" + s.labels;
  }

  function fillSeries() {
    const m = current();
    const list = m ? m.series : [];
    if (!list.some((s) => seriesKey(s) === state.series)) {
      const first = preferred(list);
      state.series = first ? seriesKey(first) : "";
    }
    $("series").replaceChildren(
      ...list.map((s) =>
        option(
          seriesKey(s),
          (s.labels ? isolatedText(s.labels) : "(no labels)") + " @ " + isolatedText(s.host),
          seriesKey(s) === state.series,
        )
      ),
    );
  }

  // The series shown when none is asked for: the first in label order was cpu=0,mode=idle for
  // cpu_ratio, whose 98 % read to a newcomer as a busy CPU. A machine-wide series (a label
  // value "total") that is not idle time comes first, then any that is not idle time.
  function preferred(list) {
    const idle = (s) => /(^|,)mode=idle(,|$)/.test(s.labels);
    const total = (s) => /(^|,)[^=,]+=total(,|$)/.test(s.labels);
    return list.find((s) => total(s) && !idle(s)) ?? list.find((s) => !idle(s)) ?? list[0];
  }

  function range() {
    if (Number.isFinite(state.from) && Number.isFinite(state.to)) return [state.from, state.to];
    const to = Date.now();
    return [to - state.rangeMs, to];
  }

  function query(format) {
    const [host, labels] = state.series.split(/\|(.*)/s);
    const [from, to] = range();
    const q = new URLSearchParams({
      metric: state.metric,
      labels: labels ?? "",
      host: host ?? "",
      from: String(Math.round(from)),
      to: String(Math.round(to)),
    });
    if (format) q.set("format", format);
    return "/api/series?" + q;
  }

  function remember() {
    const q = new URLSearchParams({ metric: state.metric, series: state.series });
    if (Number.isFinite(state.from)) {
      q.set("from", String(Math.round(state.from)));
      q.set("to", String(Math.round(state.to)));
    } else q.set("range", String(state.rangeMs));
    history.replaceState(null, "", "?" + q);
    for (const b of document.querySelectorAll("[data-range]")) {
      b.setAttribute(
        "aria-pressed",
        String(!Number.isFinite(state.from) && Number(b.dataset.ms) === state.rangeMs),
      );
    }
  }

  let generation = 0;
  async function load() {
    remember();
    const chart = $("chart");
    // on a lake with no series the links pointed at "#" (a click downloaded this page) and the
    // hint spoke of a chart that is not there: both show once there is a series
    const none = !state.metric || !state.series;
    $("downloads").hidden = none;
    $("chart-hint").hidden = none;
    if (none) {
      $("series-meta").textContent = "No series in the lake yet: start collecting, then come back.";
      chart.replaceChildren();
      return;
    }
    $("download-csv").href = query("csv");
    $("download-parquet").href = query("parquet");
    const mine = ++generation;
    const res = await fetch(query());
    const body = await res.json();
    if (mine !== generation) return;
    if (!res.ok) {
      $("series-meta").textContent = body.error ?? res.statusText;
      return;
    }
    draw(body);
  }

  function draw(body) {
    const m = current();
    const data = [];
    for (let i = 0; i < body.ts.length; i++) {
      if (body.values[i] !== null) data.push({ date: new Date(body.ts[i]), value: body.values[i] });
    }
    const stepText = body.step
      ? (body.step >= 60_000 ? body.step / 60_000 + " min" : body.step / 1000 + " s")
      : "raw";
    const newest = data.length ? formatTime(+data[data.length - 1].date, { seconds: true }) : "–";
    const [x0, x1] = range();
    // A range that starts long before its first sample (the 1 h default on a lake collecting for
    // 5 minutes) drew the samples as a sliver at the right edge of an empty axis: a chosen range
    // (not a brushed one) starts at its first sample instead, and the line says so.
    const first = data.length ? +data[0].date : x0;
    const late = !Number.isFinite(state.from) && first - x0 > (x1 - x0) / 10;
    const start = late ? first : x0;
    $("series-meta").replaceChildren(
      body.metric + "{",
      isolated(body.labels),
      "} @ ",
      isolated(body.host),
      ` · tier ${body.tier} · step ${stepText} · ${data.length} points · newest ${newest}`,
      late ? ` · nothing before ${formatTime(first, { seconds: true })} in this range` : "",
    );
    const chart = $("chart");
    if (data.length === 0) {
      chart.innerHTML = '<p class="muted">No data in this range.</p>';
      return;
    }
    const width = Math.max(480, chart.clientWidth || 900);
    const height = 360;
    const unit = m ? m.unit : "";
    let lo = Infinity, hi = -Infinity;
    for (const d of data) {
      if (d.value < lo) lo = d.value;
      if (d.value > hi) hi = d.value;
    }
    // Ticks in the unit's own steps (GiB, %), and a left margin as wide as their longest label.
    const ticks = yTicks(lo, hi, unit, 6);
    const yFormat = (v) => formatTick(v, unit);
    const margin = {
      top: 20,
      right: TIME_MARGIN_RIGHT,
      bottom: 36,
      left: axisMargin(ticks.map(yFormat)),
    };
    const plot = Plot.plot({
      width,
      height,
      marginTop: margin.top,
      marginRight: margin.right,
      marginBottom: margin.bottom,
      marginLeft: margin.left,
      x: {
        type: "utc",
        domain: [new Date(start), new Date(x1)],
        label: TIME_LABEL,
        tickFormat: timeTickFormat(x1 - start),
      },
      y: {
        grid: true,
        label: unitLabel(unit),
        ticks,
        tickFormat: yFormat,
        domain: [ticks[0], ticks[ticks.length - 1]],
      },
      marks: [
        Plot.lineY(lineGaps(data, body.step), { x: "date", y: "value", stroke: "#2563eb" }),
        Plot.tip(
          data,
          Plot.pointerX({
            x: "date",
            y: "value",
            format: {
              x: (d) => formatTime(+d, { seconds: true }),
              y: (v) => formatExact(v, unit),
            },
          }),
        ),
      ],
    });
    chart.replaceChildren(plot);
    const x = plot.scale("x");
    const brush = d3.brushX()
      .extent([[margin.left, margin.top], [width - margin.right, height - margin.bottom]])
      .on("end", (event) => {
        if (!event.selection) return;
        const [a, b] = event.selection.map((px) => +x.invert(px));
        if (b - a < 1000) return;
        state.from = a;
        state.to = b;
        load();
      });
    d3.select(plot).append("g").attr("class", "brush").call(brush);
  }

  $("metric").addEventListener("change", (e) => {
    state.metric = e.currentTarget.value;
    fillSeries();
    load();
  });
  $("series").addEventListener("change", (e) => {
    state.series = e.currentTarget.value;
    load();
  });
  for (const b of document.querySelectorAll("[data-range]")) {
    b.addEventListener("click", () => {
      state.rangeMs = Number(b.dataset.ms);
      state.from = state.to = NaN;
      load();
    });
  }

  fetch("/api/metrics").then((r) => r.json()).then((body) => {
    state.metrics = body.metrics;
    fillMetrics();
    return load();
  }).catch((e) => {
    $("series-meta").textContent = "Could not load: " + e.message;
  });
})();
