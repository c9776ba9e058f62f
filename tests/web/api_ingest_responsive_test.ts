import assert from "node:assert/strict";
import { jsonLines, T0, testApp } from "./_app.ts";

const ND = { "content-type": "application/x-ndjson" };

function rows(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    ts: T0 + i,
    host: "edge-1",
    metric: "queue_depth",
    labels: { queue: "a" },
    value: i,
  }));
}

Deno.test("/healthz is answered while a large /api/ingest body is still being parsed, and the ingest answer comes only once the body is spooled", async () => {
  await using t = await testApp({ ingest: { flushRows: 1_000_000, flushEveryMs: 3_600_000 } });
  let parsing!: () => void;
  const started = new Promise<void>((r) => parsing = r);
  let healthzAnswered!: () => void;
  const answered = new Promise<void>((r) => healthzAnswered = r);
  let pauses = 0;
  const acceptedAtPauses: number[] = [];
  // the real writer, its parse paused at chunk boundaries: the first pause waits until /healthz
  // has been answered, which can only happen if the route gives the event loop a turn mid-parse
  const real = t.ingest.writeAsync.bind(t.ingest);
  t.ingest.writeAsync = (body, options) =>
    real(body, {
      ...options,
      chunkBytes: 16_384,
      sliceMs: 0,
      pause: async () => {
        acceptedAtPauses.push(t.ingest.stats.accepted);
        if (pauses++ === 0) {
          parsing();
          await answered;
        }
        await new Promise((r) => setTimeout(r, 0));
      },
    });
  let ingestDone = false;
  const ingest = Promise.resolve(t.app.request("/api/ingest", {
    method: "POST",
    headers: ND,
    body: jsonLines(rows(5_000)),
  })).then((res) => (ingestDone = true, res));
  await started;
  const hz = await t.app.request("/healthz");
  assert.equal(hz.status, 200);
  assert.equal(ingestDone, false, "the ingest request finished before /healthz was answered");
  healthzAnswered();
  const res = await ingest;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { accepted: 5_000 });
  assert.ok(pauses > 10, `pauses: ${pauses}`);
  // nothing was acknowledged or spooled mid-parse; all of it once the answer is out
  assert.ok(acceptedAtPauses.every((n) => n === 0));
  assert.equal(t.ingest.stats.accepted, 5_000);
});

Deno.test("POST /api/ingest through the async path still answers a bad line with 400 and stores nothing", async () => {
  await using t = await testApp();
  const body = jsonLines(rows(2_000)) + '{"ts":1}\n';
  const res = await t.app.request("/api/ingest", { method: "POST", headers: ND, body });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /^Invalid line 2001: host/);
  assert.equal(t.ingest.stats.accepted, 0);
});
