import assert from "node:assert/strict";
import {
  axisMargin,
  dayTimeTick,
  formatExact,
  formatGrowth,
  formatTick,
  formatTime,
  formatValue,
  TIME_LABEL,
  timeTickFormat,
  unitLabel,
  yTicks,
} from "../../format/mod.ts";

const GiB = 2 ** 30;

Deno.test("formatValue() prints each registry unit the same way everywhere", () => {
  const table: [number | null | undefined, string, string][] = [
    [0, "bytes", "0 B"],
    [0, "ratio", "0 %"],
    [0, "", "0"],
    [-0, "bytes", "0 B"],
    [512, "bytes", "512 B"],
    [1536, "bytes", "1.5 KiB"],
    [23.5 * GiB, "bytes", "23.5 GiB"],
    [-23.5 * GiB, "bytes", "-23.5 GiB"],
    [2.415e10, "bytes", "22.5 GiB"],
    [2.415e10, "", "24.2 G"],
    [2.415e10, "inodes", "24.2 G inodes"],
    [2.415e10, "1/s", "24.2 G/s"],
    [5 * 2 ** 20, "bytes/s", "5 MiB/s"],
    [1_073_700_000, "bytes", "1 GiB"],
    [0.873, "ratio", "87.3 %"],
    [-0.25, "ratio", "-25 %"],
    [1e-9, "ratio", "0 %"],
    [1e-9, "bytes", "0 B"],
    [1e-9, "", "0"],
    [12, "ms", "12 ms"],
    [1500, "ms", "1.5 s"],
    [1234, "1/s", "1,234/s"],
    [1.94, "processes", "1.94 processes"],
    [2300, "inodes", "2,300 inodes"],
    [687_900, "inodes", "688 k inodes"],
    [-2_500_000, "", "-2.5 M"],
    [1e30, "bytes", "827,181 YiB"],
    [NaN, "bytes", "–"],
    [Infinity, "ratio", "–"],
    [null, "bytes", "–"],
    [undefined, "bytes", "–"],
  ];
  for (const [value, unit, want] of table) {
    assert.equal(formatValue(value, unit), want, `${value} ${unit}`);
  }
});

Deno.test("formatExact() keeps four digits and the exact value, never exponent notation", () => {
  const table: [number, string, string][] = [
    [0, "bytes", "0 B"],
    [2.415e10, "bytes", "22.49 GiB (24,150,000,000 B)"],
    [23.5 * GiB, "bytes", "23.5 GiB (25,232,932,864 B)"],
    [-23.5 * GiB, "bytes", "-23.5 GiB (-25,232,932,864 B)"],
    [2.415e10, "", "24.15 G (24,150,000,000)"],
    [0.87345, "ratio", "87.35 %"],
    [1e-9, "ratio", "0.0000001 %"],
    [1e-9, "", "0.000000001"],
    [1.5, "processes", "1.5 processes"],
    [1500, "ms", "1.5 s (1,500 ms)"],
    [NaN, "ms", "–"],
  ];
  for (const [value, unit, want] of table) {
    const got = formatExact(value, unit);
    assert.equal(got, want, `${value} ${unit}`);
    assert.doesNotMatch(got, /e[+-]\d/);
  }
});

Deno.test("formatGrowth() signs the growth and leaves a rounded zero unsigned", () => {
  assert.equal(formatGrowth(18.6 * GiB, "bytes"), "+18.6 GiB/day");
  assert.equal(formatGrowth(-0.5, "processes"), "-0.5 processes/day");
  assert.equal(formatGrowth(1e-9, "processes"), "0 processes/day");
  assert.equal(formatGrowth(NaN, "bytes"), "–");
});

Deno.test("unitLabel() names ratios % like the Live page does", () => {
  assert.equal(unitLabel("ratio"), "%");
  assert.equal(unitLabel("bytes"), "bytes");
  assert.equal(unitLabel("processes"), "processes");
});

Deno.test("axisMargin() widens with the longest tick label so it is never clipped", () => {
  const labels = [0, 5e9, 1e10, 1.5e10, 2e10, 2.5e10].map((v) => formatValue(v, "bytes"));
  assert.deepEqual(labels.slice(0, 3), ["0 B", "4.66 GiB", "9.31 GiB"]);
  assert.ok(axisMargin(labels) >= 8 * 7);
  assert.ok(axisMargin(["1", "2"]) === 40);
});

Deno.test("times are shown in UTC on a 24-hour clock and say so", () => {
  const t = Date.UTC(2026, 11, 5, 16, 38, 15);
  assert.equal(formatTime(t), "2026-12-05 16:38 UTC");
  assert.equal(formatTime(t, { seconds: true }), "2026-12-05 16:38:15 UTC");
  assert.equal(formatTime(NaN), "–");
  assert.equal(TIME_LABEL, "Time (UTC)");
  assert.equal(timeTickFormat(100_000)(new Date(t)), "16:38:15");
  assert.equal(timeTickFormat(3_600_000)(t), "16:38");
  assert.equal(timeTickFormat(30 * 86_400_000)(Date.UTC(2026, 11, 5)), "12-05");
  assert.equal(timeTickFormat(30 * 86_400_000)(t), "12-05 16:38");
});

Deno.test("dayTimeTick() names each day once: under its first tick, or alone at midnights", () => {
  const H = 3_600_000, t0 = Date.UTC(2026, 11, 5);
  const label = (ticks: number[]) => ticks.map((t, i) => dayTimeTick(new Date(t), i, ticks));
  // every 6 hours over two days: the day under its first tick only
  assert.deepEqual(label([6, 12, 18, 24, 30, 36].map((h) => t0 + h * H)), [
    "06:00\nDec 5",
    "12:00",
    "18:00",
    "00:00\nDec 6",
    "06:00",
    "12:00",
  ]);
  // midnights only: days alone, each once
  assert.deepEqual(label([0, 24, 48].map((h) => t0 + h * H)), ["Dec 5", "Dec 6", "Dec 7"]);
  // ticks off the minute (seconds of data) keep their seconds
  assert.deepEqual(label([t0 + 16 * H + 5000, t0 + 16 * H + 10_000]), [
    "16:00:05\nDec 5",
    "16:00:10",
  ]);
  // called with the tick alone, it names the day
  assert.equal(dayTimeTick(t0 + 16 * H), "16:00\nDec 5");
});

Deno.test("yTicks() steps in the unit's own round numbers and covers the data", () => {
  const f = (min: number, max: number, unit: string) =>
    yTicks(min, max, unit).map((t) => formatValue(t, unit));
  assert.deepEqual(f(0, 2.415e10, "bytes"), [
    "0 B",
    "5 GiB",
    "10 GiB",
    "15 GiB",
    "20 GiB",
    "25 GiB",
  ]);
  assert.deepEqual(f(0, 0.873, "ratio"), ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"]);
  assert.deepEqual(f(-3, 3, ""), ["-4", "-2", "0", "2", "4"]);
  const flat = yTicks(0.3, 0.3, "processes"); // a constant series still gets an axis around it
  assert.ok(flat.length >= 2 && flat[0]! < 0.3 && flat.at(-1)! > 0.3);
  assert.deepEqual(yTicks(NaN, 1, "bytes"), []);
  const tiny = yTicks(0, 1e-9, "");
  assert.ok(tiny.length >= 2 && tiny.at(-1)! >= 1e-9);
});

Deno.test("formatTick() leaves a count's unit word to the axis label", () => {
  assert.equal(formatTick(1.5, "processes"), "1.5");
  assert.equal(formatTick(2.415e10, "1/s"), "24.2 G");
  assert.equal(formatTick(0.5, "ratio"), "50 %");
  assert.equal(formatTick(23.5 * GiB, "bytes"), "23.5 GiB");
  assert.equal(formatTick(2500, "ms"), "2.5 s");
  assert.equal(formatTick(NaN, "bytes"), "");
});
