import assert from "node:assert/strict";
import fc from "fast-check";
import { props, timeish } from "../_props.ts";
import { postRows, T0, testApp } from "./_app.ts";

async function seeded() {
  const t = await testApp({ now: () => T0 + 120_000 });
  const rows = Array.from({ length: 30 }, (_, i) => ({
    ts: T0 + i * 2000,
    host: i % 2 ? "h1" : "h2",
    metric: "cpu_ratio",
    labels: { cpu: "0", mode: i % 3 ? "user" : "a,b=c\\" },
    value: i / 7,
  }));
  const res = await postRows(t, rows);
  assert.equal(res.status, 200, await res.clone().text());
  t.ingest.flush();
  // the properties below are only worth something if the lake answers with these samples
  const back = await t.app.request(`/api/series?metric=cpu_ratio&from=${T0}&to=${T0 + 60_000}`);
  const { series } = await back.json() as { series: { ts: number[] }[] };
  assert.equal(series.reduce((n, s) => n + s.ts.length, 0), rows.length);
  return t;
}

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
const anyText = fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 12 }), timeish);
/** Mostly a valid value (so that most requests reach the lake), sometimes arbitrary text. */
const mostly = (valid: fc.Arbitrary<string>) =>
  maybe(fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: anyText, weight: 1 }));
const time = fc.oneof(
  fc.integer({ min: T0 - 86_400_000, max: T0 + 200_000 }).map(String),
  fc.integer({ min: 0, max: 3_000_000 }).map((ms) => `now-${ms}ms`),
  fc.constantFrom("now", "-2m", "now-1d", "2024-01-01T00:00:00Z", "2024-01-01T00:00:30.5Z"),
);
const params = fc.record({
  metric: mostly(fc.constantFrom("cpu_ratio", "load_1", "nope_x")),
  metrics: fc.option(fc.constantFrom("cpu_ratio,load_1", "cpu_ratio,", ",", "Bad"), {
    nil: undefined,
    freq: 8,
  }),
  labels: mostly(fc.constantFrom("cpu=0,mode=user", "mode=a\\,b\\=c\\\\,cpu=0", "cpu=0", "")),
  labels_like: fc.option(fc.constantFrom("%", "cpu=%", "_\\", "'", "%mode=a\\,%"), {
    nil: undefined,
    freq: 4,
  }),
  max_points: mostly(fc.integer({ min: 1, max: 9_999_999 }).map(String)),
  host: mostly(fc.constantFrom("h1", "h2", "")),
  from: mostly(time),
  to: mostly(time),
  step: maybe(mostly(fc.oneof(
    fc.constantFrom("10s", "1m", "1h", "0.001", "1ms", "400d", "1w1d1h1m1s1ms"),
    fc.integer({ min: 1, max: 1e12 }).map(String),
  ))),
  format: mostly(fc.constantFrom("json", "csv", "parquet")),
});

function query(p: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v !== undefined) q.set(k, v);
  return `/api/series?${q}`;
}

Deno.test("GET /api/series answers 200 or 4xx, never 500, for arbitrary query parameters", async () => {
  await using t = await seeded();
  await fc.assert(
    fc.asyncProperty(params, async (p) => {
      const res = await t.app.request(query(p));
      const text = await res.text();
      assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), text);
      if (res.status >= 400) assert.match(JSON.parse(text).error, /^[A-Z]/);
    }),
    props(150),
  );
});

Deno.test("GET /api/series answers 200 or 4xx for an arbitrary raw query string", async () => {
  await using t = await seeded();
  const raw = fc.oneof(
    fc.string({
      unit: fc.constantFrom(..."metric=cpu_ratio&labels%25=+,\\0aZ\u00e9/?#"),
      maxLength: 60,
    }),
    fc.string({ maxLength: 60 }),
  );
  await fc.assert(
    fc.asyncProperty(raw, async (q) => {
      const res = await t.app.request(`/api/series?${q}`);
      await res.body?.cancel();
      assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${res.status}`);
    }),
    props(100),
  );
});

// Regressions found by the first property: DuckDB answered 500 for an Infinity step and for
// times outside its range.
Deno.test("GET /api/series answers 400 for a step or times too large for the lake", async () => {
  await using t = await seeded();
  for (
    const q of [
      `metric=cpu_ratio&labels=cpu%3D0&step=${"9".repeat(400)}`,
      `metric=cpu_ratio&step=${"9".repeat(400)}`,
      "metric=cpu_ratio&labels=cpu%3D0&from=99999999999999990000&to=99999999999999999999",
      "metric=cpu_ratio&from=99999999999999990000&to=99999999999999999999",
    ]
  ) {
    const res = await t.app.request(`/api/series?${q}`);
    assert.equal(res.status, 400, q);
    assert.match((await res.json()).error, /^Invalid (step|to|from)/);
  }
});
