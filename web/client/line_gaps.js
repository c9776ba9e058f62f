/**
 * Gaps in a line chart's data, shared by the Explore and Capacity pages (served as
 * `/assets/line_gaps.js`): a line drawn across the minutes a collector was stopped shows samples
 * that never were.
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
