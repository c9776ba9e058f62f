/**
 * Attacks on a real `serve` (its parse thread, spool and lake) that earlier tests left out; after
 * each, the lake still answers and the samples stored before it are unchanged.
 */
import assert from "node:assert/strict";
import { startServe } from "../_serve.ts";

const ND = { "content-type": "application/x-ndjson" };

async function served() {
  const root = await Deno.makeTempDir();
  // flushes every second, so that what was (or was not) stored is in Parquet within the test
  await Deno.writeTextFile(`${root}/perfscope.yaml`, "ingest:\n  flush_every: 1s\n");
  const s = await startServe(
    ["--no-collect", "--data", `${root}/data`, "--config", `${root}/perfscope.yaml`],
    { compact: false },
  );
  return {
    url: s.url,
    async [Symbol.asyncDispose]() {
      s.stop();
      await s.done;
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Every stored sample of the test's metrics as `labels=value`, sorted. */
async function stored(url: URL): Promise<string[]> {
  const res = await fetch(new URL("/api/query", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      sql: "SELECT labels || '=' || value FROM samples WHERE host = 'atk' ORDER BY 1",
    }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).rows.map((r: string[]) => r[0]);
}

function line(labels: string, value: number): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(
    `{"ts":${Date.now()},"host":"atk","metric":"atk_depth","labels":{"k":"${labels}"},"value":${value}}\n`,
  );
}

/** Waits until the ingest spool has reached Parquet (a 200 means spooled, not yet queryable). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await check()); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("serve refuses an ingest body holding bytes that are not UTF-8 with a 400 naming the line, and keeps what it had", async () => {
  await using s = await served();
  const good = await fetch(new URL("/api/ingest", s.url), {
    method: "POST",
    headers: ND,
    body: line("é", 1),
  });
  assert.equal(good.status, 200, await good.text());
  await until(async () => (await stored(s.url)).length === 1);
  assert.deepEqual(await stored(s.url), ["k=é=1.0"]);
  const bad = new Uint8Array([...line("ok", 2), ...line("x\xff", 3)]);
  // the \xff above is U+00FF in the string, two bytes of UTF-8: put a lone 0xff byte instead
  const at = bad.lastIndexOf(0xc3);
  bad.set([0xff, 0x20], at);
  const res = await fetch(new URL("/api/ingest", s.url), {
    method: "POST",
    headers: ND,
    body: bad,
  });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /^Invalid line 2: .*not valid UTF-8/);
  await new Promise((r) => setTimeout(r, 2_000)); // past a timed flush
  assert.deepEqual(await stored(s.url), ["k=é=1.0"]);
});

Deno.test("serve drops alone an OTLP series whose attribute key is over 128 bytes, and stores the rest of the export", async () => {
  await using s = await served();
  const ns = String(BigInt(Date.now()) * 1_000_000n);
  const gauge = (name: string, attributes: unknown[]) => ({
    name,
    gauge: { dataPoints: [{ timeUnixNano: ns, asDouble: 1, attributes }] },
  });
  const res = await fetch(new URL("/v1/metrics", s.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceMetrics: [{
        resource: { attributes: [{ key: "host.name", value: { stringValue: "atk" } }] },
        scopeMetrics: [{
          metrics: [
            gauge("atk.kept", [{ key: "k", value: { stringValue: "v" } }]),
            gauge("atk.long", [{ key: "k".repeat(300), value: { stringValue: "v" } }]),
          ],
        }],
      }],
    }),
  });
  // it was a 400 for the whole export: the lake refused the batch for the one long name
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.partialSuccess?.rejectedDataPoints, 1, JSON.stringify(body));
  assert.match(body.partialSuccess.errorMessage, /label name longer than 128 bytes/);
  const metrics = async () => {
    const r = await fetch(new URL("/api/query", s.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql: "SELECT DISTINCT metric FROM samples ORDER BY 1" }),
    });
    return (await r.json()).rows.map((row: string[]) => row[0]);
  };
  await until(async () => (await metrics()).length > 0);
  assert.deepEqual(await metrics(), ["atk_kept"]);
});
