/**
 * Gaps in a chart's data, shared by the Explore, Capacity, Services, Dashboard and Live pages
 * (served as `/assets/line_gaps.js`) and the report's dashboard panels (which inline these
 * functions' source, as they do `dayTimeTick`'s): a line or area drawn across the minutes a
 * collector was stopped shows samples that never were. The functions are self-contained but for
 * calling each other, so their source text runs wherever they are inlined together.
 *
 * @module
 */

/**
 * The points to draw a line through, with a NaN point (where Plot breaks a line) in each gap
 * longer than 3 steps.
 *
 * @param {{ date: Date, value: number }[]} data Points in time order (other fields are kept).
 * @param {number} [step] The spacing of the data, ms (a bucket width); default the median spacing.
 * @returns {{ date: Date, value: number }[]} The points, with a NaN point in each gap.
 */
export function lineGaps(data, step) {
  if (data.length < 3) return data;
  let every = step;
  if (!every) {
    const gaps = [];
    for (let i = 1; i < data.length; i++) gaps.push(+data[i].date - +data[i - 1].date);
    gaps.sort((a, b) => a - b);
    every = gaps[Math.floor(gaps.length / 2)];
  }
  const out = [data[0]];
  for (let i = 1; i < data.length; i++) {
    const gap = +data[i].date - +data[i - 1].date;
    if (every > 0 && gap > 3 * every) {
      // the other fields (a series name Plot groups by) are the point's before the gap
      out.push({ ...data[i - 1], date: new Date(+data[i - 1].date + gap / 2), value: NaN });
    }
    out.push(data[i]);
  }
  return out;
}

/**
 * {@linkcode lineGaps} for each series of `data` (points told apart by `name`), series by series.
 *
 * @param {{ date: Date, value: number, name: string }[]} data Points, each series in time order.
 * @param {number} [step] The spacing of the data, ms; default each series' median spacing.
 * @returns {{ date: Date, value: number, name: string }[]} The points, with a NaN point in each
 * gap of each series.
 */
export function seriesGaps(data, step) {
  const byName = new Map();
  for (const d of data) {
    if (!byName.has(d.name)) byName.set(d.name, []);
    byName.get(d.name).push(d);
  }
  return [...byName.values()].flatMap((line) => lineGaps(line, step));
}

/**
 * Rows for a stacked area that breaks at each series' gaps, for `Plot.areaY` with `y1` and `y2`
 * (no stack transform): Plot's stack reads a gap's NaN as 0, so a stacked area ran on across
 * the minutes nothing was measured. Series are stacked in the order they first appear, negative
 * values below zero, as Plot's stack does; a gap's point keeps `y1` and `y2` NaN.
 *
 * @param {{ date: Date, value: number, name: string }[]} data Points, each series in time order.
 * @param {number} [step] The spacing of the data, ms; default each series' median spacing.
 * @returns {{ date: Date, value: number, name: string, y1: number, y2: number }[]} The rows.
 */
export function areaGaps(data, step) {
  const above = new Map(), below = new Map();
  return seriesGaps(data, step).map((d) => {
    if (!Number.isFinite(d.value)) return { ...d, y1: NaN, y2: NaN };
    const tops = d.value < 0 ? below : above;
    const y1 = tops.get(+d.date) ?? 0;
    tops.set(+d.date, y1 + d.value);
    return { ...d, y1, y2: y1 + d.value };
  });
}
