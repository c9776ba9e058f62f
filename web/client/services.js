// Services page: polls /api/services every second and redraws each service's card (live and
// window figures, availability, burn rates) and the probes' availability; reads /api/services/history every 30 s for the
// charts over the last hour, extended by the live figures between reads.
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
import { lineGaps } from "/assets/line_gaps.js";

(function () {
  const $ = (id) => document.getElementById(id);
  const history = new Map(); // service → { at, points }
  const livePoints = new Map(); // service → [{ts, rps, errorRate, p95}]

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs ?? {})) e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
  }

  const pct = (v) => formatValue(v, "ratio");
  const ms = (v) => formatValue(v === null ? null : v * 1000, "ms");
  const span = (w) =>
    w >= 86_400_000
      ? w / 86_400_000 + " d"
      : w >= 3_600_000
      ? w / 3_600_000 + " h"
      : w / 60_000 + " min";

  function figure(label, value, note) {
    return el(
      "div",
      { class: "figure" },
      el("div", { class: "muted" }, label),
      el("strong", {}, value),
      note ? el("div", { class: "muted" }, note) : "",
    );
  }

  function exploreLink(s) {
    const k = s.series.find((x) => x.metric === s.requestMetric) ?? s.series[0];
    if (!k) return "";
    const q = new URLSearchParams({ metric: k.metric, series: k.host + "|" + k.labels });
    return el("a", { href: "/explore?" + q, class: "download" }, "Explore " + k.metric);
  }

  function card(s) {
    const id = "svc-" + s.name.replace(/[^a-zA-Z0-9_-]/g, "_");
    let sec = $(id);
    if (!sec) {
      sec = el("section", { class: "card wide service", id, "data-service": s.name });
      $("services").append(sec);
    }
    const live = s.live;
    const f = live ?? s;
    const head = el("h2", {}, isolated(s.name), " ");
    head.append(
      el("span", { class: "muted" }, s.origin, ...(s.labels ? [" · ", isolated(s.labels)] : [])),
    );
    const figures = el(
      "div",
      { class: "figures" },
      figure("Requests/s" + (live ? " (live)" : ""), formatValue(f.rps, "1/s")),
      figure("Transactions/min", formatValue(f.rps === null ? null : f.rps * 60, "")),
      figure("Error rate", pct(f.errorRate)),
      figure("Success rate", pct(f.successRate)),
      figure(
        "Latency p50 / p95 / p99",
        [f.latency?.p50, f.latency?.p95, f.latency?.p99].map((v) => ms(v ?? null)).join(" / "),
      ),
      figure(
        "Apdex (T " + ms(s.apdexThreshold) + ")",
        f.apdex ? f.apdex.score.toFixed(2) : "–",
        // Apdex counts requests under T and 4T, which only a latency histogram's buckets tell
        // (StatsD timers and OTLP summaries carry quantiles alone)
        f.apdex ? "" : "needs latency histogram buckets",
      ),
      figure("In flight", formatValue(f.inFlight, "")),
      figure("Cache hit ratio", pct(f.cacheHitRatio)),
      figure("DB p95", ms(f.db?.p95 ?? null)),
    );
    const status = el(
      "p",
      { class: s.status === "ok" ? "muted" : "muted insufficient" },
      s.status === "ok"
        ? `${span(s.windowMs)} window: ${formatValue(s.rps, "1/s")}, errors ${
          pct(s.errorRate)
        }, p95 ${ms(s.latency?.p95 ?? null)}, Apdex ${
          s.apdex ? s.apdex.score.toFixed(2) : "–"
        } (${s.samples} samples${
          // a service seen for 23 s read as measured over the whole window
          s.spanMs < s.windowMs ? `, ${formatValue(s.spanMs, "ms")} of data` : ""})`
        : s.reason ?? "not enough data yet",
    );
    const avail = el(
      "table",
      { class: "slo" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", {}, "Availability"),
          ...s.availability.map((a) => el("th", { class: "num" }, span(a.windowMs))),
          el("th", { class: "num" }, "Error budget left (30 d)"),
        ),
      ),
      el(
        "tbody",
        {},
        el(
          "tr",
          {},
          el("td", {}, "SLO " + pct(s.sloTarget)),
          ...s.availability.map((a) =>
            el(
              "td",
              { class: "num", title: a.reason ?? "" },
              a.value === null ? "not enough data yet" : formatExact(a.value, "ratio"),
            )
          ),
          el(
            "td",
            { class: "num", title: s.errorBudget.reason ?? "" },
            s.errorBudget.value === null ? "not enough data yet" : pct(s.errorBudget.value),
          ),
        ),
      ),
    );
    const burn = el(
      "table",
      { class: "burn" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...["Burn rate", "Long", "Short", "Threshold", "State"].map((t) => el("th", {}, t)),
        ),
      ),
      el(
        "tbody",
        {},
        ...s.burn.map((b) =>
          el(
            "tr",
            { class: b.firing ? "firing" : "" },
            el("td", {}, `${span(b.longMs)} / ${span(b.shortMs)} (${b.severity})`),
            el("td", { class: "num" }, b.longBurn === null ? "–" : b.longBurn.toFixed(2) + "×"),
            el("td", { class: "num" }, b.shortBurn === null ? "–" : b.shortBurn.toFixed(2) + "×"),
            el("td", { class: "num" }, b.factor + "×"),
            el("td", {}, b.firing ? "FIRING" : b.reason ?? "ok"),
          )
        ),
      ),
    );
    let charts = sec.querySelector(".signals");
    if (!charts) charts = el("div", { class: "signals" });
    sec.replaceChildren(head, figures, status, exploreLink(s), avail, burn, charts);
    if (live) {
      const list = livePoints.get(s.name) ?? [];
      if (!list.length || list[list.length - 1].ts < live.ts) {
        list.push({
          ts: live.ts,
          rps: live.rps,
          errorRate: live.errorRate,
          p50: live.latency?.p50 ?? null,
          p95: live.latency?.p95 ?? null,
          p99: live.latency?.p99 ?? null,
        });
      }
      while (list.length > 3600) list.shift();
      livePoints.set(s.name, list);
    }
    drawCharts(s.name, charts);
  }

  // The signals over time: requests/s, latency percentiles (ms) and the error rate.
  const SIGNALS = [
    { id: "rps", label: "requests/s", unit: "1/s", lines: [["rps", "requests/s", 1]] },
    {
      id: "latency",
      label: "latency",
      unit: "ms",
      lines: [["p50", "p50", 1000], ["p95", "p95", 1000], ["p99", "p99", 1000]],
    },
    { id: "errors", label: "error rate", unit: "ratio", lines: [["errorRate", "errors", 1]] },
  ];

  function drawCharts(name, box) {
    const h = history.get(name)?.points ?? [];
    const lastHist = h.length ? h[h.length - 1].ts : -Infinity;
    const pts = [...h, ...(livePoints.get(name) ?? []).filter((p) => p.ts > lastHist)];
    // the history's spacing (15 s over an hour), not the live points' second, tells a gap
    const spacing = h.slice(1).map((p, i) => p.ts - h[i].ts).sort((a, b) => a - b);
    const step = spacing.length >= 2 ? spacing[Math.floor(spacing.length / 2)] : undefined;
    for (const sig of SIGNALS) {
      let elc = box.querySelector(`[data-signal="${sig.id}"]`);
      if (!elc) {
        elc = el("div", { class: "chart", "data-signal": sig.id });
        box.append(elc);
      }
      drawChart(elc, sig, pts, step);
    }
  }

  // each line broken where the service sent nothing for more than 3 steps (a restart, a stopped
  // app), as Explore's and Capacity's are: one line drawn across the silence showed a rate no one
  // measured
  function gapped(data, step) {
    const byName = new Map();
    for (const d of data) {
      if (!byName.has(d.name)) byName.set(d.name, []);
      byName.get(d.name).push(d);
    }
    return [...byName.values()].flatMap((line) => lineGaps(line, step));
  }

  function drawChart(elc, sig, pts, step) {
    const data = [];
    for (const p of pts) {
      for (const [field, label, scale] of sig.lines) {
        if (p[field] !== null && p[field] !== undefined) {
          data.push({ date: new Date(p.ts), value: p[field] * scale, name: label });
        }
      }
    }
    if (data.length < 2) {
      // samples that carry none of this signal (a service with no latency metric) will never
      // draw it: "Waiting for more samples" waited forever
      const none = pts.length >= 2 && data.length === 0;
      elc.replaceChildren(
        el(
          "p",
          { class: "muted" },
          none
            ? `No ${sig.label} in this service's samples.`
            : `Waiting for more samples to draw ${sig.label} over time…`,
        ),
      );
      return;
    }
    if (elc.matches(":hover") && elc.querySelector("svg")) return;
    const vals = data.map((d) => d.value);
    const ticks = yTicks(Math.min(0, ...vals), Math.max(...vals), sig.unit, 5);
    const t0 = Math.min(...data.map((d) => +d.date)), t1 = Math.max(...data.map((d) => +d.date));
    elc.replaceChildren(Plot.plot({
      width: Math.max(300, elc.clientWidth || 360),
      height: 180,
      marginLeft: axisMargin(ticks.map((t) => formatTick(t, sig.unit))),
      marginRight: TIME_MARGIN_RIGHT,
      x: { type: "utc", label: TIME_LABEL, tickFormat: timeTickFormat(t1 - t0) },
      y: {
        grid: true,
        label: sig.label,
        ticks,
        domain: [ticks[0], ticks[ticks.length - 1]],
        tickFormat: (v) => formatTick(v, sig.unit),
      },
      color: { legend: sig.lines.length > 1 },
      marks: [
        Plot.lineY(gapped(data, step), { x: "date", y: "value", stroke: "name" }),
        Plot.tip(
          data,
          Plot.pointerX({
            x: "date",
            y: "value",
            stroke: "name",
            format: {
              x: (d) => formatTime(+d, { seconds: true }),
              y: (v) => formatExact(v, sig.unit),
            },
          }),
        ),
      ],
    }));
  }

  async function loadHistory(name) {
    const h = history.get(name);
    if (h && Date.now() - h.at < 30_000) return;
    history.set(name, { at: Date.now(), points: h?.points ?? [] });
    try {
      const r = await fetch(
        "/api/services/history?" + new URLSearchParams({ service: name, range: "1h" }),
      );
      if (r.ok) history.set(name, { at: Date.now(), points: (await r.json()).points });
    } catch { /* the next round retries */ }
  }

  // Probes: availability of each probe over the services' windows, and its last run.
  function probesCard(probes) {
    let sec = $("probes");
    if (probes.length === 0) {
      if (sec) sec.remove();
      return;
    }
    if (!sec) sec = el("section", { class: "card wide", id: "probes" });
    $("services").append(sec); // (again: kept after the service cards)
    const windows = probes[0].availability.map((a) => a.windowMs);
    const link = (p) =>
      el("a", {
        href: "/explore?" +
          new URLSearchParams({ metric: "probe_success", series: p.host + "|" + p.labels }),
      }, visible(p.target));
    sec.replaceChildren(
      el("h2", {}, "Probes"),
      el(
        "table",
        { class: "slo" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", {}, "Probe availability"),
            el("th", {}, "Host"),
            el("th", {}, "Last run"),
            ...windows.map((w) => el("th", { class: "num" }, span(w))),
          ),
        ),
        el(
          "tbody",
          {},
          ...probes.map((p) =>
            el(
              "tr",
              { "data-probe": p.target },
              el("td", { class: "wrap" }, link(p)),
              el("td", { class: "wrap" }, visible(p.host)),
              el(
                "td",
                {},
                p.last
                  ? (p.last.success ? "up" : "down") + " at " +
                    formatTime(p.last.ts, { seconds: true })
                  : "–",
              ),
              ...p.availability.map((a) =>
                el(
                  "td",
                  { class: "num", title: a.reason ?? "" },
                  a.value === null ? "not enough data yet" : formatExact(a.value, "ratio"),
                )
              ),
            )
          ),
        ),
      ),
    );
  }

  async function tick() {
    try {
      const r = await fetch("/api/services");
      if (!r.ok) throw new Error("HTTP " + r.status);
      const { services, probes = [] } = await r.json();
      const empty = $("services-empty");
      if (empty) empty.hidden = services.length > 0 || probes.length > 0;
      for (const s of services) {
        loadHistory(s.name);
        card(s);
      }
      probesCard(probes);
      $("services-updated").textContent = "Updated " + formatTime(Date.now(), { seconds: true });
    } catch (error) {
      $("services-updated").textContent = "Update failed: " + error.message;
    }
  }

  tick();
  setInterval(tick, 1000);
})();
