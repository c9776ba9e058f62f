// Capacity page: per resource, the observed series with trend, and the forecast with 80 % and
// 95 % bands, from the JSON the server embedded in #page-data. Numbers and times are written by
// the shared formatter (/assets/format.js), as on Live and Explore and in the reports.
import {
  axisMargin,
  dayTimeTick,
  formatExact,
  formatTick,
  formatTime,
  TIME_LABEL,
  TIME_MARGIN_RIGHT,
  unitLabel,
  yTicks,
} from "/assets/format.js";
import { lineGaps } from "/assets/line_gaps.js";

{
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const rows = (ts, values, name) =>
    ts.map((t, i) => ({ date: new Date(t), value: values[i], name })).filter((d) =>
      d.value !== null
    );
  data.resources.forEach((r, i) => {
    const el = document.getElementById("capacity-" + i);
    if (!el) return;
    const marks = [
      // broken where collection stopped, as on Explore
      Plot.lineY(lineGaps(rows(r.series.ts, r.series.values, "observed")), {
        x: "date",
        y: "value",
        stroke: "name",
      }),
    ];
    if (r.decomposition) {
      marks.push(
        Plot.lineY(rows(r.decomposition.ts, r.decomposition.trend, "trend"), {
          x: "date",
          y: "value",
          stroke: "name",
        }),
      );
    }
    if (r.forecast) {
      const f = r.forecast;
      const band = f.ts.map((t, k) => ({
        date: new Date(t),
        lo80: f.lo80[k],
        hi80: f.hi80[k],
        lo95: f.lo95[k],
        hi95: f.hi95[k],
      }));
      marks.unshift(
        Plot.areaY(band, { x: "date", y1: "lo95", y2: "hi95", fill: "#93c5fd", fillOpacity: 0.35 }),
        Plot.areaY(band, { x: "date", y1: "lo80", y2: "hi80", fill: "#60a5fa", fillOpacity: 0.45 }),
      );
      marks.push(
        Plot.lineY(rows(f.ts, f.mean, "forecast"), {
          x: "date",
          y: "value",
          stroke: "name",
          strokeDasharray: "4,3",
        }),
      );
    }
    if (r.limit !== null) {
      marks.push(Plot.ruleY([r.limit], { stroke: "#b91c1c", strokeDasharray: "2,2" }));
    }
    marks.push(
      Plot.tip(
        rows(r.series.ts, r.series.values, "observed"),
        Plot.pointerX({
          x: "date",
          y: "value",
          format: {
            x: (d) => formatTime(+d),
            y: (v) => formatExact(v, r.unit),
            name: false,
          },
        }),
      ),
    );
    // the y range covers the data, the bands and the limit, in the unit's own round steps
    const all = [
      ...r.series.values,
      ...(r.forecast ? [...r.forecast.lo95, ...r.forecast.hi95] : []),
      ...(r.limit === null ? [] : [r.limit]),
    ].filter((v) => v !== null && Number.isFinite(v));
    const found = all.length ? yTicks(Math.min(0, ...all), Math.max(...all), r.unit) : [];
    const ticks = found.length ? found : undefined;
    // the time axis names each day once, under its first tick, as the report's axes do
    el.replaceChildren(Plot.plot({
      width: Math.max(360, el.clientWidth || 420),
      height: 240,
      marginLeft: ticks ? axisMargin(ticks.map((t) => formatTick(t, r.unit))) : 60,
      marginRight: TIME_MARGIN_RIGHT,
      marginBottom: 42,
      x: { type: "utc", label: TIME_LABEL, tickFormat: dayTimeTick },
      y: {
        grid: true,
        label: unitLabel(r.unit),
        tickFormat: (v) => formatTick(v, r.unit),
        ...(ticks ? { ticks, domain: [ticks[0], ticks[ticks.length - 1]] } : {}),
      },
      color: { legend: true },
      marks,
    }));
  });
}
