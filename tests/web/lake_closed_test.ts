/**
 * A read the lake's close cuts off (serve stopping) is answered 503 with `Retry-After` and a
 * one-line reason, over a real server: the request was fine, and a 500 read as a bug that a
 * client does not retry.
 */
import assert from "node:assert/strict";
import { T0, testApp } from "./_app.ts";
import { served } from "./_served.ts";

async function seed(app: { request: (p: string, i: RequestInit) => Promise<Response> | Response }) {
  const lines = Array.from(
    { length: 200 },
    (_, i) =>
      JSON.stringify({
        host: "h1",
        metric: "m",
        labels: { k: `v${i % 20}` },
        ts: T0 + i * 1000,
        value: i,
      }),
  ).join("\n");
  const res = await app.request("/api/ingest", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: lines,
  });
  assert.equal(res.status, 200, await res.text());
}

const READS = [
  `/api/series?metric=m&from=${T0}&to=${T0 + 3_600_000}`,
  `/api/series?metric=m&labels=k=v1&from=${T0}&to=${T0 + 3_600_000}`,
  "/api/metrics",
];

Deno.test("Reads asked for after the lake closed answer 503 with Retry-After and one line", async () => {
  await using t = await testApp();
  await seed(t.app);
  await t.ingest.flush();
  await served(t.app, async (base) => {
    for (const path of READS) {
      const ok = await fetch(base + path);
      assert.equal(ok.status, 200, `${path}: ${await ok.text()}`);
    }
    await t.lake.close();
    for (const path of READS) {
      const res = await fetch(base + path);
      const body = await res.json();
      assert.equal(res.status, 503, `${path}: ${JSON.stringify(body)}`);
      assert.equal(res.headers.get("retry-after"), "5");
      assert.match(body.error, /^Service unavailable: the lake closed/);
      assert.doesNotMatch(body.error, /\n/);
    }
  });
});

Deno.test("Reads running when the lake closes answer 200 or 503, never 500", async () => {
  await using t = await testApp();
  await seed(t.app);
  await t.ingest.flush();
  await served(t.app, async (base) => {
    const inFlight = Array.from({ length: 24 }, (_, i) => fetch(base + READS[i % READS.length]!));
    // some have reached the lake by now, some not: each is cut off, answered, or refused
    await new Promise((r) => setTimeout(r, 5));
    const closed = t.lake.close();
    const statuses = await Promise.all(inFlight.map(async (p) => {
      const res = await p;
      await res.body?.cancel();
      return res.status;
    }));
    await closed;
    for (const s of statuses) assert.ok(s === 200 || s === 503, `status ${s}: ${statuses}`);
  });
});
