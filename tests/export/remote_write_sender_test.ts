import assert from "node:assert/strict";
import { decodeWriteRequest, readPosition, RemoteWriteSender } from "../../export/mod.ts";
import { type LakeRow, listOutbox, SpoolWriter, startCollection } from "../../lake/mod.ts";

/** A receiver on loopback answering with `answer(request number, decoded series)`. */
function receiver(
  answer: (n: number, timestamps: number[]) => Response | Promise<Response>,
) {
  const got: { ts: number; labels: string; value: number }[] = [];
  let n = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const series = decodeWriteRequest(new Uint8Array(await req.arrayBuffer()));
    const times = [...new Set(series.flatMap((s) => s.ts))].sort((a, b) => a - b);
    const res = await answer(n++, times);
    if (res.status < 300) {
      for (const s of series) {
        const labels = s.labels.map(([k, v]) => `${k}=${v}`).join(",");
        s.ts.forEach((t, i) => got.push({ ts: t, labels, value: s.values[i]! }));
      }
    }
    return res;
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/api/v1/write`,
    got,
    requests: () => n,
    close: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/**
 * A spool holding `n` one-second snapshots of two series (one NaN each time for the second);
 * disposal closes its writer.
 */
function spool(n: number): { root: string; writer: SpoolWriter } & Disposable {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-rw-" });
  const writer = new SpoolWriter(root, 1000);
  for (let i = 0; i < n; i++) {
    const rows: LakeRow[] = [
      { ts: 1000 + i * 1000, host: "h", metric: "m", labels: "cpu=0", value: i },
      { ts: 1000 + i * 1000, host: "h", metric: "r", labels: "", value: NaN },
    ];
    writer.append(rows);
  }
  return { root, writer, [Symbol.dispose]: () => writer.close() };
}

// a generous time-out: a loaded machine must not turn a slow answer into a retry (the tests
// count requests and retries); the hang test sets its own
const fast = { minBackoffMs: 10, maxBackoffMs: 50, timeoutMs: 10_000, log: () => {} };

Deno.test("a 2xx answer acknowledges the batch: labels sorted with __name__, host and external labels, NaN left out, position saved", async () => {
  await using r = receiver(() => new Response(null, { status: 204 }));
  using s = spool(3);
  const { root, writer } = s;
  const sender = new RemoteWriteSender(root, {
    url: r.url,
    name: "t",
    externalLabels: { env: "prod", host: "ignored" },
    ...fast,
  });
  await sender.drain();
  assert.deepEqual(r.got.map((g) => g.value), [0, 1, 2]);
  assert.equal(r.got[0]!.labels, "__name__=m,cpu=0,env=prod,host=h");
  assert.equal(sender.stats.samples, 3);
  assert.equal(sender.stats.ackedTs, 3000);
  const pos = readPosition(root, "t")!;
  assert.equal(pos.segment, 1000);
  assert.equal(pos.offset, Deno.statSync(writer.segment.path).size);
  // nothing new: nothing sent again
  await sender.drain();
  assert.equal(r.requests(), 1);
  await sender.stop();
});

Deno.test("a batch spanning two spool segments sends each series once, with the samples of both, and label values above U+FFFF unchanged", async () => {
  const r = receiver(() => new Response(null, { status: 204 }));
  const root = Deno.makeTempDirSync({ prefix: "perfscope-rw-" });
  const proc = "\u{20000}\u{1F600}"; // pbf 5.1.2 wrote U+20000 as U+10000
  const rows = (ts: number, order: number[]): LakeRow[] =>
    order.map((i) => ({ ts, host: "h", metric: "m", labels: `n=${i},p=${proc}`, value: ts + i }));
  const first = new SpoolWriter(root, 1000);
  const sender = new RemoteWriteSender(root, { url: r.url, name: "t", ...fast });
  try {
    first.append(rows(1000, [0, 1]));
    first.append(rows(2000, [1, 0])); // the same series in another order
    const second = new SpoolWriter(root, 3000); // a new segment: new series objects
    second.append(rows(3000, [0, 2]));
    await sender.drain();
    assert.equal(r.requests(), 1);
    const byLabels = Map.groupBy(r.got, (g) => g.labels);
    assert.deepEqual(
      [...byLabels.keys()].sort(),
      [0, 1, 2].map((i) => `__name__=m,host=h,n=${i},p=${proc}`),
    );
    assert.deepEqual(byLabels.get(`__name__=m,host=h,n=0,p=${proc}`)!.map((g) => [g.ts, g.value]), [
      [1000, 1000],
      [2000, 2000],
      [3000, 3000],
    ]);
    assert.equal(sender.stats.samples, 6);
    second.close();
  } finally {
    await sender.stop();
    first.close();
    await r.close();
  }
});

Deno.test("a 400 answer splits the batch down to the snapshots refused, drops only those (logged, counted) and sends the rest", async () => {
  // as Prometheus does when a batch holds one sample it already stored: the whole batch is refused
  await using r = receiver((_, times) =>
    times.includes(1000)
      ? new Response("duplicate sample for timestamp", { status: 400 })
      : new Response(null, { status: 204 })
  );
  using s = spool(2);
  const { root, writer } = s;
  const lines: string[] = [];
  const sender = new RemoteWriteSender(root, { url: r.url, ...fast, log: (l) => lines.push(l) });
  await sender.drain();
  assert.equal(sender.stats.droppedSamples, 1);
  assert.match(lines[0]!, /HTTP 400: duplicate sample for timestamp; dropped 1 samples/);
  writer.append([{ ts: 9000, host: "h", metric: "m", labels: "cpu=0", value: 9 }]);
  await sender.drain();
  assert.deepEqual(r.got.map((g) => g.ts), [2000, 9000]);
  assert.equal(sender.stats.retries, 0);
  await sender.stop();
});

Deno.test("a 413 answer splits the batch in halves until each part fits; one snapshot refused is dropped", async () => {
  // accepts at most two seconds per request; refuses the second 7000 at all
  await using r = receiver((_, times) =>
    times.length > 2 || times.includes(7000)
      ? new Response("too large", { status: 413 })
      : new Response(null, { status: 204 })
  );
  using s = spool(8);
  const { root } = s;
  const sender = new RemoteWriteSender(root, { url: r.url, ...fast });
  await sender.drain();
  assert.deepEqual(r.got.map((g) => g.ts), [1000, 2000, 3000, 4000, 5000, 6000, 8000]);
  assert.equal(sender.stats.droppedSamples, 1);
  await sender.stop();
});

Deno.test("429 (with Retry-After), 500 and a hang past the time-out are retried until accepted", async () => {
  let hung: (() => void) | undefined;
  await using r = receiver((n) => {
    if (n === 0) {
      return new Response("slow down", { status: 429, headers: { "Retry-After": "0.05" } });
    }
    if (n === 1) return new Response("boom", { status: 500 });
    if (n === 2) {
      return new Promise((resolve) => { // a hang: answered only after the sender gave up
        hung = () => resolve(new Response(null, { status: 204 }));
      });
    }
    return new Response(null, { status: 204 });
  });
  using s = spool(3);
  const { root } = s;
  // the hang is given up after 2 s; the other answers have that long on a loaded machine
  const sender = new RemoteWriteSender(root, { url: r.url, ...fast, timeoutMs: 2_000 });
  await sender.drain();
  hung?.();
  assert.equal(sender.stats.retries, 3);
  assert.equal(sender.stats.droppedSamples, 0);
  // the hung request's late "success" is not counted: only the fourth request's points are
  assert.equal(sender.stats.samples, 3);
  await sender.stop();
});

Deno.test("a connection reset before any answer is retried", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let accepted = 0;
  const served = (async () => {
    for await (const conn of listener) {
      accepted++;
      if (accepted === 1) {
        await conn.read(new Uint8Array(16));
        conn.close(); // closed mid-request, no answer
        continue;
      }
      // a minimal HTTP/1.1 answer after reading the request
      await conn.read(new Uint8Array(1 << 16));
      await conn.write(
        new TextEncoder().encode("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"),
      );
      conn.close();
    }
  })();
  const { root, writer } = spool(1);
  try {
    const sender = new RemoteWriteSender(root, { url: `http://127.0.0.1:${port}/w`, ...fast });
    await sender.drain();
    assert.ok(sender.stats.retries >= 1);
    assert.equal(sender.stats.samples, 1);
    await sender.stop();
  } finally {
    writer.close();
    listener.close();
    await served.catch(() => {});
  }
});

Deno.test("the collector's sampling goes on while the receiver hangs, and the backlog is sent once it answers", async () => {
  let answering = false;
  const r = receiver(async () => {
    while (!answering) await new Promise((res) => setTimeout(res, 20));
    return new Response(null, { status: 204 });
  });
  const root = Deno.makeTempDirSync({ prefix: "perfscope-rw-" });
  let ts = 0;
  let seen = 0;
  const sampler = {
    sample: () => [{ ts: ts += 1000, host: "h", metric: "m", labels: {}, value: ts }],
  };
  const sender = new RemoteWriteSender(root, {
    url: r.url,
    intervalMs: 20,
    ...fast,
    timeoutMs: 60_000,
  });
  const collection = await startCollection({
    root,
    sampler,
    intervalMs: 10,
    flushEveryMs: 50,
    onSamples: () => seen++,
  });
  sender.start();
  try {
    // the first request hangs; the collector keeps sampling and flushing meanwhile
    while (r.requests() === 0) await new Promise((res) => setTimeout(res, 10));
    const before = seen;
    while (seen < before + 20) await new Promise((res) => setTimeout(res, 10));
    assert.ok(listOutbox(root).length >= 1, "flushed segments kept for the sender");
    answering = true;
    await collection.stop();
    await sender.stop({ flushMs: 5000 });
    const sent = r.got.map((g) => g.ts);
    assert.deepEqual(sent, Array.from({ length: seen }, (_, i) => (i + 1) * 1000));
    assert.deepEqual(listOutbox(root).length <= 1, true);
  } finally {
    await collection.stop();
    await r.close();
  }
});

Deno.test("idleUntil says when the sender sleeps between batches: 0 while it sends, the end of its sleep after, Infinity once stopped", async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => release = r);
  let asked!: () => void;
  const requested = new Promise<void>((r) => asked = r);
  await using r = receiver(async () => {
    asked();
    await held; // the request stays in flight until the test has looked
    return new Response(null, { status: 204 });
  });
  using s = spool(2);
  const { root } = s;
  const sender = new RemoteWriteSender(root, {
    url: r.url,
    name: "t",
    intervalMs: 5000,
    ...fast,
  });
  assert.equal(sender.idleUntil, 0, "not started: not known to be idle");
  sender.start();
  await requested;
  assert.equal(sender.idleUntil, 0, "a request in flight needs the event loop");
  const before = Date.now();
  release();
  while (sender.idleUntil === 0) await new Promise((res) => setTimeout(res, 5));
  assert.ok(
    sender.idleUntil >= before + 5000 && sender.idleUntil <= Date.now() + 5000,
    `asleep until ${sender.idleUntil - before} ms after the answer`,
  );
  await sender.stop();
  assert.equal(sender.idleUntil, Infinity);
});

Deno.test("a sender restarted after damage far back in its spool segment sends the rest once and counts the damage", async () => {
  const r = receiver(() => new Response(null, { status: 204 }));
  const { root, writer } = spool(2000); // 48-byte snapshot records: ~94 KiB
  try {
    const first = new RemoteWriteSender(root, { url: r.url, name: "t", ...fast });
    await first.drain();
    await first.stop();
    const saved = readPosition(root, "t")!;
    for (let i = 2000; i < 2100; i++) {
      writer.append([{ ts: 1000 + i * 1000, host: "h", metric: "m", labels: "cpu=0", value: i }]);
    }
    // a record ~90 KiB before the saved position gets an unknown kind
    const damagedAt = saved.offset - 1900 * 48;
    assert.ok(saved.offset - damagedAt > 64 * 1024);
    const f = Deno.openSync(writer.segment.path, { write: true });
    f.seekSync(damagedAt + 4, Deno.SeekMode.Start);
    f.writeSync(new Uint8Array([9, 9, 9, 9]));
    f.close();
    const again = new RemoteWriteSender(root, { url: r.url, name: "t", ...fast });
    await again.drain();
    await again.stop();
    const values = r.got.filter((g) => g.labels.startsWith("__name__=m,")).map((g) => g.value);
    assert.deepEqual(values, Array.from({ length: 2100 }, (_, i) => i));
    assert.equal(again.stats.droppedSegments, 1);
  } finally {
    writer.close();
    await r.close();
  }
});

Deno.test("stop without flush time during a retry wait starts no new request, even when the wait's timer is due before stop's", async () => {
  using s = spool(2);
  const bodies: number[] = [];
  let stopping: Promise<void> | undefined;
  const sender: RemoteWriteSender = new RemoteWriteSender(s.root, {
    url: "http://127.0.0.1:9/api/v1/write",
    ...fast,
    // every request refused: the sender waits to retry
    fetch: (_url, init) => {
      bodies.push((init?.body as Uint8Array).length);
      return Promise.resolve(new Response(null, { status: 503 }));
    },
    // Called just before the retry wait: stop is asked from a timer set now, so the wait's
    // own 0-ms timer (set next) is due before anything stop sets. This is the order that let a
    // stopped sender (restarted in the same process by a test) start a request after stop:
    // the receiver took it in although the sender had aborted it, and the next sender sent
    // the same records again.
    random: () => {
      if (!stopping) setTimeout(() => stopping = sender.stop(), 0);
      return 0;
    },
  });
  sender.start();
  // a bound on turns of the event loop, not a timing
  for (let i = 0; i < 1000 && !stopping; i++) await new Promise((r) => setTimeout(r, 0));
  assert.ok(stopping, "stop was asked");
  await stopping;
  assert.equal(bodies.length, 1);
});

Deno.test("a spool backlog written with a capitalized host name is sent under the lower-case host", async () => {
  await using r = receiver(() => new Response(null, { status: 204 }));
  const root = Deno.makeTempDirSync({ prefix: "perfscope-rw-" });
  // a segment as an older collector wrote it, before host names were lower-cased
  const writer = new SpoolWriter(root, 1000);
  writer.append([{ ts: 1000, host: "Web1", metric: "m", labels: "cpu=0", value: 1 }]);
  writer.append([{ ts: 2000, host: "web1", metric: "m", labels: "cpu=0", value: 2 }]);
  const sender = new RemoteWriteSender(root, { url: r.url, name: "t", ...fast });
  await sender.drain();
  assert.deepEqual(r.got.map((g) => [g.ts, g.labels, g.value]), [
    [1000, "__name__=m,cpu=0,host=web1", 1],
    [2000, "__name__=m,cpu=0,host=web1", 2],
  ]);
  await sender.stop();
  writer.close();
  Deno.removeSync(root, { recursive: true });
});

Deno.test("a password in the receiver's URL is sent as Basic auth but never logged", async () => {
  // a new user's walkthrough: `remote-write --remote-write http://u:secret@host/` printed the
  // password in its start line, and every retry logged it again
  await using r = receiver((n) =>
    n === 0 ? new Response("boom", { status: 500 }) : new Response(null, { status: 204 })
  );
  using s = spool(1);
  const lines: string[] = [];
  const url = r.url.replace("http://", "http://writer:s3cret@");
  const sender = new RemoteWriteSender(s.root, { url, ...fast, log: (l) => lines.push(l) });
  await sender.drain();
  await sender.stop();
  assert.equal(sender.stats.retries, 1);
  assert.equal(sender.displayUrl, r.url.replace("http://", "http://writer:***@"));
  assert.ok(lines.length > 0);
  for (const line of lines) assert.doesNotMatch(line, /s3cret/);
  assert.match(lines.join("\n"), /writer:\*\*\*@/);
});
