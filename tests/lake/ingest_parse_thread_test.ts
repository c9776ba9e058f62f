import assert from "node:assert/strict";
import fc from "fast-check";
import { IngestWriter, parseIngestLines } from "../../lake/mod.ts";
import { IngestParseThread } from "../../lake/ingest_parse_thread.ts";
import { MAX_SERIES } from "../../lake/ingest_parse_worker.ts";
import { NOW, validBody } from "./_ingest_arbitraries.ts";
import { countSamples } from "../_count_samples.ts";

const enc = new TextEncoder();

/** `n` lines, series `from`..`from + n - 1` of host `host`. */
function lines(host: string, from: number, n: number, ts = NOW): string {
  let text = "";
  for (let i = 0; i < n; i++) {
    text += `{"ts":${ts},"host":"${host}","metric":"m${(from + i) % 7}","labels":{"k":"${
      from + i
    }"},"value":${i}}\n`;
  }
  return text;
}

/** The body split into chunks of `size` bytes (each its own buffer, as a server reads them). */
function chunks(text: string, size: number): Uint8Array[] {
  const bytes = enc.encode(text);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.slice(at, at + size));
  return out;
}

Deno.test("the parse thread gives the same columns as the event loop's parser, body after body, whatever the chunking", async () => {
  const parser = new IngestParseThread();
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(validBody, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 300 }),
        async (bodies, size) => {
          // one thread across the bodies: later ones reuse the series the first ones sent
          for (const { body } of bodies) {
            const expected = parseIngestLines(body, { now: NOW });
            assert.deepEqual(await parser.parse(chunks(body, size), { now: NOW }), expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  } finally {
    parser.close();
  }
});

Deno.test("the parse thread refuses a bad line with the parser's RangeError and stays in step for the next bodies", async () => {
  const parser = new IngestParseThread();
  try {
    const good = lines("h", 0, 20);
    assert.deepEqual(
      await parser.parse(chunks(good, 64), { now: NOW }),
      parseIngestLines(good, { now: NOW }),
    );
    // new series before the bad line must not enter the table
    const bad = lines("h", 100, 5) + '{"ts":1}\n';
    await assert.rejects(
      parser.parse(chunks(bad, 50), { now: NOW }),
      (e: unknown) => e instanceof RangeError && /^Invalid line 6: host/.test(e.message),
    );
    const next = lines("h", 95, 30);
    assert.deepEqual(
      await parser.parse(chunks(next, 77), { now: NOW }),
      parseIngestLines(next, { now: NOW }),
    );
  } finally {
    parser.close();
  }
});

Deno.test("the parse thread's series table starts again past its cap and the columns stay right", async () => {
  const parser = new IngestParseThread();
  try {
    const n = Math.ceil(MAX_SERIES * 0.51);
    for (const from of [0, n, 0]) {
      const body = lines("cap", from, n);
      const got = await parser.parse(chunks(body, 65_536), { now: NOW });
      assert.deepEqual(got, parseIngestLines(body, { now: NOW }));
    }
  } finally {
    parser.close();
  }
});

Deno.test("a body handed to the parse thread is transferred (the caller's whole buffers are detached, views into larger ones are copied)", async () => {
  const parser = new IngestParseThread();
  try {
    const whole = enc.encode(lines("h", 0, 3));
    const big = enc.encode("xx" + lines("h", 3, 3));
    const view = big.subarray(2);
    const got = await parser.parse([whole, view], { now: NOW });
    assert.equal(got.ts.length, 6);
    assert.equal(whole.byteLength, 0, "a whole buffer is handed over, not copied");
    assert.equal(big.byteLength, lines("h", 3, 3).length + 2, "a view's buffer stays");
  } finally {
    parser.close();
  }
});

Deno.test("closing the parse thread fails the bodies not answered yet, and a closed thread refuses new ones", async () => {
  const parser = new IngestParseThread();
  const pending = parser.parse(chunks(lines("h", 0, 50_000), 65_536), { now: NOW });
  parser.close();
  await assert.rejects(pending, /Ingest parse thread is closed/);
  await assert.rejects(parser.parse([enc.encode(lines("h", 0, 1))], { now: NOW }), /closed/);
});

Deno.test("IngestWriter with parseInWorker stores what writeAsync acknowledged and nothing of a refused body", async () => {
  const root = await Deno.makeTempDir();
  const w = new IngestWriter({ root, sync: false, now: () => NOW, parseInWorker: true });
  try {
    assert.equal((await w.writeAsync(chunks(lines("a", 0, 1_000), 4_096))).ts.length, 1_000);
    assert.equal((await w.writeAsync(enc.encode(lines("b", 0, 10)))).host[9], "b");
    await assert.rejects(
      w.writeAsync(chunks(lines("a", 0, 10) + "{\n", 100)),
      (e: unknown) => e instanceof RangeError && /^Invalid line 11/.test(e.message),
    );
    assert.equal(w.stats.accepted, 1_010);
    w.flush();
  } finally {
    w.close();
  }
  assert.equal(await countSamples(root), 1_010);
});
