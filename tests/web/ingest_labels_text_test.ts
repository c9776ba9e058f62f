/**
 * `POST /api/ingest` lines whose `labels` is a `k=v,…` string naming a label twice, over a served
 * app: the line is refused naming the label (the parser kept the last value and the sample was
 * stored under `k=w` alone, losing `k=v` without a word).
 */
import assert from "node:assert/strict";
import { T0, testApp } from "./_app.ts";
import { served } from "./_served.ts";

Deno.test("An ingest line with a label named twice in its labels string is refused, and nothing is stored", async () => {
  await using t = await testApp();
  await served(t.app, async (base) => {
    for (const labels of ["k=v,k=w", "a=1,k=v,b=2,k=v"]) {
      const line = JSON.stringify({ host: "h1", metric: "m", labels, ts: T0, value: 1 });
      const ok = JSON.stringify({ host: "h1", metric: "m", labels: "k=x", ts: T0, value: 2 });
      const res = await fetch(`${base}/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: `${ok}\n${line}\n`,
      });
      const body = await res.json();
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(body.error, 'Invalid line 2: labels: "k" given twice');
    }
    // an escaped comma is part of a value, not a second pair
    const escaped = JSON.stringify({
      host: "h1",
      metric: "m",
      labels: "k=v\\,k=w",
      ts: T0,
      value: 3,
    });
    const res = await fetch(`${base}/api/ingest`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: escaped,
    });
    assert.equal(res.status, 200, await res.text());
  });
  await t.ingest.flush();
  const rows = await t.lake.query("SELECT labels, value FROM samples ORDER BY value");
  assert.deepEqual(rows.map((r) => [r.labels, r.value]), [["k=v\\,k\\=w", 3]]);
});
