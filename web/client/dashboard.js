// Dashboard page: reads /api/dashboards/NAME every 2 seconds and draws each panel with Plot
// (line, area, bar), as a table or as one number; thresholds are drawn as dashed rules (and
// colour a number panel once passed).
import {
  axisMargin,
  formatExact,
  formatTick,
  formatTime,
  formatValue,
  TIME_LABEL,
  TIME_MARGIN_RIGHT,
  timeTickFormat,
  unitLabel,
  yTicks,
} from "/assets/format.js";
import { isolatedText, visible } from "/assets/bidi.js";
import { areaGaps, seriesGaps } from "/assets/line_gaps.js";

(function () {
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const $ = (id) => document.getElementById(id);

  function text(tag, value, cls) {
    const e = document.createElement(tag);
    e.textContent = value;
    if (cls) e.className = cls;
    return e;
  }

  function table(p) {
    const t = document.createElement("table");
    const head = document.createElement("tr");
    // a column of numbers is right-aligned, its heading too (it sat at the left, over nothing)
    const rows = p.table.rows.slice(0, 200);
    p.table.columns.forEach((c, i) => {
      const numeric = rows.length > 0 &&
        rows.every((r) => typeof r[i] === "number" || r[i] === null);
      head.append(text("th", visible(c), numeric ? "num" : ""));
    });
    const thead = document.createElement("thead");
    thead.append(head);
    const body = document.createElement("tbody");
    for (const row of rows) {
      const tr = document.createElement("tr");
      for (const v of row) {
        // text cells hold names from the data (a series' labels): they break anywhere, and
        // show their controls escaped (bidi.js)
        tr.append(
          typeof v === "number"
            ? text("td", formatValue(v, p.unit), "num")
            : text("td", visible(v), "wrap"),
        );
      }
      body.append(tr);
    }
    t.append(thead, body);
    return t;
  }

  function chart(el, p) {
    const data = [];
    for (const s of p.series) {
      // a series' name is its labels: escaped and isolated in the legend and the tooltip (bidi.js)
      const name = isolatedText(s.name);
      for (let i = 0; i < s.ts.length; i++) {
        if (s.values[i] !== null) {
          data.push({ date: new Date(s.ts[i]), value: s.values[i], name });
        }
      }
    }
    if (data.length === 0) {
      return el.replaceChildren(text("p", p.error ?? "No data in the range", "muted"));
    }
    if (el.matches(":hover") && el.querySelector("svg")) return;
    // an area panel stacks its series: its axis reaches the top of the stack
    const stacked = p.kind === "area" ? areaGaps(data) : [];
    const vals = [...data.map((d) => d.value), ...stacked.map((d) => d.y2), ...p.thresholds]
      .filter(Number.isFinite);
    const ticks = yTicks(Math.min(0, ...vals), Math.max(...vals), p.unit, 5);
    const step = stepOf(p);
    const main = p.kind === "bar"
      ? Plot.rectY(data, {
        x1: "date",
        // the newest bucket ends at the range's end (now), not a step into the right margin
        x2: (d) => new Date(Math.min(+d.date + step, p.to)),
        y: "value",
        fill: "name",
      })
      : p.kind === "area"
      ? Plot.areaY(stacked, { x: "date", y1: "y1", y2: "y2", fill: "name", fillOpacity: 0.3 })
      // each series broken where it has a gap longer than 3 of its steps (a collector stopped),
      // as Explore's line and an area panel's stack are, and as the report's panels are
      : Plot.lineY(seriesGaps(data), { x: "date", y: "value", stroke: "name" });
    const marks = [
      main,
      ...p.thresholds.map((t) => Plot.ruleY([t], { stroke: "#b91c1c", strokeDasharray: "4,3" })),
      Plot.tip(
        data,
        Plot.pointerX({
          x: "date",
          y: "value",
          format: { x: (d) => formatTime(+d, { seconds: true }), y: (v) => formatExact(v, p.unit) },
        }),
      ),
    ];
    const svg = Plot.plot({
      width: Math.max(360, el.clientWidth || 600),
      height: 200,
      marginLeft: axisMargin(ticks.map((t) => formatTick(t, p.unit))),
      marginRight: TIME_MARGIN_RIGHT,
      x: {
        type: "utc",
        domain: [new Date(p.from), new Date(p.to)],
        label: TIME_LABEL,
        tickFormat: timeTickFormat(p.to - p.from),
      },
      y: {
        grid: true,
        ticks,
        domain: [ticks[0], ticks[ticks.length - 1]],
        tickFormat: (v) => formatTick(v, p.unit),
        // the unit as the other pages name it on an axis (`%` for ratio, as its ticks read)
        label: unitLabel(p.unit) || null,
      },
      color: { legend: p.series.length > 1 },
      marks,
    });
    svg.setAttribute("data-thresholds", String(p.thresholds.length));
    el.replaceChildren(svg);
  }

  function stepOf(p) {
    const s = p.series.find((x) => x.ts.length > 1);
    return s ? s.ts[1] - s.ts[0] : 1000;
  }

  function number(el, p) {
    const passed = p.last !== null && p.thresholds.filter((t) => p.last >= t).length;
    const v = text(
      "div",
      formatValue(p.last, p.unit),
      "big-number" + (passed ? " over-" + passed : ""),
    );
    el.replaceChildren(v, ...(p.error && p.last === null ? [text("p", p.error, "muted")] : []));
  }

  async function tick() {
    try {
      const r = await fetch("/api/dashboards/" + encodeURIComponent(page.name));
      if (!r.ok) throw new Error("HTTP " + r.status);
      const d = await r.json();
      d.panels.forEach((p, i) => {
        const el = $("panel-" + i);
        if (!el) return;
        if (p.kind === "table") {
          el.replaceChildren(p.table ? table(p) : text("p", p.error ?? "No rows", "muted"));
        } else if (p.kind === "number") number(el, p);
        else chart(el, p);
      });
      $("dashboard-updated").textContent = "Updated " + formatTime(d.now, { seconds: true });
    } catch (error) {
      $("dashboard-updated").textContent = "Update failed: " + error.message;
    }
  }
  tick();
  setInterval(tick, 2000);
})();
