// Live page: follows /api/live (SSE) and redraws the charts in place every second.
// Rows arrive as [ts, host, metric, labels, value]; Plot and d3 are loaded before this module.
// Numbers and times go through the one formatter module, as on the Explore page.
import {
  axisMargin,
  formatExact,
  formatTick,
  formatTime,
  formatValue,
  TIME_LABEL,
  TIME_MARGIN_RIGHT,
  timeTickFormat,
  yTicks,
} from "/assets/format.js";
import { isolated, visible } from "/assets/bidi.js";
import { seriesGaps } from "/assets/line_gaps.js";

(function () {
  const KEEP_MS = 10 * 60_000;
  const series = new Map();
  // One host at a time: ?host=NAME, else the first host that sends CPU samples (the collector's;
  // samples pushed through /api/ingest for other hosts are left out).
  const wanted = new URLSearchParams(location.search).get("host") || "";
  const state = { lastTs: NaN, paused: false, windowMs: 5 * 60_000, host: wanted, top: [] };

  function parseLabels(text) {
    const out = {};
    if (!text) return out;
    let key, cur = "";
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === "\\" && i + 1 < text.length) cur += text[++i];
      else if (ch === "=" && key === undefined) {
        key = cur;
        cur = "";
      } else if (ch === ",") {
        out[key] = cur;
        key = undefined;
        cur = "";
      } else cur += ch;
    }
    if (key !== undefined) out[key] = cur;
    return out;
  }

  function ingest(rows, isLatest) {
    const procs = [];
    for (const [ts, host, metric, labels, value] of rows) {
      if (!state.host && metric === "cpu_ratio") state.host = host;
      if (host !== state.host) continue;
      if (metric === "process_cpu_ratio" || metric === "process_rss_bytes") {
        if (isLatest) procs.push({ metric, labels: parseLabels(labels), value });
        continue;
      }
      const key = metric + "|" + labels;
      let s = series.get(key);
      if (!s) series.set(key, s = { metric, labels: parseLabels(labels), points: [] });
      const last = s.points[s.points.length - 1];
      if (last && last[0] >= ts) continue;
      s.points.push([ts, value]);
      if (!(ts <= state.lastTs)) state.lastTs = ts;
    }
    const cutoff = state.lastTs - KEEP_MS;
    for (const s of series.values()) {
      let drop = 0;
      while (drop < s.points.length && s.points[drop][0] < cutoff) drop++;
      if (drop) s.points.splice(0, drop);
    }
    if (isLatest && procs.length) state.top = procs;
  }

  function pick(metric, test) {
    const out = [];
    for (const s of series.values()) {
      if (s.metric === metric && (!test || test(s.labels))) out.push(s);
    }
    return out;
  }

  function rowsOf(list, name, map) {
    const out = [];
    const from = state.lastTs - state.windowMs;
    for (const s of list) {
      const n = visible(name(s.labels));
      for (const [ts, v] of s.points) {
        if (ts >= from && v !== null) {
          out.push({ date: new Date(ts), value: map ? map(v) : v, name: n });
        }
      }
    }
    return out;
  }

  function summed(list, name) {
    const by = new Map();
    const from = state.lastTs - state.windowMs;
    for (const s of list) {
      for (const [ts, v] of s.points) {
        if (ts < from || v === null) continue;
        by.set(ts, (by.get(ts) ?? 0) + v);
      }
    }
    return [...by].sort((a, b) => a[0] - b[0]).map(([ts, v]) => ({
      date: new Date(ts),
      value: v,
      name,
    }));
  }

  // Legends in natural order: 1m, 5m, 15m and cpu2 before cpu10 (Plot sorts as text).
  const natural = new Intl.Collator("en", { numeric: true });

  /**
   * Draws one panel. `y.unit` is the registry unit of the values (tick labels, tooltips); a
   * panel under the pointer is left alone so its tooltip stays readable between samples.
   */
  function draw(id, data, y) {
    const el = document.getElementById("chart-" + id);
    if (!el) return;
    if (data.length === 0) {
      el.innerHTML = '<p class="muted">No samples for this panel yet.</p>';
      return;
    }
    if (el.matches(":hover") && el.querySelector("svg")) return;
    const width = Math.max(320, el.clientWidth || 420);
    // Until the window has filled, start the axis at the first sample so lines use the width.
    let first = Infinity, lo = Infinity, hi = -Infinity;
    const names = new Set();
    for (const d of data) {
      if (+d.date < first) first = +d.date;
      if (d.value < lo) lo = d.value;
      if (d.value > hi) hi = d.value;
      names.add(d.name);
    }
    const start = Math.max(state.lastTs - state.windowMs, first);
    const end = Math.max(state.lastTs, start + 10_000);
    const [ymin, ymax] = y.domain ?? [Math.min(0, lo), hi];
    const ticks = yTicks(ymin, ymax, y.unit, 5);
    const yFormat = (v) => formatTick(v, y.unit);
    const chart = Plot.plot({
      width,
      height: 200,
      marginLeft: axisMargin(ticks.map(yFormat)),
      marginRight: TIME_MARGIN_RIGHT,
      marginBottom: 34,
      x: {
        type: "utc",
        domain: [new Date(start), new Date(end)],
        label: TIME_LABEL,
        tickFormat: timeTickFormat(end - start),
      },
      y: {
        grid: true,
        label: y.label,
        ticks,
        tickFormat: yFormat,
        domain: [ticks[0], ticks[ticks.length - 1]],
      },
      color: { legend: true, domain: [...names].sort(natural.compare) },
      marks: [
        // broken where serve (or the collector) was down: the window before a restart comes
        // from the lake, and a line across the minutes between showed samples that never were
        Plot.lineY(seriesGaps(data), { x: "date", y: "value", stroke: "name", curve: "linear" }),
        Plot.tip(
          data,
          Plot.pointerX({
            x: "date",
            y: "value",
            stroke: "name",
            format: {
              x: (d) => formatTime(+d, { seconds: true }),
              y: (v) => formatExact(v, y.unit),
              stroke: true,
            },
          }),
        ),
      ],
    });
    el.replaceChildren(chart);
  }

  function render() {
    const cores = pick("cpu_ratio", (l) => l.mode === "idle" && l.cpu !== "total");
    draw("cpu", rowsOf(cores, (l) => "cpu" + l.cpu, (v) => 1 - v), {
      label: "% busy",
      unit: "ratio",
      domain: [0, 1],
    });
    draw("load", rowsOf(pick("load_average"), (l) => l.window), {
      label: "processes",
      unit: "processes",
    });
    const mem = pick("memory_bytes", (l) => ["used", "cached", "available"].includes(l.state));
    draw("memory", rowsOf(mem, (l) => l.state), { label: "bytes", unit: "bytes" });
    draw("disk", [
      ...summed(pick("disk_read_bytes_per_second"), "read"),
      ...summed(pick("disk_write_bytes_per_second"), "write"),
    ], { label: "bytes/s", unit: "bytes/s" });
    const nic = (l) => l.interface !== "lo";
    draw("network", [
      ...summed(pick("network_receive_bytes_per_second", nic), "receive"),
      ...summed(pick("network_transmit_bytes_per_second", nic), "transmit"),
    ], { label: "bytes/s", unit: "bytes/s" });
    renderProcesses();
  }

  function renderProcesses() {
    const body = document.querySelector("#processes tbody");
    if (!body || state.top.length === 0) return;
    const rss = new Map();
    for (const p of state.top) if (p.metric === "process_rss_bytes") rss.set(p.labels.pid, p.value);
    const cpu = state.top.filter((p) =>
      p.metric === "process_cpu_ratio" && p.labels.rank_by === "cpu"
    )
      .sort((a, b) => (b.value ?? 0) - (a.value ?? 0)).slice(0, 10);
    const rows = cpu.map((p) => {
      const tr = document.createElement("tr");
      // The command line tells apart processes of the same program (three "deno"s).
      const command = visible(p.labels.command || p.labels.name);
      const cells = [
        visible(p.labels.pid),
        command,
        formatValue(p.value, "ratio"),
        formatValue(rss.get(p.labels.pid), "bytes"),
      ];
      cells.forEach((text, i) => {
        const td = document.createElement("td");
        td.textContent = text;
        if (i === 1) {
          td.className = "command";
          td.title = command;
        }
        if (i >= 2) td.className = "num";
        tr.append(td);
      });
      return tr;
    });
    body.replaceChildren(...rows);
  }

  function tick() {
    const el = document.getElementById("last-sample");
    if (!el || Number.isNaN(state.lastTs)) return;
    const age = Math.max(0, Date.now() - state.lastTs) / 1000;
    el.textContent = age < 60 ? age.toFixed(1) + " s ago" : Math.round(age / 60) + " min ago";
    el.classList.toggle("stale", age > 5);
    el.dataset.ts = String(state.lastTs);
    el.title = formatTime(state.lastTs, { seconds: true });
    const host = document.getElementById("host");
    if (host.dataset.host !== state.host) {
      host.dataset.host = state.host;
      host.replaceChildren(...(state.host ? ["host ", isolated(state.host)] : []));
    }
  }

  // the host asked for, so that the window before a restart is read from the lake for it, and
  // the longest window the page shows (the server remembers 5 minutes; the rest is read from the
  // lake), so that picking 10 min shows 10 minutes without opening another stream
  const source = new EventSource(
    "/api/live?window=" + KEEP_MS / 60_000 + "m" +
      (wanted ? "&host=" + encodeURIComponent(wanted) : ""),
  );
  const status = document.getElementById("status");
  source.addEventListener("open", () => {
    status.textContent = "live";
  });
  source.addEventListener("error", () => {
    status.textContent = "reconnecting…";
  });
  source.addEventListener("backfill", (e) => {
    ingest(JSON.parse(e.data), false);
    render();
    tick();
  });
  source.addEventListener("samples", (e) => {
    ingest(JSON.parse(e.data), true);
    tick();
    if (!state.paused) render();
  });
  document.getElementById("pause").addEventListener("click", (e) => {
    state.paused = !state.paused;
    e.currentTarget.textContent = state.paused ? "Resume" : "Pause";
    e.currentTarget.setAttribute("aria-pressed", String(state.paused));
    if (!state.paused) render();
  });
  document.getElementById("window").addEventListener("change", (e) => {
    state.windowMs = Number(e.currentTarget.value) * 60_000;
    render();
  });
  setInterval(tick, 250);
})();
