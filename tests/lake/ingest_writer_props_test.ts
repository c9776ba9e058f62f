import assert from "node:assert/strict";
import fc from "fast-check";
import { formatLabels } from "../../collectors/mod.ts";
import { IngestWriter, openLake, quantizeValue } from "../../lake/mod.ts";
import { props } from "../_props.ts";
import { badLine, bodyOf, NOW, storableSample, validBody } from "./_ingest_arbitraries.ts";

const enc = new TextEncoder();

/** Every file and directory under `root`, with the bytes of each file. */
function snapshot(root: string): Map<string, Uint8Array | "dir"> {
  const out = new Map<string, Uint8Array | "dir">();
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) (out.set(path, "dir"), walk(path));
      else out.set(path, Deno.readFileSync(path));
    }
  };
  walk(root);
  return out;
}

Deno.test("IngestWriter leaves the lake and its spool byte-identical after refusing a body", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-props-" });
  const writer = new IngestWriter({ root, sync: false, now: () => NOW, flushEveryMs: 3_600_000 });
  try {
    fc.assert(
      fc.property(
        validBody,
        badLine,
        fc.nat(),
        fc.constantFrom("keep", "keep", "keep", "flush"),
        fc.integer({ min: 0, max: 5 }),
        ({ body }, bad, at, then, how) => {
          const before = snapshot(root);
          const buffered = writer.buffered;
          const lines = body.split("\n");
          const k = at % (lines.length + 1);
          // mostly one bad line; sometimes valid lines over 65 partitions (host × date)
          const insert = how > 0 ? [bad] : Array.from({ length: 65 }, (_, i) =>
            JSON.stringify({
              ts: NOW - (i % 5) * 86_400_000,
              host: `p${i}`,
              metric: "m",
              value: i,
            }));
          const withBad = enc.encode(
            [...lines.slice(0, k), ...insert, ...lines.slice(k)].join("\n"),
          );
          assert.throws(() => writer.write(withBad, { now: NOW }), RangeError);
          assert.equal(writer.buffered, buffered);
          assert.deepEqual(snapshot(root), before);
          // the writer still takes good bodies afterwards (so the lake grows between cases)
          writer.write(enc.encode(body), { now: NOW });
          if (then === "flush") writer.flush();
        },
      ),
      props(25),
    );
  } finally {
    writer.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("IngestWriter stores pushed values within the lake's quantization, and no null values", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-props-" });
  try {
    const writer = new IngestWriter({ root, sync: false, now: () => NOW, flushEveryMs: 3_600_000 });
    const expected = new Map<string, number>();
    // one sample per (time, series): the lake keeps duplicates, and the test compares by key
    fc.assert(
      fc.property(bodyOf(storableSample), ({ samples, body }) => {
        writer.write(enc.encode(body), { now: NOW });
        for (const s of samples) {
          const host = s.host.toLowerCase(); // stored in lower case
          const key = JSON.stringify([Math.floor(s.ts), host, s.metric, formatLabels(s.labels)]);
          expected.set(key, s.value === null ? NaN : s.value);
        }
      }),
      { ...props(15), examples: [] },
    );
    writer.close();
    const lake = await openLake({ root });
    try {
      const rows = await lake.query<
        { ts: number; host: string; metric: string; labels: string; value: number }
      >(
        "SELECT epoch_ms(ts)::DOUBLE AS ts, host, metric, labels, value FROM samples",
      );
      const stored = new Map<string, number[]>();
      for (const r of rows) {
        const key = JSON.stringify([r.ts, r.host, r.metric, r.labels]);
        stored.set(key, [...(stored.get(key) ?? []), r.value]);
      }
      for (const [key, value] of expected) {
        const got = stored.get(key);
        if (Number.isNaN(value)) continue; // null: not stored (or stored from another body)
        assert.ok(got !== undefined, `missing ${key}`);
        const q = quantizeValue(value);
        assert.ok(
          got.some((v) => v === q || Math.abs(v - value) <= 5e-6 * Math.abs(value)),
          `${key}: ${got} vs ${value}`,
        );
      }
      for (const [key] of stored) assert.ok(expected.has(key), `unexpected ${key}`);
    } finally {
      lake.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
