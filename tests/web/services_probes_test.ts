import assert from "node:assert/strict";
import { postRows, T0, testApp } from "./_app.ts";

Deno.test("GET /api/services lists every probe's availability over the services' windows and the page draws it", async () => {
  const now = T0 + 60_000;
  await using t = await testApp({ now: () => now });
  // an hour of runs every 15 s: `shop` fails 12 of its 241, `api` never
  const rows = Array.from({ length: 241 }, (_, i) => [
    {
      ts: now - 3_600_000 + i * 15_000,
      host: "prober",
      metric: "probe_success",
      labels: { target: "shop" },
      value: i % 20 === 5 ? 0 : 1,
    },
    {
      ts: now - 3_600_000 + i * 15_000,
      host: "prober",
      metric: "probe_success",
      labels: { target: "api" },
      value: 1,
    },
  ]).flat();
  const r = await postRows(t, rows);
  assert.equal(r.status, 200, await r.clone().text());
  t.ingest.flush();
  const body = await (await t.app.request("/api/services")).json();
  // probe results alone make no service
  assert.deepEqual(body.services, []);
  assert.deepEqual(body.probes.map((p: { target: string }) => p.target), ["api", "shop"]);
  const shop = body.probes[1];
  assert.deepEqual(
    shop.availability.map((a: { windowMs: number }) => a.windowMs),
    [3_600_000, 86_400_000, 30 * 86_400_000],
  );
  assert.equal(shop.availability[0].value, 1 - 12 / 241);
  assert.equal(shop.availability[1].value, null);
  assert.match(shop.availability[1].reason, /^not enough data yet: 1 h of 1 day/);
  assert.deepEqual(shop.last, { ts: now, success: true });
  assert.equal(body.probes[0].availability[0].value, 1);
  const js = await (await t.app.request("/assets/services.js")).text();
  assert.match(js, /Probe availability/);
  assert.match(js, /probesCard\(probes\)/);
});
