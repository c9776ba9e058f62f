/**
 * `/api/services` says how much data each service has from the service's own first and last
 * sample, not from the whole lake's: a service first seen 20 s ago, in a lake a collector has
 * filled for a quarter of an hour, has "20 s" of data, and one with a single sample has "1
 * sample" (no span at all). Samples go in through `/api/ingest` and are read from Parquet.
 */
import assert from "node:assert/strict";
import { simulateHost } from "../../lake/mod.ts";
import { writeServiceSeries } from "../analytics/_service_lake.ts";
import { postRows, T0, testApp } from "./_app.ts";

const SEC = 1000, MIN = 60 * SEC;

/** Request-rate samples of service `name` on `host`, `count` of them `step` apart up to T0. */
function requests(name: string, host: string, count: number, step: number) {
  return Array.from({ length: count }, (_, i) => ({
    ts: T0 - (count - 1 - i) * step,
    host,
    metric: "http_requests_per_second",
    labels: { service: name, code: "200" },
    value: 50,
  }));
}

Deno.test("GET /api/services names each service's own span in its 'not enough data yet' reasons", async () => {
  await using t = await testApp({ now: () => T0 + MIN });
  // `old`: 14 minutes of samples 10 s apart (the lake's first sample is its first)
  // `api`: first seen 20 s before T0, a sample a second; `one`: a single sample
  const rows = [
    ...requests("old", "old-1", 85, 10 * SEC),
    ...requests("api", "app-1", 21, SEC),
    ...requests("one", "one-1", 1, SEC),
  ];
  const res = await postRows(t, rows);
  assert.equal(res.status, 200, await res.clone().text());
  t.ingest.flush();
  const body = await (await t.app.request("/api/services")).json();
  const by = new Map(body.services.map((s: { name: string }) => [s.name, s]));
  type Figure = { windowMs: number; reason: string | null };
  type Service = { status: string; reason: string | null; availability: Figure[] };
  const old = by.get("old") as Service, api = by.get("api") as Service;
  const one = by.get("one") as Service;
  assert.ok(old && api && one, [...by.keys()].join());

  const hour = (s: Service) => s.availability.find((a) => a.windowMs === 3_600_000)!.reason;
  assert.equal(hour(old), "not enough data yet: 14 min of 1 h");
  // the service's own 20 s, not the lake's quarter of an hour
  assert.equal(hour(api), "not enough data yet: 20 s of 1 h");
  assert.equal(api.status, "ok");
  // one sample spans nothing: it is counted, never "0 s"
  assert.equal(hour(one), "not enough data yet: 1 sample in 1 h (need 10)");
  assert.equal(one.reason, "not enough data yet: 1 sample in 5 min (figures need 10)");

  // every window, read or not, says the same of each service: api never has the lake's span
  const reasons = (s: Service & { burn?: { reason: string | null }[] }) =>
    [
      ...s.availability.map((a) => a.reason),
      ...(s.burn ?? []).map((b) => b.reason),
    ].filter((r): r is string => r !== null);
  for (const r of reasons(api)) assert.match(r, /: 20 s of /, r);
  for (const r of reasons(one)) assert.doesNotMatch(r, /\b0 s\b|of \d+ min/, r);
  for (const r of reasons(old)) assert.match(r, /: 14 min of /, r);
});

Deno.test("on a lake of days, a window longer than the lake names the service's span from the longest window read", async () => {
  const DAY = 86_400_000, HOUR = 3_600_000;
  const root = await Deno.makeTempDir({ prefix: "perfscope-services-span-" });
  try {
    // the lake: a machine sampled hourly for 10 days; `steady` has 5 days of requests, 10 min
    // apart, `fresh` 20 s a second apart, both up to T0
    simulateHost({ root, host: "m-1", start: T0 - 10 * DAY, durationMs: 10 * DAY, stepMs: HOUR });
    const steady = Array.from({ length: 5 * 144 + 1 }, (_, i) => T0 - 5 * DAY + i * 600_000);
    writeServiceSeries(root, steady, [{
      metric: "http_requests_per_second",
      labels: { service: "steady", code: "200" },
      value: () => 50,
      host: "s-1",
    }]);
    const fresh = Array.from({ length: 21 }, (_, i) => T0 - 20 * SEC + i * SEC);
    writeServiceSeries(root, fresh, [{
      metric: "http_requests_per_second",
      labels: { service: "fresh", code: "200" },
      value: () => 50,
      host: "f-1",
    }]);
    await using t = await testApp({ root, now: () => T0 + MIN });
    const body = await (await t.app.request("/api/services")).json();
    type Service = { name: string; availability: { windowMs: number; reason: string | null }[] };
    const month = (name: string) =>
      (body.services as Service[]).find((s) => s.name === name)!.availability
        .find((a) => a.windowMs === 30 * DAY)!.reason;
    // 10 days of lake cannot cover half of 30 days: the 30-day window is not read; the longest
    // read (3 days) is filled by `steady`, and holds all of `fresh`
    assert.equal(month("steady"), "not enough data yet: more than 3 days of 30 days");
    assert.equal(month("fresh"), "not enough data yet: 20 s of 30 days");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
