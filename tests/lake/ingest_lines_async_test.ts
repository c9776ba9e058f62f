import assert from "node:assert/strict";
import fc from "fast-check";
import { IngestWriter, parseIngestLines, parseIngestLinesAsync } from "../../lake/mod.ts";
import { props } from "../_props.ts";
import { NOW, validBody } from "./_ingest_arbitraries.ts";

const enc = new TextEncoder();
const resolved = () => Promise.resolve();

function line(ts: number, host = "h", value = 1): string {
  return `{"ts":${ts},"host":"${host}","metric":"m","labels":{"a":"1"},"value":${value}}\n`;
}

function lines(n: number, from = 0, host = "h"): Uint8Array {
  let text = "";
  for (let i = 0; i < n; i++) text += line(NOW - 60_000 + from + i, host, i);
  return enc.encode(text);
}

Deno.test("parseIngestLinesAsync() gives what parseIngestLines() gives, whatever the chunk size", async () => {
  await fc.assert(
    fc.asyncProperty(validBody, fc.integer({ min: 1, max: 400 }), async ({ body }, chunk) => {
      const sync = parseIngestLines(enc.encode(body), { now: NOW });
      const chunked = await parseIngestLinesAsync(enc.encode(body), {
        now: NOW,
        chunkBytes: chunk,
        sliceMs: 0,
        pause: resolved,
      });
      assert.deepEqual(chunked, sync);
    }),
    props(150),
  );
});

Deno.test("parseIngestLinesAsync() refuses a bad line with the same message, even one past a pause", async () => {
  const body = new TextDecoder().decode(lines(50)) + '{"ts":1}\n';
  assert.throws(() => parseIngestLines(body, { now: NOW }), /Invalid line 51: host/);
  await assert.rejects(
    parseIngestLinesAsync(body, { now: NOW, chunkBytes: 100, sliceMs: 0, pause: resolved }),
    (error: Error) => error instanceof RangeError && /^Invalid line 51: host/.test(error.message),
  );
});

Deno.test("parseIngestLinesAsync() pauses between lines, about once per chunk, never for a small body", async () => {
  const body = lines(100);
  let pauses = 0;
  const pause = () => (pauses++, Promise.resolve());
  await parseIngestLinesAsync(body, { now: NOW, chunkBytes: 1_000_000, sliceMs: 0, pause });
  assert.equal(pauses, 0);
  const lineBytes = body.length / 100;
  await parseIngestLinesAsync(body, { now: NOW, chunkBytes: lineBytes * 10, sliceMs: 0, pause });
  assert.equal(pauses, 9); // after lines 10, 20, …, 90
  await assert.rejects(parseIngestLinesAsync(body, { chunkBytes: 0 }), /Invalid chunkBytes: 0/);
  await assert.rejects(parseIngestLinesAsync(body, { sliceMs: -1 }), /Invalid sliceMs: -1/);
});

Deno.test("IngestWriter.writeAsync() serves other work during the parse and spools the body only after it", async () => {
  const root = await Deno.makeTempDir();
  const w = new IngestWriter({ root, sync: false, now: () => NOW, flushRows: 1_000_000 });
  try {
    const seen: number[] = [];
    let others = 0;
    const pause = () => {
      seen.push(w.stats.accepted); // nothing of the body is in the spool while it is parsed
      return new Promise<void>((r) => setTimeout(() => (others++, r()), 0));
    };
    const body = lines(1_000);
    const batch = await w.writeAsync(body, { chunkBytes: 4096, sliceMs: 0, pause });
    assert.equal(batch.ts.length, 1_000);
    assert.ok(seen.length > 5, `pauses: ${seen.length}`);
    assert.ok(seen.every((n) => n === 0));
    assert.equal(others, seen.length);
    // resolved means spooled, as after write(): the rows are counted and buffered
    assert.equal(w.stats.accepted, 1_000);
    assert.equal(w.buffered, 1_000);
  } finally {
    w.close();
  }
});

Deno.test("IngestWriter.writeAsync() refuses a body whose budget was taken by another request during its parse, storing nothing of it", async () => {
  const root = await Deno.makeTempDir();
  const w = new IngestWriter({
    root,
    sync: false,
    now: () => NOW,
    maxBufferedRows: 1_500,
    flushRows: 1_000_000,
    flushEveryMs: 3_600_000,
  });
  try {
    let other: number | undefined;
    const pause = () => {
      // another request, taken whole while this one is parsed
      other ??= w.write(lines(1_000, 10_000, "other")).ts.length;
      return Promise.resolve();
    };
    await assert.rejects(
      w.writeAsync(lines(1_000), { chunkBytes: 4096, sliceMs: 0, pause }),
      (error: Error) => error.name === "IngestBusy",
    );
    assert.equal(other, 1_000);
    assert.equal(w.stats.accepted, 1_000);
    assert.equal(w.buffered, 1_000);
    await assert.rejects(w.writeAsync(enc.encode('{"ts":1}\n')), /Invalid line 1/);
    assert.equal(w.stats.accepted, 1_000);
  } finally {
    w.close();
  }
});
