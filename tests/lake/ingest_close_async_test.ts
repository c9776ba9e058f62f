/**
 * `IngestWriter.closeAsync`: the close `serve` uses when it stops. It writes what is buffered
 * without holding the event loop (so that the stop's deadline can still fire), and whatever it
 * does not write stays in the spool for the next open, which also removes the temporary plan
 * file a killed writer left.
 *
 * @module
 */
import assert from "node:assert/strict";
import { IngestWriter, type IngestWriterOptions, writeSamples } from "../../lake/mod.ts";
import { listIngestSegments } from "../../lake/ingest_spool.ts";
import { countSamples } from "../_count_samples.ts";

const T0 = Date.UTC(2024, 0, 1);
const NOW = () => T0 + 3_600_000;
const enc = new TextEncoder();

function body(host: string, n: number): Uint8Array {
  const lines = Array.from(
    { length: n },
    (_, i) => JSON.stringify({ ts: T0 + i * 1000, host, metric: "m", value: i }),
  );
  return enc.encode(lines.join("\n"));
}

function writerOn(root: string, options: Omit<IngestWriterOptions, "root"> = {}): IngestWriter {
  return new IngestWriter({ root, sync: false, now: NOW, flushEveryMs: 3_600_000, ...options });
}

for (const flushInWorker of [false, true]) {
  const mode = flushInWorker ? "flush thread" : "event loop";
  Deno.test(`IngestWriter.closeAsync writes every buffered row while timers keep firing, and leaves no spool (${mode})`, async () => {
    const root = await Deno.makeTempDir();
    try {
      // one partition a turn without a thread: twelve files are twelve turns at least
      const w = writerOn(root, { flushPartitions: 1, flushBudgetMs: 0, flushInWorker });
      let accepted = 0;
      for (let h = 0; h < 12; h++) accepted += w.write(body(`h${h}`, 200)).ts.length;
      // timers that fire while rows still wait for Parquet: the flush does not hold the loop
      let midway = 0;
      const ticker = setInterval(() => {
        if (w.buffered > 0) midway++;
      }, 0);
      try {
        await w.closeAsync();
      } finally {
        clearInterval(ticker);
      }
      assert.ok(midway > 0, "no timer fired while the writer wrote its files");
      assert.equal(w.buffered, 0);
      assert.deepEqual(listIngestSegments(root), []);
      assert.equal(await countSamples(root), accepted);
      await w.closeAsync(); // closed: nothing to do
      w.close();
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });

  Deno.test(`IngestWriter.closeAsync that fails keeps the rows in the spool, and the next writer writes them (${mode})`, async () => {
    const root = await Deno.makeTempDir();
    try {
      const w = writerOn(root, { flushInWorker, onError: () => {} });
      const accepted = w.write(body("a", 300)).ts.length + w.write(body("b", 100)).ts.length;
      // a file where host a's partition directory goes: that partition cannot be written now
      const hostDir = `${root}/metrics/host=a`;
      Deno.mkdirSync(hostDir, { recursive: true });
      Deno.writeTextFileSync(`${hostDir}/date=2024-01-01`, "not a directory");
      await assert.rejects(w.closeAsync());
      assert.ok(w.buffered >= 300, `buffered ${w.buffered}`);
      assert.equal(listIngestSegments(root).length > 0, true);
      Deno.removeSync(`${hostDir}/date=2024-01-01`);
      const again = writerOn(root, { flushInWorker });
      await again.closeAsync();
      assert.equal(await countSamples(root), accepted);
      assert.deepEqual(listIngestSegments(root), []);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("IngestWriter.closeAsync rejects when the flush thread cannot write a file, and the next writer writes its rows", async () => {
  const root = await Deno.makeTempDir();
  try {
    // a file in the partition first, so the writer's file id is known: one above it
    writeSamples([{ ts: T0, host: "a", metric: "old", labels: {}, value: 1 }], {
      root,
      id: 5,
      sync: false,
    });
    const w = writerOn(root, { flushInWorker: true, onError: () => {} });
    const accepted = w.write(body("a", 300)).ts.length;
    // the thread's second write (its first is the plan) goes to this temporary name: a
    // directory there makes it fail for now (EISDIR), not for good (quarantine)
    const dir = `${root}/metrics/host=a/date=2024-01-01`;
    const blocker = `${dir}/part-${String(6).padStart(15, "0")}.parquet.${Deno.pid}-2.tmp`;
    Deno.mkdirSync(blocker);
    Deno.writeTextFileSync(`${blocker}/keep`, ""); // not empty: the writer's cleanup keeps it
    await assert.rejects(w.closeAsync(), /Cannot write ingest Parquet/);
    assert.equal(w.buffered, accepted);
    Deno.removeSync(blocker, { recursive: true });
    const again = writerOn(root, { flushInWorker: true });
    await again.closeAsync();
    assert.equal(await countSamples(root), accepted + 1);
    assert.deepEqual(listIngestSegments(root), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("A plan's temporary file left by a killed writer is removed when the next writer opens; one of a live process stays", async () => {
  const root = await Deno.makeTempDir();
  try {
    const child = new Deno.Command("true").spawn();
    await child.status; // its pid names a writer that no longer runs
    const dir = `${root}/spool_ingest`;
    Deno.mkdirSync(dir, { recursive: true });
    const dead = `${dir}/plan.json.${child.pid}-1.tmp`;
    const live = `${dir}/plan.json.${Deno.pid}-7.tmp`;
    Deno.writeTextFileSync(dead, "[");
    Deno.writeTextFileSync(live, "[");
    const w = writerOn(root);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".tmp")),
      [
        `plan.json.${Deno.pid}-7.tmp`,
      ],
    );
    await w.closeAsync();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
