/**
 * The remote-write sender on the ingest spool (application metrics), against a receiver on
 * loopback: labels, order, retries and restarts resend only what was not acknowledged.
 */
import assert from "node:assert/strict";
import {
  decodeWriteRequest,
  readPosition,
  RemoteWriteSender,
  RemoteWriteThread,
} from "../../export/mod.ts";
import { type IngestBatch, IngestWriter, listIngestOutbox } from "../../lake/mod.ts";
import { startServe } from "../_serve.ts";

const T0 = Date.UTC(2024, 0, 1);

/** A receiver on loopback answering `status(request number)`; keeps what it acknowledged. */
function receiver(status: (n: number) => number) {
  const got: { name: string; labels: string; ts: number; value: number }[] = [];
  let n = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const series = decodeWriteRequest(new Uint8Array(await req.arrayBuffer()));
    const code = status(n++);
    if (code < 300) {
      for (const s of series) {
        const name = s.labels.find(([k]) => k === "__name__")![1];
        const labels = s.labels.map(([k, v]) => `${k}=${v}`).join(",");
        s.ts.forEach((ts, i) => got.push({ name, labels, ts, value: s.values[i]! }));
      }
    }
    return new Response(null, { status: code });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/api/v1/write`,
    got,
    requests: () => n,
    close: () => server.shutdown(),
  };
}

function rows(
  ...specs: [ts: number, metric: string, labels: string, value: number][]
): IngestBatch {
  return {
    ts: specs.map((s) => T0 + s[0]),
    host: specs.map(() => "web-1"),
    metric: specs.map((s) => s[1]),
    labels: specs.map((s) => s[2]),
    value: specs.map((s) => s[3]),
  };
}

// a generous time-out: a slow answer of a loaded machine must not be retried (and stored twice)
const fast = { minBackoffMs: 10, maxBackoffMs: 50, timeoutMs: 10_000, log: () => {} };

Deno.test("application metrics go out with the registry's names, their labels, host and external labels, each series in time order", async () => {
  const r = receiver(() => 204);
  const root = Deno.makeTempDirSync();
  const sender = new RemoteWriteSender(root, {
    url: r.url,
    queue: "ingest",
    name: "t",
    externalLabels: { env: "prod", service: "not-this" },
    ...fast,
  });
  const w = new IngestWriter({ root, sync: false, now: () => T0 + 60_000 });
  try {
    // two requests; the second holds an earlier second of the same series, and a NaN
    w.writeBatch(rows(
      [2000, "http_requests_per_second", "code=200,service=shop", 5],
      [2000, "queue_depth", "service=shop", 7],
    ));
    w.writeBatch(rows(
      [1000, "http_requests_per_second", "code=200,service=shop", 4],
      [3000, "queue_depth", "service=shop", NaN],
    ));
    await sender.drain();
    assert.deepEqual(r.got, [
      {
        name: "http_requests_per_second",
        labels: "__name__=http_requests_per_second,code=200,env=prod,host=web-1,service=shop",
        ts: T0 + 1000,
        value: 4,
      },
      {
        name: "http_requests_per_second",
        labels: "__name__=http_requests_per_second,code=200,env=prod,host=web-1,service=shop",
        ts: T0 + 2000,
        value: 5,
      },
      {
        name: "queue_depth",
        labels: "__name__=queue_depth,env=prod,host=web-1,service=shop",
        ts: T0 + 2000,
        value: 7,
      },
    ]);
    assert.equal(sender.stats.samples, 3);
    // caught up: the lag is measured from now, not from the clients' (old) sample times
    assert.ok(Date.now() - sender.stats.ackedTs < 5000);
    assert.deepEqual(sender.metricLabels, { queue: "ingest", remote: new URL(r.url).host });
    assert.ok(readPosition(root, "t", "ingest")!.offset > 0);
    assert.equal(readPosition(root, "t"), undefined); // not the collector's reader
  } finally {
    await sender.stop();
    w.close();
    await r.close();
  }
});

Deno.test("an outage, a restart of the sender and a flush to Parquet between them: every accepted sample arrives once", async () => {
  let down = true;
  const r = receiver(() => (down ? 503 : 204));
  const root = Deno.makeTempDirSync();
  const clock = { now: T0 + 60_000 };
  const options = { url: r.url, queue: "ingest" as const, ...fast };
  // The first sender waits a minute before each retry, so it is stopped in that wait, never
  // with a request in flight: a request given up by stop is unacknowledged and goes again,
  // but the first may still be stored (at least once), and this loopback receiver in the same
  // process has been seen to take it in after the outage ended (its handler ran only once the
  // second sender's request came), then store the records twice.
  let sender = new RemoteWriteSender(root, {
    ...options,
    minBackoffMs: 60_000,
    maxBackoffMs: 60_000,
    random: () => 1,
  });
  const w = new IngestWriter({ root, sync: false, now: () => clock.now });
  try {
    for (let i = 0; i < 5; i++) w.writeBatch(rows([i * 1000, "m", "", i]));
    sender.start();
    // until the sender has met the outage (however slow this machine is)
    const end = Date.now() + 60_000; // a bound, not a timing: a loaded CI machine starts threads slowly
    while (sender.stats.retries === 0 && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.equal(r.got.length, 0);
    assert.ok(sender.stats.retries > 0);
    // the process stops while the receiver is down (nothing acknowledged) ...
    await sender.stop();
    // ... meanwhile the rows go to Parquet, and their segment waits in the outbox
    w.flush();
    assert.equal(listIngestOutbox(root).length, 1);
    for (let i = 5; i < 8; i++) w.writeBatch(rows([i * 1000, "m", "", i]));
    down = false;
    sender = new RemoteWriteSender(root, options);
    await sender.drain();
    assert.deepEqual(r.got.map((g) => g.value), [0, 1, 2, 3, 4, 5, 6, 7]);
    // sent: the outbox segment is deleted; a new sender from the saved position sends nothing
    assert.deepEqual(listIngestOutbox(root), []);
    // (once this one stopped: two senders of one name at a time are refused)
    await sender.stop();
    sender = new RemoteWriteSender(root, options);
    const before = r.requests();
    await sender.drain();
    assert.equal(r.requests(), before);
  } finally {
    await sender.stop();
    w.close();
    await r.close();
  }
});

Deno.test("an unknown queue is refused with a clear error", () => {
  assert.throws(
    () =>
      new RemoteWriteSender(Deno.makeTempDirSync(), {
        url: "http://127.0.0.1:9/w",
        queue: "other" as "ingest",
      }),
    { name: "RangeError", message: "Invalid remote-write queue: other" },
  );
});

Deno.test("senders on their own thread register at once, send the ingest spool and report their metrics", async () => {
  const r = receiver(() => 204);
  const root = Deno.makeTempDirSync();
  const thread = new RemoteWriteThread(root, [{
    url: r.url,
    name: "t",
    queue: "ingest",
    intervalMs: 50,
  }]);
  // registered before the writer opens: segments it retires wait in the outbox
  assert.deepEqual(readPosition(root, "t", "ingest"), { segment: 0, offset: 0 });
  const w = new IngestWriter({ root, sync: false, now: () => T0 + 60_000 });
  try {
    w.writeBatch(rows([0, "m", "a=1", 1], [1000, "m", "a=1", 2]));
    w.flush();
    assert.equal(listIngestOutbox(root).length, 1);
    thread.start();
    const end = Date.now() + 60_000; // a bound, not a timing: a loaded CI machine starts threads slowly
    while (r.got.length < 2 && Date.now() < end) await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(r.got.map((g) => g.value), [1, 2]);
    await thread.stop(1000);
    const [view] = thread.senders;
    const samples = view!.metrics().find(([m]) =>
      m === "perfscope_remote_write_samples_per_second"
    );
    assert.equal(samples?.[3], 2);
    assert.deepEqual(samples?.[1], { queue: "ingest", remote: new URL(r.url).host });
    assert.deepEqual(listIngestOutbox(root), []);
  } finally {
    await thread.stop();
    w.close();
    await r.close();
  }
});

Deno.test("a bad receiver URL on the thread is refused on the calling thread", () => {
  assert.throws(
    () => new RemoteWriteThread(Deno.makeTempDirSync(), [{ url: "ftp://x/w", queue: "ingest" }]),
    { name: "RangeError", message: /http or https only/ },
  );
});

Deno.test("serve refuses a bad --remote-write URL with a UsageError before it opens anything", async () => {
  const data = Deno.makeTempDirSync();
  await assert.rejects(
    () =>
      startServe(["--data", data, "--no-collect", "--remote-write", "ftp://127.0.0.1/w"], {
        compact: false,
      }),
    { name: "UsageError", message: /^Invalid remote-write URL: ftp:\/\/127.0.0.1\/w/ },
  );
  // nothing registered: no reader holds segments back
  assert.throws(() => Deno.statSync(`${data}/spool_ingest/readers`), Deno.errors.NotFound);
});
