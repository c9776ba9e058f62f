import assert from "node:assert/strict";
import {
  decodeWriteRequest,
  readPosition,
  RemoteWriteSender,
  savePosition,
  SpoolCursor,
} from "../../export/mod.ts";
import { listOutbox, openLake, outboxDir, SpoolWriter, startCollection } from "../../lake/mod.ts";
import { outboxCapBytes } from "../../cli/_remote_write_entry.ts";
import { main as collect } from "../../cli/collect.ts";
import { parseConfig } from "../../config/mod.ts";
import { collectTask } from "../_collect_task.ts";
import { dirBytes } from "../_dir_bytes.ts";
import { freePort } from "../_ports.ts";

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A sampler of ten series `m{n="0"…"9"}`, one snapshot a second; `ts` is the newest one's time. */
function tenSeries() {
  let ts = 0;
  return {
    sample: () => {
      ts += 1000;
      return Array.from({ length: 10 }, (_, i) => ({
        ts,
        host: "h",
        metric: "m",
        labels: { n: String(i) },
        value: ts + i,
      }));
    },
    get ts() {
      return ts;
    },
  };
}

Deno.test("at the spool cap with the receiver down, the oldest segments are dropped first, logged once a cut, counted in the sender's metrics, and the newest are delivered after recovery", async () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-rw-cap-" });
  const port = freePort(); // nothing listens there yet: every request is refused
  // ten series a snapshot, so that a segment of ~5 snapshots is a few hundred bytes
  const sampler = tenSeries();
  const logs: string[] = [];
  const drops: string[] = [];
  const sender = new RemoteWriteSender(root, {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    intervalMs: 20,
    minBackoffMs: 10,
    maxBackoffMs: 40,
    timeoutMs: 2000,
    log: (line) => logs.push(line),
  });
  const collection = await startCollection({
    root,
    sampler,
    intervalMs: 10,
    flushEveryMs: 50,
    outboxMaxBytes: 2500,
    onSpoolDrop: (line) => drops.push(line),
  });
  sender.start();
  const got = new Map<number, number>();
  let server: Deno.HttpServer | undefined;
  try {
    // several cuts of the outbox while the receiver is down
    await until("three cuts", () => drops.length >= 3);
    assert.ok(sender.stats.retries > 0);
    assert.equal(sender.stats.samples, 0);
    // the drops show in the metrics while the receiver is still down
    const during = new Map(sender.metrics().map(([name, , , value]) => [name, value]));
    assert.ok(during.get("perfscope_remote_write_dropped_segments_per_second")! > 0);
    for (const line of drops) {
      assert.match(line, /over its cap of 2500 bytes: deleted its \d+ oldest segments \(\d+ bytes/);
    }
    // the directory's files, drop ledger included
    const outboxBytes = dirBytes(outboxDir(root));
    assert.ok(outboxBytes <= 2500, `outbox within its cap: ${outboxBytes}`);
    // the receiver comes back on the same port
    server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
      for (const s of decodeWriteRequest(new Uint8Array(await req.arrayBuffer()))) {
        if (s.labels.some(([k, v]) => k === "n" && v === "0")) {
          s.ts.forEach((t) => got.set(t, (got.get(t) ?? 0) + 1));
        }
      }
      return new Response(null, { status: 204 });
    });
    const last = sampler.ts;
    await until("the newest snapshot delivered", () => got.has(last));
    await collection.stop();
    await sender.stop({ flushMs: 5000 });
    const sampled = Array.from({ length: sampler.ts / 1000 }, (_, i) => (i + 1) * 1000);
    const missing = sampled.filter((t) => !got.has(t));
    // data was lost to the cap, in one run of consecutive seconds (the oldest on disk; the
    // batch the sender held in memory while retrying, before them, was sent after recovery)
    assert.ok(missing.length > 0, "the cap dropped samples");
    const first = sampled.indexOf(missing[0]!);
    assert.deepEqual(missing, sampled.slice(first, first + missing.length));
    // everything after them, up to the last second sampled, arrived, each second once
    assert.equal(got.get(sampler.ts), 1);
    assert.ok([...got.values()].every((n) => n === 1), "no second sent twice");
    // counted where the metrics are: segments and their spool bytes
    const metrics = new Map(sender.metrics().map(([name, , , value]) => [name, value]));
    const segments = metrics.get("perfscope_remote_write_dropped_segments_per_second")!;
    const bytes = metrics.get("perfscope_remote_write_dropped_bytes_per_second")!;
    assert.ok(segments > 0 && segments === sender.stats.droppedSegments, `segments ${segments}`);
    assert.ok(bytes > 0 && bytes === sender.stats.droppedBytes, `bytes ${bytes}`);
    // no more than the cuts told of: a segment the sender had open when it was cut is read on
    // from the open file (so it is not lost to it), and cuts go on while it catches up
    const told = drops.reduce((a, l) => a + Number(l.match(/deleted its (\d+)/)![1]), 0);
    assert.ok(segments <= told, `told ${told}, counted ${segments}`);
    // 12 to 25 bytes a sample in segments this small (each restates its series; ~200 bytes a
    // snapshot of ten here): the bytes counted match the seconds lost
    const perSecond = bytes / missing.length;
    assert.ok(perSecond > 10 * 8 && perSecond < 10 * 40, `spool bytes a second ${perSecond}`);
    // the sender told of the outage once, not at every retry
    assert.equal(logs.filter((l) => l.endsWith("retrying")).length, 1);
  } finally {
    await collection.stop();
    await server?.shutdown();
  }
});

Deno.test("max_outbox_bytes is read from remote_write: entries, the smallest applies, and a cap below 64 KiB is refused", () => {
  const config = parseConfig(
    "remote_write:\n" +
      "  - url: http://127.0.0.1:8428/api/v1/write\n    max_outbox_bytes: 10485760\n" +
      "  - url: http://127.0.0.1:9090/api/v1/write\n    max_outbox_bytes: 1048576\n",
  );
  assert.equal(outboxCapBytes(config.remote_write ?? []), 1 << 20);
  // the collect flag wins over the file
  assert.equal(outboxCapBytes(config.remote_write ?? [], 1 << 25), 1 << 25);
  assert.throws(
    () =>
      parseConfig(
        "remote_write:\n  - url: http://127.0.0.1:8428/api/v1/write\n    max_outbox_bytes: 100\n",
      ),
    /max_outbox_bytes/,
  );
});

Deno.test("collect refuses a --max-outbox-bytes below 64 KiB with a one-line message", async () => {
  await assert.rejects(
    () => collect(["--no-config", "--max-outbox-bytes", "100", "--duration", "1s"]),
    /Invalid --max-outbox-bytes: 100 \(expected an integer from 65536/,
  );
});

Deno.test("a reader counts the segments the cap cut while it was away, and a new reader does not count cuts from before it existed", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-rw-cap-" });
  savePosition(root, "old", { segment: 1000, offset: 0 });
  const sizes: number[] = [];
  const lines: string[] = [];
  for (const id of [1000, 2000, 3000]) {
    const w = new SpoolWriter(root, id);
    w.append([{ ts: id, host: "h", metric: "m", labels: "", value: id }]);
    sizes.push(Deno.statSync(w.segment.path).size);
    // room for one segment and the drop ledger's lines: each retirement cuts the one before
    w.retire(root, { outboxMaxBytes: sizes[0]! + 64, onDrop: (l) => lines.push(l) });
  }
  assert.deepEqual(listOutbox(root).map((s) => s.id), [3000]);
  assert.equal(lines.length, 2);
  // the reader saved at 1000 lost 1000 and 2000, whole
  const back = new SpoolCursor(root, readPosition(root, "old"));
  assert.deepEqual(back.read(1 << 20).snapshots.map((s) => s.ts), [3000]);
  assert.equal(back.droppedSegments, 2);
  assert.equal(back.droppedBytes, sizes[0]! + sizes[1]!);
  back.close();
  // a reader registered now starts at the oldest segment there is: nothing lost to it
  const fresh = new SpoolCursor(root);
  assert.deepEqual(fresh.position, { segment: 3000, offset: 0 });
  assert.deepEqual(fresh.read(1 << 20).snapshots.map((s) => s.ts), [3000]);
  assert.equal(fresh.droppedSegments, 0);
  fresh.close();
});

Deno.test("collect --max-outbox-bytes with its receiver down keeps the outbox under the cap, logs each cut and stores the drops as its own metrics", async () => {
  const data = Deno.makeTempDirSync({ prefix: "perfscope-rw-cap-cli-" });
  const port = freePort(); // nothing listens: the receiver is down all along
  const { code, stderr } = await collectTask(
    { data, host: "cap-a", duration: "15s", flush: "1s", top: 1 },
    ["--max-outbox-bytes", "65536", "--remote-write", `http://127.0.0.1:${port}/api/v1/write`],
  );
  assert.equal(code, 0, stderr);
  const cuts = stderr.split("\n").filter((l) => l.includes("over its cap of 65536 bytes"));
  assert.ok(cuts.length >= 1, stderr);
  const outboxBytes = dirBytes(outboxDir(data));
  assert.ok(outboxBytes <= 65536, `outbox ${outboxBytes} bytes, drop ledger included`);
  // the sender's drop counters reach the lake through the collector's own metrics
  const lake = await openLake({ root: data });
  try {
    const rows = await lake.query<{ metric: string; v: number }>(
      `SELECT metric, max(value) AS v FROM samples
       WHERE metric LIKE 'perfscope_remote_write_dropped_%' AND host = 'cap-a' GROUP BY metric`,
    );
    const max = new Map(rows.map((r) => [r.metric, r.v]));
    assert.ok(max.get("perfscope_remote_write_dropped_segments_per_second")! > 0, `${rows}`);
    assert.ok(max.get("perfscope_remote_write_dropped_bytes_per_second")! > 0);
  } finally {
    lake.close();
  }
});

Deno.test("with a cap smaller than one segment and a receiver that keeps up, the cuts told as drops are the ones the sender counts: a segment it has open is read on, not lost", async () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-rw-cap-" });
  const sampler = tenSeries();
  const got = new Set<number>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    for (const s of decodeWriteRequest(new Uint8Array(await req.arrayBuffer()))) {
      if (s.labels.some(([k, v]) => k === "n" && v === "0")) s.ts.forEach((t) => got.add(t));
    }
    return new Response(null, { status: 204 });
  });
  const drops: string[] = [];
  const sender = new RemoteWriteSender(root, {
    url: `http://127.0.0.1:${server.addr.port}/api/v1/write`,
    intervalMs: 5,
    log: () => {},
  });
  sender.start();
  const collection = await startCollection({
    root,
    sampler,
    intervalMs: 10,
    flushEveryMs: 50,
    // below one segment (~5 snapshots of ~200 bytes): every flush cuts the segment it moves
    outboxMaxBytes: 100,
    onSpoolDrop: (line) => drops.push(line),
  });
  try {
    await until("ten segments", () => sampler.ts >= 50_000);
    await collection.stop();
    const last = sampler.ts;
    await until("the last snapshot delivered", () => got.has(last));
  } finally {
    await collection.stop();
    await sender.stop({ flushMs: 2000 });
    await server.shutdown();
  }
  const told = drops.reduce((a, l) => a + Number(l.match(/deleted its (\d+)/)![1]), 0);
  assert.equal(told, sender.stats.droppedSegments, drops.join("\n"));
  // what was not lost arrived: every second but those of the segments told as lost
  if (told === 0) assert.equal(got.size, sampler.ts / 1000);
  Deno.removeSync(root, { recursive: true });
});
